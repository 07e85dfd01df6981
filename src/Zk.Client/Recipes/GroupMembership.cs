// Group membership and service discovery: a member is an ephemeral node named by its id under the group, kept
// in place across reconnects; observers read or stream the member set. One loop per GroupMember; the static
// readers and ServiceDiscovery are stateless and thread-safe.
using System.Runtime.CompilerServices;
using Zk.Protocol;

namespace Zk.Client.Recipes;

public sealed class GroupMember : IAsyncDisposable
{
    private readonly ZooKeeperClient _zk;
    private readonly CancellationTokenSource _stop = new();
    private byte[]? _data;
    private Task? _keeper;

    public GroupMember(ZooKeeperClient zk, string groupPath, string memberId, byte[]? data = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(memberId);
        _zk = zk;
        GroupPath = groupPath;
        MemberId = memberId;
        NodePath = PathUtils.Child(groupPath, memberId);
        var error = PathUtils.Validate(NodePath);
        if (error is not null) throw new ArgumentException(error, nameof(memberId));
        _data = data;
    }

    public string GroupPath { get; }

    public string MemberId { get; }

    public string NodePath { get; }

    /// <summary>
    /// Joins the group. NodeExists means another session holds this id; the member then waits for that node to go
    /// (e.g. the previous incarnation's session to expire) before it takes the id over.
    /// </summary>
    public async Task JoinAsync(CancellationToken cancellationToken = default)
    {
        await RecipeSupport.EnsurePathAsync(_zk, GroupPath, cancellationToken).ConfigureAwait(false);
        await CreateOrWaitAsync(cancellationToken).ConfigureAwait(false);
        _keeper = Task.Run(() => KeepAsync(_stop.Token), CancellationToken.None);
    }

    /// <summary>Replaces the member's data (and the data it is re-created with).</summary>
    public async Task UpdateAsync(byte[]? data, CancellationToken cancellationToken = default)
    {
        Volatile.Write(ref _data, data);
        await RecipeSupport.RetryAsync(_zk, () => _zk.SetDataAsync(NodePath, data, cancellationToken: cancellationToken), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Leaves the group (deletes the node).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_keeper is not null) await _keeper.ConfigureAwait(false);
        await RecipeSupport.DeleteQuietlyAsync(_zk, NodePath).ConfigureAwait(false);
    }

    /// <summary>The members now: id → data.</summary>
    public static async Task<IReadOnlyDictionary<string, byte[]?>> GetMembersAsync(ZooKeeperClient zk, string groupPath,
        CancellationToken cancellationToken = default) =>
        (await ReadAsync(zk, groupPath, null, cancellationToken).ConfigureAwait(false)) ?? new Dictionary<string, byte[]?>();

    /// <summary>The member set now and after every change to it, until cancelled or the session ends.</summary>
    public static async IAsyncEnumerable<IReadOnlyDictionary<string, byte[]?>> WatchMembersAsync(ZooKeeperClient zk, string groupPath,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await RecipeSupport.EnsurePathAsync(zk, groupPath, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var watch = new OneShotWatch();
            var members = await ReadAsync(zk, groupPath, watch.Watcher, cancellationToken).ConfigureAwait(false);
            if (members is not null) yield return members;
            await watch.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // One getChildren (arming the watch) and one multiRead for all the data; members that left in between are skipped.
    private static async Task<Dictionary<string, byte[]?>?> ReadAsync(ZooKeeperClient zk, string groupPath, Action<WatchedEvent>? watcher,
        CancellationToken ct)
    {
        IReadOnlyList<string> names;
        try
        {
            names = await RecipeSupport.RetryAsync(zk, () => watcher is null
                ? zk.GetChildrenAsync(groupPath, cancellationToken: ct)
                : zk.GetChildrenAsync(groupPath, watcher, ct), ct).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            return watcher is null ? [] : null;
        }
        var members = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
        if (names.Count == 0) return members;
        var results = await RecipeSupport.RetryAsync(zk, () => zk.MultiReadAsync(names.Select(n => Op.GetData(PathUtils.Child(groupPath, n))), ct), ct)
            .ConfigureAwait(false);
        for (var i = 0; i < names.Count; i++)
        {
            if (results[i] is GetDataOpResult d) members[names[i]] = d.Data;
        }
        return members;
    }

    private async Task CreateOrWaitAsync(CancellationToken ct)
    {
        while (true)
        {
            try
            {
                await RecipeSupport.RetryAsync(_zk, () => _zk.CreateAsync(NodePath, Volatile.Read(ref _data), CreateMode.Ephemeral,
                    cancellationToken: ct), ct).ConfigureAwait(false);
                return;
            }
            catch (NodeExistsException)
            {
                var stat = await RecipeSupport.RetryAsync(_zk, () => _zk.ExistsAsync(NodePath, cancellationToken: ct), ct).ConfigureAwait(false);
                if (stat?.EphemeralOwner == _zk.SessionId) return;
                await RecipeSupport.WaitForDeletionAsync(_zk, NodePath, ct).ConfigureAwait(false);
            }
        }
    }

    // Puts the node back whenever it goes while the session lives (deleted by an operator, say).
    private async Task KeepAsync(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await RecipeSupport.WaitForDeletionAsync(_zk, NodePath, stop).ConfigureAwait(false);
                await CreateOrWaitAsync(stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Leaving.
        }
        catch (KeeperException e) when (e is SessionExpiredException or AuthFailedException)
        {
            // The session ended: this member ended with it.
        }
    }
}

public sealed record ServiceInstance(string Service, string Id, byte[]? Payload);

/// <summary>Service discovery over group membership: {basePath}/{service}/{instance id} → payload.</summary>
public sealed class ServiceDiscovery(ZooKeeperClient zk, string basePath = "/services")
{
    /// <summary>Registers an instance; dispose the returned member to deregister.</summary>
    public async Task<GroupMember> RegisterAsync(string service, string instanceId, byte[]? payload, CancellationToken cancellationToken = default)
    {
        var member = new GroupMember(zk, PathUtils.Child(basePath, service), instanceId, payload);
        await member.JoinAsync(cancellationToken).ConfigureAwait(false);
        return member;
    }

    public async Task<IReadOnlyList<string>> GetServicesAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await zk.GetChildrenAsync(basePath, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            return [];
        }
    }

    public async Task<IReadOnlyList<ServiceInstance>> GetInstancesAsync(string service, CancellationToken cancellationToken = default) =>
        ToInstances(service, await GroupMember.GetMembersAsync(zk, PathUtils.Child(basePath, service), cancellationToken).ConfigureAwait(false));

    /// <summary>The instances now and after every change.</summary>
    public async IAsyncEnumerable<IReadOnlyList<ServiceInstance>> WatchInstancesAsync(string service,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var members in GroupMember.WatchMembersAsync(zk, PathUtils.Child(basePath, service), cancellationToken).ConfigureAwait(false))
            yield return ToInstances(service, members);
    }

    private static List<ServiceInstance> ToInstances(string service, IReadOnlyDictionary<string, byte[]?> members) =>
        [.. members.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => new ServiceInstance(service, m.Key, m.Value))];
}
