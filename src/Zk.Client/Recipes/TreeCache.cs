// A local copy of a whole subtree (Curator's CuratorCache): one persistent-recursive watch on the root, or, when
// the server has no addWatch, one-shot data and child watches on every node (Curator's TreeCache). Events only
// trigger re-reads on one loop, which alone changes the copy; a full resync follows every reconnect because
// persistent watches come back without catch-up events. Reads are thread-safe; Changed is raised on the loop.
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Zk.Protocol;

namespace Zk.Client.Recipes;

public enum TreeCacheEventType
{
    NodeAdded,
    NodeUpdated,
    NodeRemoved,

    /// <summary>The first full load is complete.</summary>
    Initialized,
}

/// <summary>Node is the new state (the last known one for NodeRemoved; null for Initialized).</summary>
public sealed record TreeCacheEvent(TreeCacheEventType Type, string Path, DataResult? Node);

public sealed partial class TreeCache : IAsyncDisposable
{
    // Reads issued at once during a resync; the client pipelines them over its one connection.
    private const int ReadBatch = 256;

    private readonly ZooKeeperClient _zk;
    private readonly object _gate = new();
    private readonly Dictionary<string, DataResult> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedSet<string>> _children = new(StringComparer.Ordinal);
    private readonly Channel<WatchedEvent?> _work = Channel.CreateUnbounded<WatchedEvent?>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<Channel<TreeCacheEvent>> _subscribers = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _initialized = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<WatchedEvent> _watcher;
    private Task? _loop;

    public TreeCache(ZooKeeperClient zk, string rootPath, bool usePersistentWatch = true)
    {
        var error = PathUtils.Validate(rootPath);
        if (error is not null) throw new ArgumentException(error, nameof(rootPath));
        _zk = zk;
        Root = rootPath;
        UsesPersistentWatch = usePersistentWatch;
        _watcher = e => _work.Writer.TryWrite(e);
    }

    public string Root { get; }

    /// <summary>False in the one-shot-watch fallback (asked for, or the server refused addWatch).</summary>
    public bool UsesPersistentWatch { get; private set; }

    public event EventHandler<TreeCacheEvent>? Changed;

    /// <summary>Loads the subtree and keeps it fresh until disposed; returns once the first load is complete.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (UsesPersistentWatch)
        {
            try
            {
                await RecipeSupport.RetryAsync(_zk, () => _zk.AddWatchAsync(Root, AddWatchMode.PersistentRecursive, _watcher, cancellationToken),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (KeeperException e) when (e is UnimplementedException or MarshallingErrorException)
            {
                UsesPersistentWatch = false;
            }
        }
        _zk.StateChanged += OnStateChanged;
        _work.Writer.TryWrite(null);
        _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        await _initialized.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The cached node, or null when it is not (known to be) in the subtree.</summary>
    public DataResult? Get(string path)
    {
        lock (_gate) return _nodes.GetValueOrDefault(path);
    }

    /// <summary>The cached child names of a node, sorted.</summary>
    public IReadOnlyList<string> GetChildren(string path)
    {
        lock (_gate) return _children.TryGetValue(path, out var names) ? [.. names] : [];
    }

    /// <summary>A copy of every cached node, keyed by path.</summary>
    public IReadOnlyDictionary<string, DataResult> Snapshot()
    {
        lock (_gate) return new Dictionary<string, DataResult>(_nodes, StringComparer.Ordinal);
    }

    /// <summary>
    /// Every change from this call on (so call it before StartAsync to see the initial load and Initialized),
    /// until the cache is disposed.
    /// </summary>
    public IAsyncEnumerable<TreeCacheEvent> EventsAsync(CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<TreeCacheEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate) _subscribers.Add(channel);
        return ReadAsync(channel, cancellationToken);
    }

    private async IAsyncEnumerable<TreeCacheEvent> ReadAsync(Channel<TreeCacheEvent> channel, [EnumeratorCancellation] CancellationToken ct)
    {
        try
        {
            await foreach (var e in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false)) yield return e;
        }
        finally
        {
            lock (_gate) _subscribers.Remove(channel);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _zk.StateChanged -= OnStateChanged;
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null) await _loop.ConfigureAwait(false);
        lock (_gate)
        {
            foreach (var s in _subscribers) s.Writer.TryComplete();
        }
        if (UsesPersistentWatch) await _zk.ForgetWatcherAsync(Root, _watcher).ConfigureAwait(false);
    }

    private void OnStateChanged(object? sender, ConnectionStateChange change)
    {
        // null asks the loop for a full resync.
        if (change.State.IsConnected() && change.Previous == ConnectionState.Disconnected) _work.Writer.TryWrite(null);
    }

    private async Task RunAsync(CancellationToken stop)
    {
        try
        {
            while (await _work.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                var resync = false;
                var events = new List<WatchedEvent>();
                while (_work.Reader.TryRead(out var item))
                {
                    if (item is null) resync = true;
                    else if (item.Type != EventType.None && item.Path is not null) events.Add(item);
                }
                // A resync reads everything anew, which also answers every event queued with it.
                if (resync) await ResyncAsync(stop).ConfigureAwait(false);
                else
                {
                    foreach (var e in events) await ApplyAsync(e, stop).ConfigureAwait(false);
                }
                if (_initialized.TrySetResult()) Publish([new TreeCacheEvent(TreeCacheEventType.Initialized, Root, null)]);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (KeeperException e) when (e is SessionExpiredException or AuthFailedException)
        {
            _initialized.TrySetException(e);
        }
    }
}
