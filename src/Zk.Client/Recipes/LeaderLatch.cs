// Leader latch (Curator's LeaderLatch): every participant keeps an ephemeral sequential node; the lowest is the
// leader, the others each watch their predecessor. Leadership is given up as soon as the connection drops, so two
// participants never both believe they lead. One background loop per latch; the properties are thread-safe and
// LeadershipChanged is raised on that loop.
using Zk.Protocol;

namespace Zk.Client.Recipes;

/// <summary>FencingToken is the czxid of the leader's node: every new leader's is larger.</summary>
public sealed record LeadershipChange(bool IsLeader, long FencingToken);

public sealed class LeaderLatch : IAsyncDisposable
{
    private readonly ZooKeeperClient _zk;
    private readonly string _path;
    private readonly byte[]? _data;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private TaskCompletionSource _leader = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private string? _node;
    private long _token;
    private bool _isLeader;

    public LeaderLatch(ZooKeeperClient zk, string path, string participantId = "")
    {
        ArgumentNullException.ThrowIfNull(zk);
        var error = PathUtils.Validate(path);
        if (error is not null) throw new ArgumentException(error, nameof(path));
        _zk = zk;
        _path = path;
        _data = System.Text.Encoding.UTF8.GetBytes(participantId);
    }

    public event EventHandler<LeadershipChange>? LeadershipChanged;

    public bool HasLeadership
    {
        get { lock (_gate) return _isLeader; }
    }

    /// <summary>The fencing token while leading, 0 otherwise.</summary>
    public long FencingToken
    {
        get { lock (_gate) return _isLeader ? _token : 0; }
    }

    /// <summary>The participant's node, once it exists.</summary>
    public string? NodePath
    {
        get { lock (_gate) return _node; }
    }

    /// <summary>Joins the election; returns at once, leadership comes through the event or AwaitLeadershipAsync.</summary>
    public Task StartAsync()
    {
        lock (_gate)
        {
            if (_loop is not null) throw new InvalidOperationException("the latch has already started");
            _loop = Task.Run(() => RunAsync(_stop.Token));
        }
        return Task.CompletedTask;
    }

    /// <summary>Completes when this participant leads.</summary>
    public Task AwaitLeadershipAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate) return _leader.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Leaves the election: gives up leadership and deletes the node.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task? loop;
        lock (_gate) loop = _loop;
        if (loop is not null) await loop.ConfigureAwait(false);
    }

    private async Task RunAsync(CancellationToken stop)
    {
        using var connection = new ConnectionWatch(_zk);
        (string Name, long Czxid)? node = null;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await _zk.WaitForConnectedAsync(stop).ConfigureAwait(false);
                    await RecipeSupport.EnsurePathAsync(_zk, _path, stop).ConfigureAwait(false);
                    node ??= await RecipeSupport.CreateProtectedAsync(_zk, _path, $"_c_{Guid.NewGuid():N}-latch-", _data,
                        CreateMode.EphemeralSequential, stop).ConfigureAwait(false);
                    lock (_gate) _node = PathUtils.Child(_path, node.Value.Name);
                    if (!await TakeTurnAsync(node.Value, connection, stop).ConfigureAwait(false)) node = null;
                }
                catch (ConnectionLossException)
                {
                    SetLeader(false, 0);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Closing.
        }
        catch (KeeperException e) when (e is SessionExpiredException or AuthFailedException)
        {
            // The session is over; so is this participant (a new client needs a new latch).
        }
        SetLeader(false, 0);
        if (node is { } n) await RecipeSupport.DeleteQuietlyAsync(_zk, PathUtils.Child(_path, n.Name)).ConfigureAwait(false);
    }

    /// <summary>One look at the queue and one wait; false when our node is gone and must be made again.</summary>
    private async Task<bool> TakeTurnAsync((string Name, long Czxid) node, ConnectionWatch connection, CancellationToken stop)
    {
        var lost = connection.NextLossAsync();
        var core = new LockCore(_zk, _path, "latch", null, DistributedLock.Predecessor);
        var contenders = (await core.ContendersAsync(stop).ConfigureAwait(false)).Where(c => c.Kind == "latch").ToList();
        var self = contenders.FindIndex(c => c.Name == node.Name);
        if (self < 0) return false;
        var watchFor = self == 0 ? node.Name : contenders[self - 1].Name;
        var watch = new OneShotWatch();
        var stat = await RecipeSupport.RetryAsync(_zk, () => _zk.ExistsAsync(PathUtils.Child(_path, watchFor), watch.Watcher, stop), stop)
            .ConfigureAwait(false);
        if (stat is null) return self != 0;
        // Lead only while connected: a disconnected leader cannot know whether its session still exists.
        if (self == 0 && !lost.IsCompleted) SetLeader(true, node.Czxid);
        else SetLeader(false, 0);
        await Task.WhenAny(watch.Fired, lost).WaitAsync(stop).ConfigureAwait(false);
        if (lost.IsCompleted) SetLeader(false, 0);
        if (watch.Fired.IsCompleted) await watch.WaitAsync(stop).ConfigureAwait(false);
        return true;
    }

    private void SetLeader(bool isLeader, long token)
    {
        lock (_gate)
        {
            if (_isLeader == isLeader && (!isLeader || _token == token)) return;
            _isLeader = isLeader;
            if (isLeader)
            {
                _token = token;
                _leader.TrySetResult();
            }
            else if (_leader.Task.IsCompleted)
            {
                _leader = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
        LeadershipChanged?.Invoke(this, new LeadershipChange(isLeader, isLeader ? token : 0));
    }
}
