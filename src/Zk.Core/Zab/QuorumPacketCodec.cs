// The wire form of quorum packets and FLE notifications (zab.md §3–§4), jute-style and big-endian:
// frame = int length (of what follows), int type, body. Pure and stateless, thread-safe; bytes that do not
// decode exactly as written throw MalformedFrameException, which the transport turns into a closed link.
using System.Buffers.Binary;
using Zk.Core.DataTree;
using Zk.Core.DataTree.Auth;
using Zk.Core.Sessions;
using Zk.Protocol;
using Zk.Protocol.Jute;
using Zk.Protocol.Records;

namespace Zk.Core.Zab;

public static class QuorumPacketCodec
{
    /// <summary>The length prefix plus the type: what a reader needs to bound a frame before reading its body.</summary>
    public const int HeaderBytes = 8;

    /// <summary>Sent in FOLLOWERINFO and LEADERINFO as ZooKeeper's Zab 1.0 does; another value is refused.</summary>
    public const int ProtocolVersion = 0x10000;

    /// <summary>The type field of a notification frame (ZooKeeper's notification version 2).</summary>
    public const int NotificationType = 2;

    /// <summary>A notification frame's whole size: header plus sender, state, four longs.</summary>
    public const int NotificationFrameBytes = HeaderBytes + 8 + 4 + 8 * 4;

    // How the body of a forwarded request is written: by the client codec, or as a server-internal record.
    private enum RequestBodyKind
    {
        Client = 0,
        CreateSession = 1,
        DeleteContainer = 2,
        BadMulti = 3,
    }

    public static byte[] Encode(QuorumPacket packet)
    {
        using var w = new JuteWriter(256);
        WriteFrame(w, packet);
        return w.ToArray();
    }

    /// <summary>Appends one whole frame (length, type, body) to <paramref name="w"/>.</summary>
    public static void WriteFrame(JuteWriter w, QuorumPacket packet)
    {
        var mark = w.BeginFrame();
        w.WriteInt((int)packet.Type);
        WriteBody(w, packet);
        w.EndFrame(mark);
    }

    /// <summary>Reads the header of a frame: the length that follows the prefix and the packet type.</summary>
    public static (int Length, int Type) ReadHeader(ReadOnlySpan<byte> header) =>
        (BinaryPrimitives.ReadInt32BigEndian(header), BinaryPrimitives.ReadInt32BigEndian(header[4..]));

