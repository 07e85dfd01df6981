// Byte-level tests of the handshake (ConnectRequest/ConnectResponse with the optional readOnly byte) and of
// watch notifications.
using Zk.Protocol.Jute;
using Zk.Protocol.Records;
using Zk.Protocol.Tests.Support;

namespace Zk.Protocol.Tests;

public sealed class SessionCodecTests
{
    private static readonly byte[] Password = Bytes.Hex("000102030405060708090A0B0C0D0E0F");

    private const string ConnectRequestHex =
        "00000000 0000000000000015 00007530 01941F297C000000 00000010 000102030405060708090A0B0C0D0E0F";

    private const string ConnectResponseHex =
        "00000000 00007530 01941F297C000000 00000010 000102030405060708090A0B0C0D0E0F";

    [Fact]
    public void ConnectRequest_is_a_45_byte_payload_ending_in_the_readOnly_byte()
    {
        var request = new ConnectRequest(0, 0x15, 30000, 0x01941F297C000000, Password, ReadOnly: true);
        var bytes = Bytes.Write(w => SessionCodec.EncodeConnectRequest(request, w));
        Assert.Equal(SessionCodec.ConnectRequestBytes, bytes.Length);
        Bytes.Same(Bytes.Hex(ConnectRequestHex + " 01"), bytes);

        var r = new JuteReader(bytes);
        Deep.Equal(request, SessionCodec.DecodeConnectRequest(ref r));
    }

    [Fact]
    public void ConnectRequest_without_the_readOnly_byte_decodes_with_HasReadOnly_false()
    {
        var r = new JuteReader(Bytes.Hex(ConnectRequestHex));
        var request = SessionCodec.DecodeConnectRequest(ref r);
        Assert.False(request.HasReadOnly);
        Assert.False(request.ReadOnly);
        Assert.Equal(30000, request.TimeoutMs);
        Assert.Equal(0x15, request.LastZxidSeen);
        Assert.Equal(0x01941F297C000000, request.SessionId);
        Assert.Equal(Password, request.Password);
        Bytes.Same(Bytes.Hex(ConnectRequestHex), Bytes.Write(w => SessionCodec.EncodeConnectRequest(request, w)));
    }

    [Fact]
    public void ConnectResponse_is_37_bytes_with_the_readOnly_byte_and_36_without()
    {
        var with = new ConnectResponse(0, 30000, 0x01941F297C000000, Password, ReadOnly: false);
        var withBytes = Bytes.Write(w => SessionCodec.EncodeConnectResponse(with, w));
        Assert.Equal(SessionCodec.ConnectResponseBytes, withBytes.Length);
        Bytes.Same(Bytes.Hex(ConnectResponseHex + " 00"), withBytes);

        var without = with with { HasReadOnly = false };
        var withoutBytes = Bytes.Write(w => SessionCodec.EncodeConnectResponse(without, w));
        Assert.Equal(36, withoutBytes.Length);
        Bytes.Same(Bytes.Hex(ConnectResponseHex), withoutBytes);

        var r = new JuteReader(withoutBytes);
        Deep.Equal(without, SessionCodec.DecodeConnectResponse(ref r));
        r = new JuteReader(withBytes);
        Deep.Equal(with, SessionCodec.DecodeConnectResponse(ref r));
    }

    [Fact]
    public void The_invalid_session_reply_is_all_zero_with_a_16_byte_zero_password()
    {
        var bytes = Bytes.Write(w => SessionCodec.WriteConnectResponseFrame(w, ConnectResponse.Invalid(hasReadOnly: true)));
        Bytes.Same(Bytes.Hex("00000025 00000000 00000000 0000000000000000 00000010 00000000000000000000000000000000 00"), bytes);
    }

    [Fact]
    public void A_truncated_handshake_is_malformed()
    {
        var full = Bytes.Hex(ConnectRequestHex);
        for (var n = 0; n < full.Length; n++)
        {
            var prefix = full[..n];
            Assert.Throws<MalformedFrameException>(() =>
            {
                var r = new JuteReader(prefix);
                SessionCodec.DecodeConnectRequest(ref r);
            });
        }
    }

    [Fact]
    public void A_notification_frame_is_reply_header_minus_1_minus_1_0_then_the_event()
    {
        var e = new WatcherEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, "/a");
        var bytes = Bytes.Write(w => SessionCodec.WriteNotificationFrame(w, e));
        Bytes.Same(Bytes.Hex("0000001E FFFFFFFF FFFFFFFFFFFFFFFF 00000000 00000003 00000003 00000002 2F61"), bytes);

        var r = new JuteReader(bytes.AsSpan(4));
        Assert.Equal(SessionCodec.NotificationHeader, r.ReadReplyHeader());
        Assert.Equal(e, SessionCodec.DecodeWatcherEvent(ref r));
        Assert.True(r.End);
    }

    [Theory]
    [InlineData(EventType.None, KeeperState.Disconnected, "")]
    [InlineData(EventType.None, KeeperState.Expired, "")]
    [InlineData(EventType.NodeChildrenChanged, KeeperState.SyncConnected, "/p/q")]
    [InlineData(EventType.NodeDeleted, KeeperState.ConnectedReadOnly, "/x")]
    public void A_watcher_event_is_type_state_path(EventType type, KeeperState state, string path)
    {
        var e = new WatcherEvent(type, state, path);
        var bytes = Bytes.Write(w => SessionCodec.EncodeWatcherEvent(e, w));
        var expected = Bytes.Write(w =>
        {
            w.WriteInt((int)type);
            w.WriteInt((int)state);
            w.WriteString(path);
        });
        Bytes.Same(expected, bytes);
        var r = new JuteReader(bytes);
        Assert.Equal(e, SessionCodec.DecodeWatcherEvent(ref r));
    }

    [Fact]
    public void A_notification_can_carry_the_txn_zxid_as_3_9_does()
    {
        var e = new WatcherEvent(EventType.NodeCreated, KeeperState.SyncConnected, "/b");
        var bytes = Bytes.Write(w => SessionCodec.WriteNotificationFrame(w, e, zxid: 0x100000007));
        var r = new JuteReader(bytes.AsSpan(4));
        Assert.Equal(new ReplyHeader(-1, 0x100000007, KeeperErrorCode.Ok), r.ReadReplyHeader());
    }
}
