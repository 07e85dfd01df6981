// Messages between a session and the data tree, free of any runtime: a session sends its requests in client order;
// the tree answers with SessionOutput batches whose items are in the order it produced them, which is what keeps a
// watch event ahead of every reply that could reveal its change. And the decoded requests a client connection
// hands its session.
using Zk.Core.DataTree;
using Zk.Core.DataTree.Auth;
using Zk.Protocol;
using Zk.Protocol.Records;

namespace Zk.Core.Sessions;

/// <summary>One request of a live session, with the identities it carries for ACL checks.</summary>
public sealed record SessionRequest(long SessionId, int Xid, OpCode Op, Request Body, AuthContext Auth);

/// <summary>The session showed life (any frame); relayed to the leader, which owns expiry.</summary>
public sealed record TouchSession(long SessionId, int TimeoutMs);

public sealed record SessionAccepted(long SessionId, byte[] Password, int TimeoutMs, long Zxid);

/// <summary>ReplyInvalid: answer the ZooKeeper "invalid session" handshake before closing; else close silently.</summary>
public sealed record SessionRefused(bool ReplyInvalid, string Reason);

/// <summary>Answers, results and events for one session, in the order the data tree produced them.</summary>
public sealed record SessionOutput(IReadOnlyList<SessionOutputItem> Items);

public abstract record SessionOutputItem;

public sealed record ReadReply(int Xid, long Zxid, KeeperErrorCode Err, Response? Body) : SessionOutputItem;

/// <summary>A txn of this session was applied (Result) or failed before becoming a txn (Err, Result null). Type is the
/// txn's type; a CloseSession the client did not ask for means the session expired.</summary>
public sealed record WriteReply(int Xid, long Zxid, KeeperErrorCode Err, ApplyResult? Result, TxnType? Type) : SessionOutputItem;

public sealed record WatchNotification(WatcherEvent Event) : SessionOutputItem;

/// <summary>The session was closed by a txn this client did not ask for (expiry), or the server stopped serving.</summary>
public sealed record SessionEnded(string Reason) : SessionOutputItem;

/// <summary>One decoded request. Body is null for an opcode the server does not implement (the session answers
/// Unimplemented and closes); DecodeError is MarshallingError when the body did not decode.</summary>
public sealed record ClientRequest(int Xid, OpCode Op, Request? Body, long ReceivedMs, KeeperErrorCode DecodeError = KeeperErrorCode.Ok);

public sealed record ClientRequests(IReadOnlyList<ClientRequest> Batch);

/// <summary>The transport saw the connection end (client closed, reset, or a broken frame).</summary>
public sealed record ConnectionClosed(string Reason);
