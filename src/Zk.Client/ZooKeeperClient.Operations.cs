// One async method per ZooKeeper operation. Each validates its path as ZooKeeper's Java client does (an
// ArgumentException before anything is sent), maps the path across the chroot, queues one packet and maps the
// reply back. Errors come back as the KeeperException subclass of the server's code.
using Zk.Client.Internal;
using Zk.Protocol;
using Zk.Protocol.Records;

namespace Zk.Client;

public sealed partial class ZooKeeperClient
{
    /// <summary>Creates a node and returns its path (with the sequence suffix). TTL modes need CreateWithStatAsync.</summary>
    public async Task<string> CreateAsync(string path, byte[]? data, CreateMode mode = CreateMode.Persistent,
        IReadOnlyList<Acl>? acl = null, CancellationToken cancellationToken = default)
    {
        Validation.Path(path, mode.IsSequential());
        if (mode.IsTtl()) throw new ArgumentException("A TTL node needs a ttl: use CreateWithStatAsync", nameof(mode));
        Validation.AclList(acl ?? Acl.OpenAclUnsafe);
        var op = mode.IsContainer() ? OpCode.CreateContainer : OpCode.Create;
        var body = new CreateRequest(ServerPath(path), data, acl ?? Acl.OpenAclUnsafe, (int)mode);
        var reply = await SubmitAsync(op, body, path, cancellationToken).ConfigureAwait(false);
        return ClientPath(reply is Create2Response c2 ? c2.Path : ((CreateResponse)reply).Path);
    }

    /// <summary>Creates any kind of node (create2, createContainer or createTTL) and returns its path and Stat.</summary>
    public async Task<CreateResult> CreateWithStatAsync(string path, byte[]? data, CreateMode mode = CreateMode.Persistent,
        IReadOnlyList<Acl>? acl = null, long ttlMs = 0, CancellationToken cancellationToken = default)
    {
        Validation.Path(path, mode.IsSequential());
        Validation.Ttl(mode, ttlMs);
        Validation.AclList(acl ?? Acl.OpenAclUnsafe);
        var body = new CreateRequest(ServerPath(path), data, acl ?? Acl.OpenAclUnsafe, (int)mode, ttlMs);
        var reply = (Create2Response)await SubmitAsync(Validation.CreateOpCode(mode), body, path, cancellationToken).ConfigureAwait(false);
        return new CreateResult(ClientPath(reply.Path), reply.Stat);
    }

    /// <summary>Deletes a node; version -1 matches any version.</summary>
    public Task DeleteAsync(string path, int version = -1, CancellationToken cancellationToken = default)
    {
        Validation.Path(path);
        // As in ZooKeeper, "/" is never mapped into the chroot: the root cannot be deleted either way.
        var serverPath = path == "/" ? "/" : ServerPath(path);
        return SubmitAsync(OpCode.Delete, new DeleteRequest(serverPath, version), path, cancellationToken);
    }

    /// <summary>The node's Stat, or null when it does not exist. watch: the default watcher hears of its creation, change or deletion.</summary>
    public Task<Stat?> ExistsAsync(string path, bool watch = false, CancellationToken cancellationToken = default) =>
        ExistsCoreAsync(path, watch ? _core.DefaultWatcher : null, cancellationToken);

    public Task<Stat?> ExistsAsync(string path, Action<WatchedEvent> watcher, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        return ExistsCoreAsync(path, watcher, cancellationToken);
    }

    public Task<DataResult> GetDataAsync(string path, bool watch = false, CancellationToken cancellationToken = default) =>
        GetDataCoreAsync(path, watch ? _core.DefaultWatcher : null, cancellationToken);

    public Task<DataResult> GetDataAsync(string path, Action<WatchedEvent> watcher, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        return GetDataCoreAsync(path, watcher, cancellationToken);
    }

    /// <summary>Replaces the data; version -1 matches any version. Returns the new Stat.</summary>
    public async Task<Stat> SetDataAsync(string path, byte[]? data, int version = -1, CancellationToken cancellationToken = default)
    {
        Validation.Path(path);
        var reply = await SubmitAsync(OpCode.SetData, new SetDataRequest(ServerPath(path), data, version), path, cancellationToken)
            .ConfigureAwait(false);
        return ((StatResponse)reply).Stat;
    }

    /// <summary>Child names in the server's order (unsorted).</summary>
    public async Task<IReadOnlyList<string>> GetChildrenAsync(string path, bool watch = false, CancellationToken cancellationToken = default) =>
        (await GetChildrenCoreAsync(path, watch ? _core.DefaultWatcher : null, withStat: false, cancellationToken).ConfigureAwait(false)).Children;

