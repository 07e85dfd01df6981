// Handshake and header records. ReadOnly is a hand-appended byte in 3.8: HasReadOnly records whether the
// client sent it, because the server must leave it out of the reply when it was absent.
namespace Zk.Protocol.Records;

public sealed record ConnectRequest(
    int ProtocolVersion,
    long LastZxidSeen,
    int TimeoutMs,
    long SessionId,
    byte[]? Password,
    bool ReadOnly,
    bool HasReadOnly = true);

public sealed record ConnectResponse(
    int ProtocolVersion,
    int TimeoutMs,
    long SessionId,
    byte[] Password,
    bool ReadOnly,
    bool HasReadOnly = true)
{
    /// <summary>What the server answers to an unknown, expired or wrongly authenticated session.</summary>
    public static ConnectResponse Invalid(bool hasReadOnly) => new(0, 0, 0, new byte[16], false, hasReadOnly);
}

public readonly record struct RequestHeader(int Xid, OpCode Type)
{
    public const int WireSize = 8;
}

public readonly record struct ReplyHeader(int Xid, long Zxid, KeeperErrorCode Err)
{
    public const int WireSize = 16;
}

/// <summary>The body of a notification (xid -1). The server only sends state SyncConnected.</summary>
public sealed record WatcherEvent(EventType Type, KeeperState State, string Path);
