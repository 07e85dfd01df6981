// Log lines of the quorum transport, each carrying this server's id as every consensus line does.
using System.Net;
using Microsoft.Extensions.Logging;

namespace Zk.Host.Quorum;

internal static partial class QuorumLog
{
    [LoggerMessage(EventId = 6401, Level = LogLevel.Information, Message = "[myid:{ServerId}] quorum port {Quorum}, election port {Election}")]
    public static partial void Listening(ILogger log, int serverId, IPEndPoint quorum, IPEndPoint election);

    [LoggerMessage(EventId = 6402, Level = LogLevel.Debug, Message = "[myid:{ServerId}] link {LinkId} to server {Peer} ({Remote}) closed: {Reason}")]
    public static partial void LinkClosed(ILogger log, int serverId, long linkId, int peer, string remote, string reason);

    [LoggerMessage(EventId = 6403, Level = LogLevel.Warning, Message = "[myid:{ServerId}] broken quorum frame from {Remote}: {Detail}")]
    public static partial void BrokenFrame(ILogger log, int serverId, string remote, string detail);

    [LoggerMessage(EventId = 6404, Level = LogLevel.Error, Message = "[myid:{ServerId}] cannot send to {Remote}: {Detail}")]
    public static partial void FrameTooLarge(ILogger log, int serverId, string remote, string detail);

    [LoggerMessage(EventId = 6405, Level = LogLevel.Error, Message = "[myid:{ServerId}] link {LinkId} failed unexpectedly")]
    public static partial void LinkFault(ILogger log, Exception e, int serverId, long linkId);

    [LoggerMessage(EventId = 6406, Level = LogLevel.Information, Message = "[myid:{ServerId}] election peer {Peer} is {State}")]
    public static partial void PeerState(ILogger log, int serverId, int peer, string state);

    [LoggerMessage(EventId = 6407, Level = LogLevel.Warning, Message = "[myid:{ServerId}] election connection from {Remote} refused: {Reason}")]
    public static partial void HelloRefused(ILogger log, int serverId, string remote, string reason);

    [LoggerMessage(EventId = 6408, Level = LogLevel.Warning, Message = "[myid:{ServerId}] accept on {Port} port failed: {Detail}")]
    public static partial void AcceptFailed(ILogger log, int serverId, string port, string detail);

    [LoggerMessage(EventId = 6409, Level = LogLevel.Information, Message = "[myid:{ServerId}] election connection with server {Peer} closed: {Reason}")]
    public static partial void ElectionClosed(ILogger log, int serverId, int peer, string reason);

    [LoggerMessage(EventId = 6410, Level = LogLevel.Information, Message = "[myid:{ServerId}] link from {Remote} arrived before the server was bound; closed")]
    public static partial void UnboundLink(ILogger log, int serverId, string remote);
}
