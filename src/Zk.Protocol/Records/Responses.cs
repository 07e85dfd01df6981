// The bodies of successful replies, one record per response shape of zookeeper.jute. Immutable.
// A reply with err != 0 carries no body, so there are no error bodies here except inside multi results.
namespace Zk.Protocol.Records;

public abstract record Response;

public sealed record CreateResponse(string Path) : Response;

/// <summary>Reply to create2, createContainer and createTTL.</summary>
public sealed record Create2Response(string Path, Stat Stat) : Response;

public sealed record StatResponse(Stat Stat) : Response;

public sealed record GetDataResponse(byte[]? Data, Stat Stat) : Response;

public sealed record GetAclResponse(IReadOnlyList<Acl> Acl, Stat Stat) : Response;

public sealed record GetChildrenResponse(IReadOnlyList<string> Children) : Response;

public sealed record GetChildren2Response(IReadOnlyList<string> Children, Stat Stat) : Response;

public sealed record SyncResponse(string Path) : Response;

public sealed record GetEphemeralsResponse(IReadOnlyList<string> Ephemerals) : Response;

public sealed record GetAllChildrenNumberResponse(int TotalNumber) : Response;

public sealed record ClientInfo(string? AuthScheme, string? User);

public sealed record WhoAmIResponse(IReadOnlyList<ClientInfo> ClientInfo) : Response;

public sealed record SaslResponse(byte[]? Token) : Response;

/// <summary>The 4-byte ErrorResponse{int err}; also the body of a successful addWatch (err 0).</summary>
public sealed record ErrorResponse(KeeperErrorCode Err) : Response
{
    /// <summary>The addWatch success body and the "ops before the failing one" multi result; shared.</summary>
    public static readonly ErrorResponse Ok = new(KeeperErrorCode.Ok);
}

/// <summary>One result of a multi or multiRead. Op is the result type on the wire (1, 15, 2, 5, 13, 4, 8, or -1 for errors).</summary>
public sealed record MultiResult(OpCode Op, KeeperErrorCode Err, Response? Body);

public sealed record MultiResponse(IReadOnlyList<MultiResult> Results) : Response;

/// <summary>The (absent) body of a successful reply to delete, check, ping, auth, setWatches and the like.</summary>
public sealed record EmptyResponse : Response
{
    public static readonly EmptyResponse Instance = new();
}