    /// <summary>Decodes one whole frame, length prefix included; it must be exactly one frame.</summary>
    public static QuorumPacket Decode(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < HeaderBytes) throw new MalformedFrameException($"quorum frame of {frame.Length} bytes is shorter than its header");
        var (length, type) = ReadHeader(frame);
        if (length != frame.Length - 4) throw new MalformedFrameException($"quorum frame says {length} bytes but {frame.Length - 4} follow its prefix");
        return DecodeBody(type, frame[HeaderBytes..]);
    }

    /// <summary>Decodes the body of a frame of <paramref name="type"/>; every byte must belong to the packet.</summary>
    public static QuorumPacket DecodeBody(int type, ReadOnlySpan<byte> body)
    {
        var r = new JuteReader(body);
        var packet = ReadBody(type, ref r);
        if (!r.End) throw new MalformedFrameException($"{r.Remaining} trailing bytes after a {(QuorumPacketType)type} packet");
        return packet;
    }

    public static bool IsKnownType(int type) => Enum.IsDefined((QuorumPacketType)type);

    private static void WriteBody(JuteWriter w, QuorumPacket packet)
    {
        switch (packet)
        {
            case FollowerInfo p:
                w.WriteLong(p.AcceptedEpoch);
                w.WriteLong(p.ServerId);
                w.WriteInt(ProtocolVersion);
                break;
            case NotLeader p:
                w.WriteLong(p.ServerId);
                break;
            case LeaderInfo p:
                w.WriteLong(p.Epoch);
                w.WriteInt(ProtocolVersion);
                break;
            case AckEpoch p:
                w.WriteLong(p.CurrentEpoch);
                w.WriteLong(p.LastLoggedZxid);
                break;
            case Diff p:
                w.WriteLong(p.LeaderLastZxid);
                break;
            case Trunc p:
                w.WriteLong(p.Zxid);
                break;
            case Snap p:
                w.WriteLong(p.Zxid);
                w.WriteBuffer(p.Snapshot.AsSpan());
                break;
            case NewLeader p:
                w.WriteLong(p.Epoch);
                break;
            case UpToDate:
                break;
            case ProposalPacket p:
                WriteTxns(w, p.Txns);
                break;
            case Inform p:
                WriteTxns(w, p.Txns);
                break;
            case Ack p:
                w.WriteLong(p.Zxid);
                break;
            case Commit p:
                w.WriteLong(p.Zxid);
                break;
            case Ping p:
                w.WriteInt(p.Touches.Count);
                foreach (var t in p.Touches)
                {
                    w.WriteLong(t.SessionId);
                    w.WriteInt(t.TimeoutMs);
                }
                break;
            case RequestPacket p:
                w.WriteInt(p.Requests.Count);
                foreach (var r in p.Requests) WriteRequest(w, r);
                break;
            case SyncPacket p:
                w.WriteLong(p.SessionId);
                w.WriteInt(p.Xid);
                w.WriteLong(p.Zxid);
                break;
            case Revalidate p:
                w.WriteLong(p.SessionId);
                w.WriteInt(p.TimeoutMs);
                break;
            case RevalidateReply p:
                w.WriteLong(p.SessionId);
                w.WriteBool(p.Valid);
                break;
            default:
                throw new ArgumentException($"no wire form for {packet.GetType().Name}", nameof(packet));
        }
    }

    private static QuorumPacket ReadBody(int type, ref JuteReader r)
    {
        switch ((QuorumPacketType)type)
        {
            case QuorumPacketType.FollowerInfo or QuorumPacketType.ObserverInfo:
                var acceptedEpoch = r.ReadLong();
                var serverId = ServerId(r.ReadLong());
                CheckProtocol(r.ReadInt());
                return new FollowerInfo(serverId, acceptedEpoch, type == (int)QuorumPacketType.ObserverInfo);
            case QuorumPacketType.NotLeader:
                return new NotLeader(ServerId(r.ReadLong()));
            case QuorumPacketType.LeaderInfo:
                var epoch = r.ReadLong();
                CheckProtocol(r.ReadInt());
                return new LeaderInfo(epoch);
            case QuorumPacketType.AckEpoch:
                return new AckEpoch(r.ReadLong(), r.ReadLong());
            case QuorumPacketType.Diff:
                return new Diff(r.ReadLong());
            case QuorumPacketType.Trunc:
                return new Trunc(r.ReadLong());
            case QuorumPacketType.Snap:
                var snapZxid = r.ReadLong();
                return new Snap(snapZxid, r.ReadBuffer() ?? throw new MalformedFrameException("SNAP without a snapshot"));
            case QuorumPacketType.NewLeader:
                return new NewLeader(r.ReadLong());
            case QuorumPacketType.UpToDate:
                return UpToDate.Instance;
            case QuorumPacketType.Proposal:
                return new ProposalPacket(ReadTxns(ref r));
            case QuorumPacketType.Inform:
                return new Inform(ReadTxns(ref r));
            case QuorumPacketType.Ack:
                return new Ack(r.ReadLong());
            case QuorumPacketType.Commit:
                return new Commit(r.ReadLong());
            case QuorumPacketType.Ping:
                return ReadPing(ref r);
            case QuorumPacketType.Request:
                var count = Count(ref r, minBytesEach: 8 + 4 + 4 + 4 + 4 + 1);
                var requests = new SessionRequest[count];
                for (var i = 0; i < count; i++) requests[i] = ReadRequest(ref r);
                return new RequestPacket(requests);
            case QuorumPacketType.Sync:
                return new SyncPacket(r.ReadLong(), r.ReadInt(), r.ReadLong());
            case QuorumPacketType.Revalidate:
                return new Revalidate(r.ReadLong(), r.ReadInt());
            case QuorumPacketType.RevalidateReply:
                return new RevalidateReply(r.ReadLong(), r.ReadBool());
            default:
                throw new MalformedFrameException($"unknown quorum packet type {type}");
        }
    }

    private static void WriteTxns(JuteWriter w, IReadOnlyList<LoggedTxn> txns)
    {
        w.WriteInt(txns.Count);
        foreach (var t in txns)
        {
            w.WriteLong(t.Zxid);
            w.WriteBuffer(t.Payload.Span);
        }
    }

    private static LoggedTxn[] ReadTxns(ref JuteReader r)
    {
        var count = Count(ref r, minBytesEach: 12);
        var txns = new LoggedTxn[count];
        for (var i = 0; i < count; i++)
        {
            var zxid = r.ReadLong();
            txns[i] = new LoggedTxn(zxid, r.ReadBuffer() ?? throw new MalformedFrameException($"txn 0x{zxid:x} without a payload"));
        }
        return txns;
    }

    private static Ping ReadPing(ref JuteReader r)
    {
        var count = Count(ref r, minBytesEach: 12);
        if (count == 0) return Ping.Empty;
        var touches = new SessionTouch[count];
        for (var i = 0; i < count; i++) touches[i] = new SessionTouch(r.ReadLong(), r.ReadInt());
        return new Ping(touches);
    }

    // sessionId, xid, op, the body (kind + bytes), then the auth ids and the super flag.
    private static void WriteRequest(JuteWriter w, SessionRequest r)
    {
        w.WriteLong(r.SessionId);
        w.WriteInt(r.Xid);
        w.WriteInt((int)r.Op);
        switch (r.Body)
        {
            case CreateSessionRequest cs:
                w.WriteInt((int)RequestBodyKind.CreateSession);
                w.WriteInt(cs.TimeoutMs);
                w.WriteBuffer(cs.Password);
                break;
            case DeleteContainerRequest dc:
                w.WriteInt((int)RequestBodyKind.DeleteContainer);
                w.WriteString(dc.Path);
                break;
            case BadMultiRequest bad:
                w.WriteInt((int)RequestBodyKind.BadMulti);
                w.WriteInt((int)bad.Op);
                w.WriteString(bad.Reason);
                break;
            default:
                w.WriteInt((int)RequestBodyKind.Client);
                // Length-prefixed, so the decoder reads the client codec's bytes in isolation.
                var mark = w.BeginFrame();
                RequestCodec.Encode(r.Op, r.Body, w);
                w.EndFrame(mark);
                break;
        }
        w.WriteInt(r.Auth.Ids.Count);
        foreach (var id in r.Auth.Ids) w.WriteId(id);
        w.WriteBool(r.Auth.IsSuper);
    }

    private static SessionRequest ReadRequest(ref JuteReader r)
    {
        var sessionId = r.ReadLong();
        var xid = r.ReadInt();
        var op = (OpCode)r.ReadInt();
        var kind = (RequestBodyKind)r.ReadInt();
        Request body = kind switch
        {
            RequestBodyKind.CreateSession => new CreateSessionRequest(r.ReadInt(), r.ReadBuffer() ?? []),
            RequestBodyKind.DeleteContainer => new DeleteContainerRequest(r.ReadString() ?? throw new MalformedFrameException("deleteContainer without a path")),
            RequestBodyKind.BadMulti => new BadMultiRequest((OpCode)r.ReadInt(), r.ReadString() ?? ""),
            RequestBodyKind.Client => ReadClientBody(op, ref r),
            _ => throw new MalformedFrameException($"unknown request body kind {(int)kind}"),
        };
        var idCount = Count(ref r, minBytesEach: 8);
        var ids = new Id[idCount];
        for (var i = 0; i < idCount; i++) ids[i] = r.ReadId();
        var isSuper = r.ReadBool();
        return new SessionRequest(sessionId, xid, op, body, new AuthContext(ids, isSuper));
    }

    private static Request ReadClientBody(OpCode op, ref JuteReader r)
    {
        var length = r.ReadInt();
        if (length < 0 || length > r.Remaining) throw new MalformedFrameException($"request body of {length} bytes with {r.Remaining} left");
        var inner = new JuteReader(r.ReadRaw(length));
        var body = RequestCodec.Decode(op, ref inner) ?? throw new MalformedFrameException($"op {(int)op} has no request body a server forwards");
        if (!inner.End) throw new MalformedFrameException($"{inner.Remaining} trailing bytes after a forwarded {op} body");
        return body;
    }

    private static int Count(ref JuteReader r, int minBytesEach)
    {
        var n = r.ReadInt();
        if (n < 0 || (long)n * minBytesEach > r.Remaining) throw new MalformedFrameException($"list of {n} items does not fit the {r.Remaining} bytes left");
        return n;
    }

    private static int ServerId(long id) =>
        id is >= 0 and <= int.MaxValue ? (int)id : throw new MalformedFrameException($"server id {id} out of range");

    private static void CheckProtocol(int version)
    {
        if (version != ProtocolVersion) throw new MalformedFrameException($"quorum protocol 0x{version:x}, expected 0x{ProtocolVersion:x}");
    }

    // ---- FLE notifications ----

    public static byte[] EncodeNotification(Notification n)
    {
        using var w = new JuteWriter(NotificationFrameBytes);
        WriteNotification(w, n);
        return w.ToArray();
    }

    /// <summary>Appends one notification frame: length, type 2, sender, state, leader, zxid, round, peerEpoch.</summary>
    public static void WriteNotification(JuteWriter w, Notification n)
    {
        var mark = w.BeginFrame();
        w.WriteInt(NotificationType);
        w.WriteLong(n.Sender);
        w.WriteInt((int)n.State);
        w.WriteLong(n.Leader);
        w.WriteLong(n.Zxid);
        w.WriteLong(n.ElectionEpoch);
        w.WriteLong(n.PeerEpoch);
        w.EndFrame(mark);
    }

    /// <summary>Decodes one whole notification frame, length prefix included.</summary>
    public static Notification DecodeNotification(ReadOnlySpan<byte> frame)
    {
        if (frame.Length != NotificationFrameBytes) throw new MalformedFrameException($"notification frame of {frame.Length} bytes, expected {NotificationFrameBytes}");
        var (length, type) = ReadHeader(frame);
        if (length != frame.Length - 4) throw new MalformedFrameException($"notification frame says {length} bytes but {frame.Length - 4} follow its prefix");
        if (type != NotificationType) throw new MalformedFrameException($"notification of version {type}, expected {NotificationType}");
        var r = new JuteReader(frame[HeaderBytes..]);
        var sender = ServerId(r.ReadLong());
        var state = r.ReadInt();
        if (!Enum.IsDefined((PeerState)state)) throw new MalformedFrameException($"unknown peer state {state}");
        return new Notification(sender, (PeerState)state, r.ReadLong(), r.ReadLong(), r.ReadLong(), r.ReadLong());
    }
}
