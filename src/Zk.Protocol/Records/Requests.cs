// The decoded bodies of client requests, one record per request shape of zookeeper.jute. Immutable; the
// server passes them between actors and into the journal-bound preparer. Codecs live in RequestCodec.
namespace Zk.Protocol.Records;

public abstract record Request;

/// <summary>Body of create (1), create2 (15), createContainer (19) and createTTL (21; Ttl is only on the wire for 21).</summary>
public sealed record CreateRequest(string Path, byte[]? Data, IReadOnlyList<Acl> Acl, int Flags, long Ttl = 0) : Request;

public sealed record DeleteRequest(string Path, int Version) : Request;

public sealed record ExistsRequest(string Path, bool Watch) : Request;

public sealed record GetDataRequest(string Path, bool Watch) : Request;

public sealed record SetDataRequest(string Path, byte[]? Data, int Version) : Request;

public sealed record GetAclRequest(string Path) : Request;

public sealed record SetAclRequest(string Path, IReadOnlyList<Acl> Acl, int Version) : Request;

/// <summary>Body of getChildren (8) and getChildren2 (12).</summary>
public sealed record GetChildrenRequest(string Path, bool Watch) : Request;

public sealed record SyncRequest(string Path) : Request;

/// <summary>check (13); valid only inside multi.</summary>
public sealed record CheckVersionRequest(string Path, int Version) : Request;

public sealed record MultiOp(OpCode Op, Request Body);

/// <summary>Body of multi (14) and multiRead (22).</summary>
public sealed record MultiRequest(IReadOnlyList<MultiOp> Ops) : Request;

public sealed record ReconfigRequest(string? JoiningServers, string? LeavingServers, string? NewMembers, long CurConfigId) : Request;

/// <summary>Body of checkWatches (17) and removeWatches (18); Type is a <see cref="WatcherType"/>.</summary>
public sealed record WatchesRequest(string Path, int Type) : Request;

public sealed record AuthPacket(int Type, string? Scheme, byte[]? Auth) : Request;

/// <summary>Body of setWatches (101) and setWatches2 (105); the persistent lists are empty for 101.</summary>
public sealed record SetWatchesRequest(
    long RelativeZxid,
    IReadOnlyList<string> DataWatches,
    IReadOnlyList<string> ExistWatches,
    IReadOnlyList<string> ChildWatches,
    IReadOnlyList<string> PersistentWatches,
    IReadOnlyList<string> PersistentRecursiveWatches) : Request;

public sealed record SaslRequest(byte[]? Token) : Request;

public sealed record GetEphemeralsRequest(string? PrefixPath) : Request;

public sealed record GetAllChildrenNumberRequest(string Path) : Request;

public sealed record AddWatchRequest(string Path, int Mode) : Request;

/// <summary>The body of ops that carry none: ping, whoAmI, closeSession.</summary>
public sealed record EmptyRequest : Request
{
    public static readonly EmptyRequest Instance = new();
}

/// <summary>
/// What <see cref="RequestCodec"/> returns for a multi (14) or multiRead (22) whose bytes are well formed but
/// whose ops are not allowed together (§11: a read in a multi, a write in a multiRead, an unknown op type, bad
/// create flags). The server answers it header-only with MarshallingError (-5) and keeps the connection.
/// </summary>
public sealed record BadMultiRequest(OpCode Op, string Reason) : Request;
