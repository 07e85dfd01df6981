// Counting semaphore with leases (Curator's InterProcessSemaphoreV2): acquirers take turns under an internal
// lock, add an ephemeral lease node and wait until at most maxLeases leases exist. A crashed holder's lease goes
// with its session. Thread-safe; each acquire is an independent contender.
using Zk.Protocol;

namespace Zk.Client.Recipes;

public sealed class DistributedSemaphore
{
    private readonly ZooKeeperClient _zk;
    private readonly string _leases;
    private readonly DistributedLock _turn;
    private readonly byte[]? _data;

    public DistributedSemaphore(ZooKeeperClient zk, string path, int maxLeases, byte[]? data = null)
    {
        ArgumentNullException.ThrowIfNull(zk);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLeases, 1);
        _zk = zk;
        MaxLeases = maxLeases;
        _data = data;
        _leases = PathUtils.Child(path, "leases");
        _turn = new DistributedLock(zk, PathUtils.Child(path, "locks"));
    }

    public int MaxLeases { get; }

    public async Task<LockHandle> AcquireAsync(CancellationToken cancellationToken = default) =>
        await AcquireCoreAsync(null, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidOperationException("acquire without a timeout cannot time out");

    /// <summary>Null when no lease was obtained within <paramref name="timeout"/>.</summary>
    public Task<LockHandle?> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        AcquireCoreAsync(timeout, cancellationToken);

    /// <summary>The lease nodes that exist now.</summary>
    public async Task<IReadOnlyList<string>> LeaseHoldersAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _zk.GetChildrenAsync(_leases, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            return [];
        }
    }

    private async Task<LockHandle?> AcquireCoreAsync(TimeSpan? timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout is { } t) deadline.CancelAfter(t);
        await RecipeSupport.EnsurePathAsync(_zk, _leases, ct).ConfigureAwait(false);
        LockHandle? turn = null;
        string? lease = null;
        try
        {
            turn = await _turn.AcquireAsync(deadline.Token).ConfigureAwait(false);
            var (name, czxid) = await RecipeSupport.CreateProtectedAsync(_zk, _leases, $"_c_{Guid.NewGuid():N}-lease-", _data,
                CreateMode.EphemeralSequential, deadline.Token).ConfigureAwait(false);
            lease = PathUtils.Child(_leases, name);
            while (true)
            {
                var watch = new OneShotWatch();
                var holders = await RecipeSupport.RetryAsync(_zk, () => _zk.GetChildrenAsync(_leases, watch.Watcher, deadline.Token),
                    deadline.Token).ConfigureAwait(false);
                if (!holders.Contains(name)) throw new NoNodeException(lease);
                if (holders.Count <= MaxLeases) return new LockHandle(_zk, lease, czxid);
                await watch.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (timeout is not null && !ct.IsCancellationRequested)
        {
            if (lease is not null) await RecipeSupport.DeleteQuietlyAsync(_zk, lease).ConfigureAwait(false);
            return null;
        }
        catch
        {
            if (lease is not null) await RecipeSupport.DeleteQuietlyAsync(_zk, lease).ConfigureAwait(false);
            throw;
        }
        finally
        {
            if (turn is not null) await turn.ReleaseAsync().ConfigureAwait(false);
        }
    }
}
