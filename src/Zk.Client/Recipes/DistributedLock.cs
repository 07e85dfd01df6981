// Exclusive lock without herd effect (ZooKeeper's lock recipe): queue as an ephemeral sequential node, watch only
// the predecessor. The owning node's czxid is a fencing token that grows with every new holder. A lock object is
// thread-safe; each AcquireAsync queues a separate contender (the lock is not re-entrant).
using Zk.Protocol;

namespace Zk.Client.Recipes;

public sealed class DistributedLock
{
    private readonly ZooKeeperClient _zk;
    private readonly string _path;
    private readonly string _kind;
    private readonly byte[]? _data;
    private readonly Func<IReadOnlyList<Contender>, int, Contender?> _blocker;

    public DistributedLock(ZooKeeperClient zk, string path, byte[]? data = null)
        : this(zk, path, "lock", data, Predecessor)
    {
    }

    internal DistributedLock(ZooKeeperClient zk, string path, string kind, byte[]? data, Func<IReadOnlyList<Contender>, int, Contender?> blocker)
    {
        ArgumentNullException.ThrowIfNull(zk);
        var error = PathUtils.Validate(path);
        if (error is not null) throw new ArgumentException(error, nameof(path));
        _zk = zk;
        _path = path;
        _kind = kind;
        _data = data;
        _blocker = blocker;
    }

    public string Path => _path;

    /// <summary>Waits as long as it takes (or until cancelled); the handle releases the lock when disposed.</summary>
    public async Task<LockHandle> AcquireAsync(CancellationToken cancellationToken = default) =>
        await TryAcquireAsync(null, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidOperationException("acquire without a timeout cannot time out");

    /// <summary>Null when the lock was not obtained within <paramref name="timeout"/>.</summary>
    public Task<LockHandle?> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        TryAcquireAsync((TimeSpan?)timeout, cancellationToken);

    /// <summary>The queued contenders' node names, holder first.</summary>
    public async Task<IReadOnlyList<string>> ContendersAsync(CancellationToken cancellationToken = default)
    {
        if (await _zk.ExistsAsync(_path, cancellationToken: cancellationToken).ConfigureAwait(false) is null) return [];
        var core = new LockCore(_zk, _path, _kind, _data, _blocker);
        return [.. (await core.ContendersAsync(cancellationToken).ConfigureAwait(false)).Select(c => c.Name)];
    }

    internal static Contender? Predecessor(IReadOnlyList<Contender> contenders, int self) => self == 0 ? null : contenders[self - 1];

    private async Task<LockHandle?> TryAcquireAsync(TimeSpan? timeout, CancellationToken ct)
    {
        var core = new LockCore(_zk, _path, _kind, _data, _blocker);
        var acquired = await core.AcquireAsync(timeout, ct).ConfigureAwait(false);
        return acquired is { } a ? new LockHandle(_zk, a.NodePath, a.Czxid) : null;
    }
}

/// <summary>
/// A held lock (or lease, or leadership). Lost is cancelled when the session ends or the node disappears; while
/// the client is merely disconnected the lock may be lost without notice, which is what FencingToken is for:
/// pass it to the resource, which rejects tokens older than the newest it has seen.
/// </summary>
public sealed class LockHandle : IAsyncDisposable
{
    private readonly ZooKeeperClient _zk;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _released = new();
    private int _releasing;

    internal LockHandle(ZooKeeperClient zk, string nodePath, long fencingToken)
    {
        _zk = zk;
        NodePath = nodePath;
        FencingToken = fencingToken;
        Lost = _lost.Token;
        _ = MonitorAsync();
    }

    public string NodePath { get; }

    /// <summary>The czxid of the owning node: larger for every later holder.</summary>
    public long FencingToken { get; }

    public CancellationToken Lost { get; }

    public bool IsReleased => Volatile.Read(ref _releasing) != 0;

    /// <summary>Deletes the node (retrying over connection loss). Idempotent.</summary>
    public async Task ReleaseAsync()
    {
        if (Interlocked.Exchange(ref _releasing, 1) != 0) return;
        await _released.CancelAsync().ConfigureAwait(false);
        await RecipeSupport.DeleteQuietlyAsync(_zk, NodePath).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await ReleaseAsync().ConfigureAwait(false);

    // Watches the node until release: deletion or the end of the session means the lock is gone.
    private async Task MonitorAsync()
    {
        var stop = _released.Token;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var watch = new OneShotWatch();
                var stat = await RecipeSupport.RetryAsync(_zk, () => _zk.ExistsAsync(NodePath, watch.Watcher, stop), stop).ConfigureAwait(false);
                if (stat is null) break;
                if ((await watch.WaitAsync(stop).ConfigureAwait(false)).Type == EventType.NodeDeleted) break;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return;
        }
        catch (KeeperException)
        {
            // The session ended (expired, closed, auth failed): the ephemeral node and the lock with it are gone.
        }
        if (!stop.IsCancellationRequested) await _lost.CancelAsync().ConfigureAwait(false);
    }
}
