// Source-generated log messages of the client, with stable event ids. Stateless.
using Microsoft.Extensions.Logging;

namespace Zk.Client.Internal;

internal static partial class ClientLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Session 0x{SessionId:x} established with {Server}, timeout {TimeoutMs} ms")]
    public static partial void SessionEstablished(ILogger logger, long sessionId, HostEndpoint server, int timeoutMs);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Connection to {Server} for session 0x{SessionId:x} lost: {Reason}")]
    public static partial void ConnectionLost(ILogger logger, HostEndpoint? server, long sessionId, string reason);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Session 0x{SessionId:x} expired (reported by {Server})")]
    public static partial void SessionExpired(ILogger logger, long sessionId, HostEndpoint server);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Authentication failed on {Server} for session 0x{SessionId:x}")]
    public static partial void AuthFailed(ILogger logger, HostEndpoint server, long sessionId);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Error, Message = "A watcher or state handler threw; the event loop carries on")]
    public static partial void CallbackFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Debug, Message = "Connecting to {Server} for session 0x{SessionId:x}")]
    public static partial void Connecting(ILogger logger, HostEndpoint server, long sessionId);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Information, Message = "Session 0x{SessionId:x} closed")]
    public static partial void SessionClosed(ILogger logger, long sessionId);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Warning, Message = "Recipe {Recipe} at {Path}: {What}")]
    public static partial void RecipeProblem(ILogger logger, string recipe, string path, string what, Exception? exception);
}