    public async Task<IReadOnlyList<string>> GetChildrenAsync(string path, Action<WatchedEvent> watcher, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        return (await GetChildrenCoreAsync(path, watcher, withStat: false, cancellationToken).ConfigureAwait(false)).Children;
    }

    /// <summary>getChildren2: the names plus the parent's own Stat.</summary>
    public Task<ChildrenResult> GetChildrenWithStatAsync(string path, bool watch = false, CancellationToken cancellationToken = default) =>
        GetChildrenCoreAsync(path, watch ? _core.DefaultWatcher : null, withStat: true, cancellationToken);

    public Task<ChildrenResult> GetChildrenWithStatAsync(string path, Action<WatchedEvent> watcher, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        return GetChildrenCoreAsync(path, watcher, withStat: true, cancellationToken);
    }

    public async Task<AclResult> GetAclAsync(string path, CancellationToken cancellationToken = default)
    {
        Validation.Path(path);
        var reply = (GetAclResponse)await SubmitAsync(OpCode.GetAcl, new GetAclRequest(ServerPath(path)), path, cancellationToken)
            .ConfigureAwait(false);
        return new AclResult(reply.Acl, reply.Stat);
    }

    /// <summary>Replaces the ACL; version is compared with the aversion (-1 matches any).</summary>
    public async Task<Stat> SetAclAsync(string path, IReadOnlyList<Acl> acl, int version = -1, CancellationToken cancellationToken = default)
    {
        Validation.Path(path);
        Validation.AclList(acl);
        var reply = await SubmitAsync(OpCode.SetAcl, new SetAclRequest(ServerPath(path), acl, version), path, cancellationToken)
            .ConfigureAwait(false);
        return ((StatResponse)reply).Stat;
    }

    /// <summary>Makes this client's server catch up with the leader for the path; returns the path.</summary>
    public async Task<string> SyncAsync(string path, CancellationToken cancellationToken = default)
    {
        Validation.Path(path);
        var reply = (SyncResponse)await SubmitAsync(OpCode.Sync, new SyncRequest(ServerPath(path)), path, cancellationToken)
            .ConfigureAwait(false);
        return ClientPath(reply.Path);
    }

    /// <summary>The ephemeral nodes of this session whose path starts with the prefix (a plain string prefix).</summary>
    public async Task<IReadOnlyList<string>> GetEphemeralsAsync(string prefixPath = "/", CancellationToken cancellationToken = default)
    {
        Validation.Path(prefixPath);
        var reply = (GetEphemeralsResponse)await SubmitAsync(OpCode.GetEphemerals,
            new GetEphemeralsRequest(ServerPath(prefixPath)), prefixPath, cancellationToken).ConfigureAwait(false);
        return [.. reply.Ephemerals.Select(ClientPath)];
    }

    /// <summary>The number of descendants of the node (not counting the node itself).</summary>
    public async Task<int> GetAllChildrenNumberAsync(string path, CancellationToken cancellationToken = default)
    {
        Validation.Path(path);
        var reply = (GetAllChildrenNumberResponse)await SubmitAsync(OpCode.GetAllChildrenNumber,
            new GetAllChildrenNumberRequest(ServerPath(path)), path, cancellationToken).ConfigureAwait(false);
        return reply.TotalNumber;
    }

    /// <summary>The identities the server holds for this connection (the automatic ip one included).</summary>
    public async Task<IReadOnlyList<AuthIdentity>> WhoAmIAsync(CancellationToken cancellationToken = default)
    {
        var reply = (WhoAmIResponse)await SubmitAsync(OpCode.WhoAmI, EmptyRequest.Instance, null, cancellationToken).ConfigureAwait(false);
        return [.. reply.ClientInfo.Select(c => new AuthIdentity(c.AuthScheme ?? "", c.User ?? ""))];
    }

    /// <summary>Adds a credential (e.g. "digest", "user:password"); it is re-sent on every reconnect.</summary>
    public Task AddAuthAsync(string scheme, byte[]? auth, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        return _core.AddAuthAsync(scheme, auth, _requestTimeout, cancellationToken);
    }

    public Task AddAuthAsync(string scheme, string auth, CancellationToken cancellationToken = default) =>
        AddAuthAsync(scheme, System.Text.Encoding.UTF8.GetBytes(auth), cancellationToken);

    /// <summary>Starts a transaction; nothing is sent until CommitAsync.</summary>
    public Transaction Transaction() => new(this);

