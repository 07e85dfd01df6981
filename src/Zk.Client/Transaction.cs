// Multi (transaction) and multiRead ops and their typed results, plus the fluent Transaction builder. Ops and
// results are immutable; a Transaction builder belongs to one caller and is not thread-safe.
using Zk.Protocol;
using Zk.Protocol.Records;

namespace Zk.Client;

/// <summary>One operation of a multi (create, delete, setData, check) or a multiRead (getData, getChildren).</summary>
public abstract record Op(string Path)
{
    public static Op Create(string path, byte[]? data, CreateMode mode = CreateMode.Persistent,
        IReadOnlyList<Acl>? acl = null, long ttlMs = 0) => new CreateOp(path, data, mode, acl ?? Acl.OpenAclUnsafe, ttlMs);

    public static Op Delete(string path, int version = -1) => new DeleteOp(path, version);

    public static Op SetData(string path, byte[]? data, int version = -1) => new SetDataOp(path, data, version);

    public static Op Check(string path, int version) => new CheckOp(path, version);

    public static Op GetData(string path) => new GetDataOp(path);

    public static Op GetChildren(string path) => new GetChildrenOp(path);

    internal abstract bool IsRead { get; }

    internal abstract MultiOp ToWire(ConnectionString cs);

    /// <summary>The client-side checks ZooKeeper's Java client runs before sending (path rules, TTL range).</summary>
    internal virtual void Validate() => Validation.Path(Path);
}

public sealed record CreateOp(string Path, byte[]? Data, CreateMode Mode, IReadOnlyList<Acl> Acl, long TtlMs) : Op(Path)
{
    internal override bool IsRead => false;

    internal override void Validate()
    {
        Validation.Path(Path, Mode.IsSequential());
        Validation.Ttl(Mode, TtlMs);
        Validation.AclList(Acl);
    }

    // Every create asks for the Stat back (create2 and its container/TTL siblings), so results carry it.
    internal override MultiOp ToWire(ConnectionString cs) =>
        new(Validation.CreateOpCode(Mode), new CreateRequest(cs.ToServerPath(Path), Data, Acl, (int)Mode, TtlMs));
}

public sealed record DeleteOp(string Path, int Version) : Op(Path)
{
    internal override bool IsRead => false;

    internal override MultiOp ToWire(ConnectionString cs) => new(OpCode.Delete, new DeleteRequest(cs.ToServerPath(Path), Version));
}

public sealed record SetDataOp(string Path, byte[]? Data, int Version) : Op(Path)
{
    internal override bool IsRead => false;

    internal override MultiOp ToWire(ConnectionString cs) =>
        new(OpCode.SetData, new SetDataRequest(cs.ToServerPath(Path), Data, Version));
}

public sealed record CheckOp(string Path, int Version) : Op(Path)
{
    internal override bool IsRead => false;

    internal override MultiOp ToWire(ConnectionString cs) =>
        new(OpCode.Check, new CheckVersionRequest(cs.ToServerPath(Path), Version));
}

public sealed record GetDataOp(string Path) : Op(Path)
{
    internal override bool IsRead => true;

    internal override MultiOp ToWire(ConnectionString cs) => new(OpCode.GetData, new GetDataRequest(cs.ToServerPath(Path), false));
}

public sealed record GetChildrenOp(string Path) : Op(Path)
{
    internal override bool IsRead => true;

    internal override MultiOp ToWire(ConnectionString cs) =>
        new(OpCode.GetChildren, new GetChildrenRequest(cs.ToServerPath(Path), false));
}

/// <summary>The outcome of one op; a failed multi carries only ErrorResults.</summary>
public abstract record OpResult;

/// <summary>
/// Stat is the new node's when the server answers with create2 (every create is sent as one); Apache 3.8 answers a
/// plain create (no Stat) for create2 inside a multi, and create2 for container and TTL creates.
/// </summary>
public sealed record CreateOpResult(string Path, Stat? Stat) : OpResult;

public sealed record DeleteOpResult : OpResult;

public sealed record SetDataOpResult(Stat Stat) : OpResult;

public sealed record CheckOpResult : OpResult;

public sealed record GetDataOpResult(byte[]? Data, Stat Stat) : OpResult;

public sealed record GetChildrenOpResult(IReadOnlyList<string> Children) : OpResult;

/// <summary>
/// In a failed multi, ops before the failing one report Ok (rolled back), the failing op its code, and later
/// ops RuntimeInconsistency. In a multiRead an ErrorResult stands for that op alone.
/// </summary>
public sealed record ErrorOpResult(KeeperErrorCode Code) : OpResult;

/// <summary>
/// Collects ops and commits them as one multi: all apply under one zxid or none does. A failure throws the
/// KeeperException subclass of the first failing op, with Results and FailedOpIndex filled in.
/// </summary>
public sealed class Transaction
{
    private readonly ZooKeeperClient _client;
    private readonly List<Op> _ops = [];

    internal Transaction(ZooKeeperClient client) => _client = client;

    public IReadOnlyList<Op> Ops => _ops;

    public Transaction Create(string path, byte[]? data, CreateMode mode = CreateMode.Persistent,
        IReadOnlyList<Acl>? acl = null, long ttlMs = 0) => Add(Op.Create(path, data, mode, acl, ttlMs));

    public Transaction Delete(string path, int version = -1) => Add(Op.Delete(path, version));

    public Transaction SetData(string path, byte[]? data, int version = -1) => Add(Op.SetData(path, data, version));

    public Transaction Check(string path, int version) => Add(Op.Check(path, version));

    public Transaction Add(Op op)
    {
        if (op.IsRead) throw new ArgumentException("Reads belong in MultiReadAsync, not in a transaction", nameof(op));
        _ops.Add(op);
        return this;
    }

    public Task<IReadOnlyList<OpResult>> CommitAsync(CancellationToken cancellationToken = default) =>
        _client.MultiAsync(_ops, cancellationToken);
}

internal static class Validation
{
    public const long MaxTtlMs = (1L << 40) - 1;

    /// <summary>Java's client throws IllegalArgumentException before sending; so do we, with the same text.</summary>
    public static void Path(string path, bool isSequential = false)
    {
        var error = PathUtils.Validate(path, isSequential);
        // The message alone, as Java's IllegalArgumentException carries it (shells print it verbatim).
        if (error is not null) throw new ArgumentException(error);
    }

    /// <summary>ZooKeeper's client refuses a null or empty ACL list before sending (InvalidACL without a path).</summary>
    public static void AclList(IReadOnlyList<Acl>? acl)
    {
        if (acl is null || acl.Count == 0 || acl.Any(a => a is null)) throw new InvalidAclException();
    }

    public static void Ttl(CreateMode mode, long ttlMs)
    {
        if (mode.IsTtl())
        {
            if (ttlMs is <= 0 or > MaxTtlMs)
                throw new ArgumentException($"ttl must be positive and cannot be larger than: {MaxTtlMs}");
        }
        else if (ttlMs != 0)
        {
            throw new ArgumentException($"ttl not valid for mode: {mode}");
        }
    }

    public static OpCode CreateOpCode(CreateMode mode) =>
        mode.IsContainer() ? OpCode.CreateContainer : mode.IsTtl() ? OpCode.CreateTtl : OpCode.Create2;
}
