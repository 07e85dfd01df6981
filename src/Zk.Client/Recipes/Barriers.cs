// Barrier (a node that holds everyone until it is removed) and double barrier (enter together when N have
// arrived, leave together when all have left), after ZooKeeper's recipes and kazoo's behaviour. Each object
// belongs to one participant; its methods are safe to call from any thread but not concurrently.
using Zk.Protocol;

namespace Zk.Client.Recipes;

public sealed class DistributedBarrier(ZooKeeperClient zk, string path)
{
    /// <summary>Raises the barrier (creates the node); returns false when it was already up.</summary>
    public async Task<bool> SetAsync(CancellationToken cancellationToken = default)
    {
        await RecipeSupport.EnsurePathAsync(zk, PathUtils.Parent(path), cancellationToken).ConfigureAwait(false);
        try
        {
            await RecipeSupport.RetryAsync(zk, () => zk.CreateAsync(path, null, cancellationToken: cancellationToken), cancellationToken)
                .ConfigureAwait(false);
            return true;
        }
        catch (NodeExistsException)
        {
            return false;
        }
    }

    /// <summary>Lowers the barrier; everyone waiting proceeds.</summary>
    public Task RemoveAsync() => RecipeSupport.DeleteQuietlyAsync(zk, path, ephemeral: false);

    /// <summary>Returns once the barrier is down (at once when it is not up).</summary>
    public Task WaitAsync(CancellationToken cancellationToken = default) =>
        RecipeSupport.WaitForDeletionAsync(zk, path, cancellationToken);
}

public sealed class DistributedDoubleBarrier
{
    private const string Ready = "ready";

    private readonly ZooKeeperClient _zk;
    private readonly string _path;
    private readonly string _name;
    private readonly byte[]? _data;

    public DistributedDoubleBarrier(ZooKeeperClient zk, string path, int participants, string? participantId = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(participants, 1);
        _zk = zk;
        _path = path;
        Participants = participants;
        _name = Guid.NewGuid().ToString("N");
        _data = participantId is null ? null : System.Text.Encoding.UTF8.GetBytes(participantId);
    }

    public int Participants { get; }

    private string Self => PathUtils.Child(_path, _name);

    /// <summary>Joins, then waits until <see cref="Participants"/> have joined.</summary>
    public async Task EnterAsync(CancellationToken cancellationToken = default)
    {
        var ct = cancellationToken;
        await RecipeSupport.EnsurePathAsync(_zk, _path, ct).ConfigureAwait(false);
        try
        {
            await RecipeSupport.RetryAsync(_zk, () => _zk.CreateAsync(Self, _data, CreateMode.Ephemeral, cancellationToken: ct), ct)
                .ConfigureAwait(false);
        }
        catch (NodeExistsException)
        {
            // Our own create, retried after a lost reply.
        }
        // Watch for "ready" before counting, so its creation cannot slip between the count and the wait.
        var ready = new OneShotWatch();
        if (await RecipeSupport.RetryAsync(_zk, () => _zk.ExistsAsync(PathUtils.Child(_path, Ready), ready.Watcher, ct), ct)
                .ConfigureAwait(false) is not null)
            return;
        if ((await MembersAsync(ct).ConfigureAwait(false)).Count < Participants)
        {
            await ready.WaitAsync(ct).ConfigureAwait(false);
            return;
        }
        try
        {
            await RecipeSupport.RetryAsync(_zk, () => _zk.CreateAsync(PathUtils.Child(_path, Ready), null, cancellationToken: ct), ct)
                .ConfigureAwait(false);
        }
        catch (NodeExistsException)
        {
            // Another last arrival got there first.
        }
    }

    /// <summary>Leaves, then waits until every participant has left.</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken = default)
    {
        var ct = cancellationToken;
        await RecipeSupport.DeleteQuietlyAsync(_zk, PathUtils.Child(_path, Ready), ephemeral: false).ConfigureAwait(false);
        while (true)
        {
            var members = await MembersAsync(ct).ConfigureAwait(false);
            if (members.Count == 0) return;
            if (members.Count == 1 && members[0] == _name)
            {
                await RecipeSupport.DeleteQuietlyAsync(_zk, Self).ConfigureAwait(false);
                return;
            }
            members.Sort(StringComparer.Ordinal);
            // The lowest member leaves last, after the highest; everyone else leaves and then waits for the lowest.
            if (members[0] == _name)
            {
                await RecipeSupport.WaitForDeletionAsync(_zk, PathUtils.Child(_path, members[^1]), ct).ConfigureAwait(false);
                continue;
            }
            if (members.Contains(_name)) await RecipeSupport.DeleteQuietlyAsync(_zk, Self).ConfigureAwait(false);
            await RecipeSupport.WaitForDeletionAsync(_zk, PathUtils.Child(_path, members[0]), ct).ConfigureAwait(false);
        }
    }

    private async Task<List<string>> MembersAsync(CancellationToken ct) =>
        [.. (await RecipeSupport.RetryAsync(_zk, () => _zk.GetChildrenAsync(_path, cancellationToken: ct), ct).ConfigureAwait(false))
            .Where(n => n != Ready)];
}