    /// <summary>Runs the ops atomically. On failure throws the first failing op's KeeperException with Results set.</summary>
    public async Task<IReadOnlyList<OpResult>> MultiAsync(IEnumerable<Op> ops, CancellationToken cancellationToken = default)
    {
        var list = ops.ToList();
        foreach (var op in list)
        {
            if (op.IsRead) throw new ArgumentException($"{op.GetType().Name} is a read; use MultiReadAsync", nameof(ops));
            op.Validate();
        }
        if (list.Count == 0) return [];
        var reply = (MultiResponse)await SubmitAsync(OpCode.Multi, ToMultiRequest(list), null, cancellationToken).ConfigureAwait(false);
        var results = ToOpResults(reply);
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i] is ErrorOpResult { Code: not KeeperErrorCode.Ok } failed)
                throw KeeperException.Create(failed.Code, i < list.Count ? list[i].Path : null).WithMultiResults(results, i);
        }
        return results;
    }

    /// <summary>Runs getData/getChildren ops in one round trip; each fails alone, as an ErrorOpResult.</summary>
    public async Task<IReadOnlyList<OpResult>> MultiReadAsync(IEnumerable<Op> ops, CancellationToken cancellationToken = default)
    {
        var list = ops.ToList();
        foreach (var op in list)
        {
            if (!op.IsRead) throw new ArgumentException($"{op.GetType().Name} is a write; use MultiAsync", nameof(ops));
            op.Validate();
        }
        if (list.Count == 0) return [];
        var reply = (MultiResponse)await SubmitAsync(OpCode.MultiRead, ToMultiRequest(list), null, cancellationToken).ConfigureAwait(false);
        return ToOpResults(reply);
    }

    private async Task<Stat?> ExistsCoreAsync(string path, Action<WatchedEvent>? watcher, CancellationToken ct)
    {
        Validation.Path(path);
        var watch = watcher is null ? null : new WatchRegistration(WatchKind.Exists, path, watcher);
        var reply = await SubmitAsync(OpCode.Exists, new ExistsRequest(ServerPath(path), watch is not null), path, ct, watch)
            .ConfigureAwait(false);
        return reply is StatResponse s ? s.Stat : null;
    }

    private async Task<DataResult> GetDataCoreAsync(string path, Action<WatchedEvent>? watcher, CancellationToken ct)
    {
        Validation.Path(path);
        var watch = watcher is null ? null : new WatchRegistration(WatchKind.Data, path, watcher);
        var reply = (GetDataResponse)await SubmitAsync(OpCode.GetData, new GetDataRequest(ServerPath(path), watch is not null), path, ct, watch)
            .ConfigureAwait(false);
        return new DataResult(reply.Data, reply.Stat);
    }

    private async Task<ChildrenResult> GetChildrenCoreAsync(string path, Action<WatchedEvent>? watcher, bool withStat, CancellationToken ct)
    {
        Validation.Path(path);
        var watch = watcher is null ? null : new WatchRegistration(WatchKind.Child, path, watcher);
        var body = new GetChildrenRequest(ServerPath(path), watch is not null);
        var reply = await SubmitAsync(withStat ? OpCode.GetChildren2 : OpCode.GetChildren, body, path, ct, watch).ConfigureAwait(false);
        return reply is GetChildren2Response c2
            ? new ChildrenResult(c2.Children, c2.Stat)
            : new ChildrenResult(((GetChildrenResponse)reply).Children, default);
    }

    private MultiRequest ToMultiRequest(List<Op> ops) => new([.. ops.Select(o => o.ToWire(_core.Connection))]);

    private List<OpResult> ToOpResults(MultiResponse reply) => [.. reply.Results.Select(r => (OpResult)(r.Op switch
    {
        OpCode.Create => new CreateOpResult(ClientPath(((CreateResponse)r.Body!).Path), null),
        OpCode.Create2 => new CreateOpResult(ClientPath(((Create2Response)r.Body!).Path), ((Create2Response)r.Body!).Stat),
        OpCode.Delete => new DeleteOpResult(),
        OpCode.Check => new CheckOpResult(),
        OpCode.SetData => new SetDataOpResult(((StatResponse)r.Body!).Stat),
        OpCode.GetData => new GetDataOpResult(((GetDataResponse)r.Body!).Data, ((GetDataResponse)r.Body!).Stat),
        OpCode.GetChildren => new GetChildrenOpResult(((GetChildrenResponse)r.Body!).Children),
        _ => new ErrorOpResult((r.Body as ErrorResponse)?.Err ?? r.Err),
    }))];

    internal Task<Response> SubmitAsync(OpCode op, Request body, string? clientPath, CancellationToken ct,
        WatchRegistration? watch = null, WatchRemoval? removal = null) =>
        _core.SubmitAsync(new Packet(op, body, clientPath, watch, removal), _requestTimeout, ct);

    private string ServerPath(string clientPath) => _core.Connection.ToServerPath(clientPath);

    private string ClientPath(string serverPath) => _core.Connection.ToClientPath(serverPath);
}
