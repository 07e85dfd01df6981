// Messages between a client connection's transport and its session actor. The transport decodes frames and
// sends them in batches (one message per read of the socket), in the order the client sent them.
using Zk.Protocol;
using Zk.Protocol.Records;

namespace Zk.Actors.Sessions;

/// <summary>One decoded request. Body is null for an opcode the server does not implement (the session answers
/// Unimplemented and closes); DecodeError is MarshallingError when the body did not decode.</summary>
public sealed record ClientRequest(int Xid, OpCode Op, Request? Body, long ReceivedMs, KeeperErrorCode DecodeError = KeeperErrorCode.Ok);

public sealed record ClientRequests(IReadOnlyList<ClientRequest> Batch);

/// <summary>The transport saw the connection end (client closed, reset, or a broken frame).</summary>
public sealed record ConnectionClosed(string Reason);
