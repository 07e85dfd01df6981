// Messages between session actors and the data tree actor. A session sends its requests in client order;
// the data tree actor answers with SessionOutput batches whose items are in the order it produced them, which
// is what keeps a watch event ahead of every reply that could reveal its change.
using Zk.Actors.DataTree;
using Zk.Actors.DataTree.Auth;
using Zk.Actors.Kernel;
using Zk.Protocol;
using Zk.Protocol.Records;

namespace Zk.Actors.Sessions;

/// <summary>A handshake to accept. TimeoutMs is already negotiated; Password is checked for a resumed session.</summary>
public sealed record ConnectSession(ActorRef Session, ConnectRequest Request, int TimeoutMs, string RemoteAddress);

/// <summary>One request of a live session, with the identities it carries for ACL checks.</summary>
public sealed record SessionRequest(long SessionId, int Xid, OpCode Op, Request Body, AuthContext Auth);

/// <summary>Requests of one session in client order: reads are answered in this order, writes go to the leader.</summary>
public sealed record SessionRequests(ActorRef Session, IReadOnlyList<SessionRequest> Batch);

/// <summary>The connection of this session actor ended: forget its watches; the session lives on until expiry.</summary>
public sealed record DetachSession(long SessionId, ActorRef Session);

/// <summary>The session showed life (any frame); relayed to the leader, which owns expiry.</summary>
public sealed record TouchSession(long SessionId, int TimeoutMs);

public sealed record SessionAccepted(long SessionId, byte[] Password, int TimeoutMs, long Zxid);

/// <summary>ReplyInvalid: answer the ZooKeeper "invalid session" handshake before closing; else close silently.</summary>
public sealed record SessionRefused(bool ReplyInvalid, string Reason);

/// <summary>Answers, results and events for one session, in the order the data tree produced them.</summary>
public sealed record SessionOutput(IReadOnlyList<SessionOutputItem> Items);

public abstract record SessionOutputItem;

public sealed record ReadReply(int Xid, long Zxid, KeeperErrorCode Err, Response? Body) : SessionOutputItem;

/// <summary>A txn of this session was applied (Result) or failed before becoming a txn (Err, Result null).</summary>
/// <summary>Type is the txn's type; a CloseSession the client did not ask for means the session expired.</summary>
public sealed record WriteReply(int Xid, long Zxid, KeeperErrorCode Err, ApplyResult? Result, TxnType? Type) : SessionOutputItem;

public sealed record WatchNotification(WatcherEvent Event) : SessionOutputItem;

/// <summary>The session was closed by a txn this client did not ask for (expiry), or the server stopped serving.</summary>
public sealed record SessionEnded(string Reason) : SessionOutputItem;
