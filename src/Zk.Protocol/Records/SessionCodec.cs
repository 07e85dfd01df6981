// The handshake records (ConnectRequest/ConnectResponse, which travel without a header) and the watch
// notification (WatcherEvent). Stateless and thread-safe.
using Zk.Protocol.Jute;

namespace Zk.Protocol.Records;

public static class SessionCodec
{
    /// <summary>Payload bytes of a ConnectRequest with its 16-byte password and the readOnly byte.</summary>
    public const int ConnectRequestBytes = 45;

    /// <summary>Payload bytes of a ConnectResponse with its 16-byte password and the readOnly byte.</summary>
    public const int ConnectResponseBytes = 37;

    /// <summary>The notification header: xid -1, zxid -1 (3.8), err 0.</summary>
    public static readonly ReplyHeader NotificationHeader = new(Xids.Notification, -1, KeeperErrorCode.Ok);

    /// <summary>
    /// The readOnly byte is optional (clients up to 3.3 leave it out): when no byte follows the password,
    /// HasReadOnly is false. Anything after that byte is ignored, as ZooKeeper does.
    /// </summary>
    public static ConnectRequest DecodeConnectRequest(ref JuteReader r)
    {
        var protocolVersion = r.ReadInt();
        var lastZxidSeen = r.ReadLong();
        var timeoutMs = r.ReadInt();
        var sessionId = r.ReadLong();
        var password = r.ReadBuffer();
        var hasReadOnly = !r.End;
        var readOnly = hasReadOnly && r.ReadBool();
        return new ConnectRequest(protocolVersion, lastZxidSeen, timeoutMs, sessionId, password, readOnly, hasReadOnly);
    }

    /// <summary>Writes the payload only; the readOnly byte only when HasReadOnly.</summary>
    public static void EncodeConnectRequest(ConnectRequest c, JuteWriter w)
    {
        w.WriteInt(c.ProtocolVersion);
        w.WriteLong(c.LastZxidSeen);
        w.WriteInt(c.TimeoutMs);
        w.WriteLong(c.SessionId);
        w.WriteBuffer(c.Password);
        if (c.HasReadOnly) w.WriteBool(c.ReadOnly);
    }

    /// <summary>A null password (never sent by ZooKeeper) reads as empty, since the record needs one.</summary>
    public static ConnectResponse DecodeConnectResponse(ref JuteReader r)
    {
        var protocolVersion = r.ReadInt();
        var timeoutMs = r.ReadInt();
        var sessionId = r.ReadLong();
        var password = r.ReadBuffer() ?? [];
        var hasReadOnly = !r.End;
        var readOnly = hasReadOnly && r.ReadBool();
        return new ConnectResponse(protocolVersion, timeoutMs, sessionId, password, readOnly, hasReadOnly);
    }

    /// <summary>Writes the payload only; a response with HasReadOnly=false leaves the readOnly byte out (36 bytes).</summary>
    public static void EncodeConnectResponse(ConnectResponse c, JuteWriter w)
    {
        w.WriteInt(c.ProtocolVersion);
        w.WriteInt(c.TimeoutMs);
        w.WriteLong(c.SessionId);
        w.WriteBuffer(c.Password);
        if (c.HasReadOnly) w.WriteBool(c.ReadOnly);
    }

    public static void WriteConnectRequestFrame(JuteWriter w, ConnectRequest c)
    {
        var mark = w.BeginFrame();
        EncodeConnectRequest(c, w);
        w.EndFrame(mark);
    }

    public static void WriteConnectResponseFrame(JuteWriter w, ConnectResponse c)
    {
        var mark = w.BeginFrame();
        EncodeConnectResponse(c, w);
        w.EndFrame(mark);
    }

    public static WatcherEvent DecodeWatcherEvent(ref JuteReader r) =>
        new((EventType)r.ReadInt(), (KeeperState)r.ReadInt(), r.ReadStringOrEmpty());

    public static void EncodeWatcherEvent(WatcherEvent e, JuteWriter w)
    {
        w.WriteInt((int)e.Type);
        w.WriteInt((int)e.State);
        w.WriteString(e.Path);
    }

    /// <summary>
    /// Writes a whole notification frame: length, ReplyHeader(-1, zxid, 0), WatcherEvent. ZooKeeper 3.8 sends
    /// zxid -1 (the default); 3.9 sends the triggering txn's zxid, and clients of both ignore it.
    /// </summary>
    public static void WriteNotificationFrame(JuteWriter w, WatcherEvent e, long zxid = -1)
    {
        var mark = w.BeginFrame();
        w.WriteReplyHeader(new ReplyHeader(Xids.Notification, zxid, KeeperErrorCode.Ok));
        EncodeWatcherEvent(e, w);
        w.EndFrame(mark);
    }
}
