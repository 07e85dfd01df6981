// Messages between session actors and the data tree actor. A session sends its requests in client order;
// the data tree actor answers with SessionOutput batches whose items are in the order it produced them, which
// is what keeps a watch event ahead of every reply that could reveal its change.
using Zk.Actors.Kernel;
using Zk.Protocol;
using Zk.Protocol.Records;
using Zk.Core.Sessions;

namespace Zk.Actors.Sessions;

/// <summary>A handshake to accept. TimeoutMs is already negotiated; Password is checked for a resumed session.</summary>
public sealed record ConnectSession(ActorRef Session, ConnectRequest Request, int TimeoutMs, string RemoteAddress);

/// <summary>Requests of one session in client order: reads are answered in this order, writes go to the leader.</summary>
public sealed record SessionRequests(ActorRef Session, IReadOnlyList<SessionRequest> Batch);

/// <summary>The connection of this session actor ended: forget its watches; the session lives on until expiry.</summary>
public sealed record DetachSession(long SessionId, ActorRef Session);

