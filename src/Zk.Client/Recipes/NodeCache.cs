// A local copy of one node's data and Stat, kept fresh by a persistent watch (addWatch), or by one-shot
// exists/getData watches when the server has no addWatch. Events only trigger re-reads on one refresh loop, so
// the cache never goes backwards; Current is safe to read from any thread, Changed is raised on the loop.
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Zk.Protocol;

namespace Zk.Client.Recipes;

public sealed class NodeCache : IAsyncDisposable
{
    private readonly ZooKeeperClient _zk;
    private readonly Channel<bool> _refresh = Channel.CreateUnbounded<bool>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<Channel<DataResult?>> _subscribers = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<WatchedEvent> _watcher;
    private DataResult? _current;
    private Task? _loop;

    public NodeCache(ZooKeeperClient zk, string path, bool usePersistentWatch = true)
    {
        var error = PathUtils.Validate(path);
        if (error is not null) throw new ArgumentException(error, nameof(path));
        _zk = zk;
        Path = path;
        UsesPersistentWatch = usePersistentWatch;
        // Node events and reconnects both mean "read again"; the reconnect covers events missed while away.
        _watcher = e =>
        {
            if (e.Type != EventType.None || e.State == KeeperState.SyncConnected) _refresh.Writer.TryWrite(true);
        };
    }

    public string Path { get; }

    /// <summary>False after the server turned addWatch down (or when asked not to use it): one-shot watches then.</summary>
    public bool UsesPersistentWatch { get; private set; }

    /// <summary>The node as last read, or null while it does not exist.</summary>
    public DataResult? Current => Volatile.Read(ref _current);

    public event EventHandler<DataResult?>? Changed;

    /// <summary>Reads the node once and keeps it fresh until disposed.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (UsesPersistentWatch)
        {
            try
            {
                await RecipeSupport.RetryAsync(_zk, () => _zk.AddWatchAsync(Path, AddWatchMode.Persistent, _watcher, cancellationToken),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (KeeperException e) when (e is UnimplementedException or MarshallingErrorException)
            {
                UsesPersistentWatch = false;
            }
        }
        _zk.StateChanged += OnStateChanged;
        _refresh.Writer.TryWrite(true);
        _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        await _loaded.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The current value (once loaded) first, then each change, until cancelled or the cache is disposed.</summary>
    public async IAsyncEnumerable<DataResult?> ChangesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await _loaded.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        var channel = Channel.CreateUnbounded<DataResult?>(new UnboundedChannelOptions { SingleReader = true });
        lock (_subscribers)
        {
            channel.Writer.TryWrite(Current);
            _subscribers.Add(channel);
        }
        try
        {
            await foreach (var value in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false)) yield return value;
        }
        finally
        {
            lock (_subscribers) _subscribers.Remove(channel);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _zk.StateChanged -= OnStateChanged;
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null) await _loop.ConfigureAwait(false);
        lock (_subscribers)
        {
            foreach (var s in _subscribers) s.Writer.TryComplete();
        }
        if (UsesPersistentWatch) await _zk.ForgetWatcherAsync(Path, _watcher).ConfigureAwait(false);
    }

    // Reconnect: persistent watches come back without catch-up events, so read again.
    private void OnStateChanged(object? sender, ConnectionStateChange change)
    {
        if (change.State.IsConnected() && change.Previous == ConnectionState.Disconnected) _refresh.Writer.TryWrite(true);
    }

    private async Task RunAsync(CancellationToken stop)
    {
        try
        {
            while (await _refresh.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                while (_refresh.Reader.TryRead(out _))
                {
                    // Coalesce: one read answers every event queued so far.
                }
                await RefreshAsync(stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (KeeperException e) when (e is SessionExpiredException or AuthFailedException)
        {
            _loaded.TrySetException(e);
        }
    }

    private async Task RefreshAsync(CancellationToken stop)
    {
        DataResult? fresh;
        try
        {
            // In one-shot mode each read re-arms the watch: getData on an existing node, exists on a missing one.
            var watcher = UsesPersistentWatch ? null : _watcher;
            fresh = watcher is null
                ? await RecipeSupport.RetryAsync(_zk, () => _zk.GetDataAsync(Path, cancellationToken: stop), stop).ConfigureAwait(false)
                : await RecipeSupport.RetryAsync(_zk, () => _zk.GetDataAsync(Path, watcher, stop), stop).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            if (!UsesPersistentWatch && await RecipeSupport.RetryAsync(_zk, () => _zk.ExistsAsync(Path, _watcher, stop), stop)
                    .ConfigureAwait(false) is not null)
            {
                _refresh.Writer.TryWrite(true);
                return;
            }
            fresh = null;
        }
        bool changed;
        lock (_subscribers)
        {
            var previous = Current;
            Volatile.Write(ref _current, fresh);
            changed = !_loaded.Task.IsCompleted || !Same(previous, fresh);
            if (changed)
            {
                foreach (var s in _subscribers) s.Writer.TryWrite(fresh);
            }
        }
        // The first read is the starting point, not a change.
        if (!_loaded.TrySetResult() && changed) Changed?.Invoke(this, fresh);
    }

    private static bool Same(DataResult? a, DataResult? b) =>
        a is null ? b is null : b is not null && a.Stat.Mzxid == b.Stat.Mzxid && a.Stat.Czxid == b.Stat.Czxid
                                                && a.Stat.Pzxid == b.Stat.Pzxid && a.Stat.Aversion == b.Stat.Aversion;
}
