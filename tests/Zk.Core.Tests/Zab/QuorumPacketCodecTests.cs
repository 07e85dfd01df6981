// The quorum wire at the byte level: every packet type and the FLE notification survive encode/decode, the
// packet type numbers are frozen, and broken frames fail with MalformedFrameException and nothing else.
using Zk.Protocol;
using Zk.Protocol.Jute;
using Zk.Protocol.Records;
using Zk.Core.DataTree;
using Zk.Core.DataTree.Auth;
using Zk.Core.Sessions;
using Zk.Core.Zab;

namespace Zk.Core.Tests.Zab;

public sealed class QuorumPacketCodecTests
{
    private static readonly AuthContext DigestUser = AuthContext.From([new Id("ip", "127.0.0.1"), new Id("digest", "bob:Xyz=")]);

    private static readonly IReadOnlyList<Acl> CreatorAll = [new Acl(Perms.All, new Id("auth", ""))];

    /// <summary>One sample of every packet type, with the fields that are easy to lose set to unusual values.</summary>
    public static IEnumerable<QuorumPacket> Samples()
    {
        yield return new FollowerInfo(3, 0x7fff_fffeL, IsObserver: false);
        yield return new FollowerInfo(255, 0, IsObserver: true);
        yield return new NotLeader(2);
        yield return new LeaderInfo(7);
        yield return new AckEpoch(-1, 0x5_0000_0010L);
        yield return new AckEpoch(4, 0);
        yield return new Diff(0x3_0000_0001L);
        yield return new Trunc(0x2_ffff_ffffL);
        yield return new Snap(0x9_0000_0002L, [1, 2, 3, 0, 255]);
        yield return new Snap(0, []);
        yield return new NewLeader(9);
        yield return UpToDate.Instance;
        yield return new ProposalPacket([new LoggedTxn(0x1_0000_0001L, new byte[] { 9, 8, 7 }), new LoggedTxn(0x1_0000_0002L, Array.Empty<byte>())]);
        yield return new ProposalPacket([]);
        yield return new Ack(0x4_0000_0000L);
        yield return new Commit(long.MaxValue);
        yield return new Inform([new LoggedTxn(0x2_0000_0005L, new byte[] { 42 })]);
        yield return Ping.Empty;
        yield return new Ping([new SessionTouch(0x0100_0000_0000_0001L, 4000), new SessionTouch(-5, 0)]);
        yield return new RequestPacket(SampleRequests());
        yield return new SyncPacket(0x0200_0000_0000_0007L, 12, 0x1_0000_0009L);
        yield return new Revalidate(0x0300_0000_0000_0001L, 30_000);
        yield return new RevalidateReply(0x0300_0000_0000_0001L, Valid: true);
        yield return new RevalidateReply(1, Valid: false);
    }

    /// <summary>Every body a learner may forward: client writes, sync, close, and the server-internal records.</summary>
    private static SessionRequest[] SampleRequests() =>
    [
        new(1, 1, OpCode.Create, new CreateRequest("/a", [1, 2], CreatorAll, 3), DigestUser),
        new(1, 2, OpCode.Create2, new CreateRequest("/b", null, Acl.OpenAclUnsafe, 0), AuthContext.Anonymous),
        new(1, 3, OpCode.CreateTtl, new CreateRequest("/ttl", [], Acl.OpenAclUnsafe, 5, 60_000), AuthContext.Anonymous),
        new(1, 4, OpCode.CreateContainer, new CreateRequest("/c", [0], Acl.OpenAclUnsafe, 4), AuthContext.Anonymous),
        new(1, 5, OpCode.Delete, new DeleteRequest("/a", -1), DigestUser),
        new(1, 6, OpCode.SetData, new SetDataRequest("/a", [0, 0, 1], 7), DigestUser),
        new(1, 7, OpCode.SetAcl, new SetAclRequest("/a", CreatorAll, 2), new AuthContext([new Id("super", "x")], true)),
        new(1, 8, OpCode.Sync, new SyncRequest("/"), AuthContext.Anonymous),
        new(1, 9, OpCode.Multi, new MultiRequest(
        [
            new MultiOp(OpCode.Check, new CheckVersionRequest("/a", 1)),
            new MultiOp(OpCode.Create, new CreateRequest("/m", [5], Acl.OpenAclUnsafe, 2)),
            new MultiOp(OpCode.SetData, new SetDataRequest("/m", null, -1)),
            new MultiOp(OpCode.Delete, new DeleteRequest("/m", 0)),
        ]), DigestUser),
        new(1, 10, OpCode.Multi, new BadMultiRequest(OpCode.Multi, "op type 4 is not allowed in Multi"), AuthContext.Anonymous),
        new(1, 11, OpCode.Reconfig, new ReconfigRequest(null, "3", null, -1), AuthContext.Anonymous),
        new(1, 0, OpCode.CloseSession, EmptyRequest.Instance, AuthContext.Anonymous),
        new(0x0100_0000_0000_0002L, 0, OpCode.CreateSession, new CreateSessionRequest(6000, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]), AuthContext.Anonymous),
        new(0, 0, OpCode.DeleteContainer, new DeleteContainerRequest("/c"), AuthContext.Anonymous),
    ];

    public static TheoryData<int> SampleIndexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Samples().Count(); i++) data.Add(i);
        return data;
    }

    [Fact]
    public void QuorumPacketType_numbers_are_frozen()
    {
        var expected = new Dictionary<string, int>
        {
            ["Request"] = 1, ["Proposal"] = 2, ["Ack"] = 3, ["Commit"] = 4, ["Ping"] = 5, ["Revalidate"] = 6, ["Sync"] = 7,
            ["Inform"] = 8, ["NewLeader"] = 10, ["FollowerInfo"] = 11, ["UpToDate"] = 12, ["Diff"] = 13, ["Trunc"] = 14,
            ["Snap"] = 15, ["ObserverInfo"] = 16, ["LeaderInfo"] = 17, ["AckEpoch"] = 18, ["RevalidateReply"] = 19,
            ["NotLeader"] = 20,
        };
        var actual = Enum.GetValues<QuorumPacketType>().ToDictionary(v => v.ToString(), v => (int)v);
        Assert.Equal(expected.OrderBy(kv => kv.Key), actual.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void PeerState_numbers_are_frozen()
    {
        Assert.Equal([0, 1, 2, 3], Enum.GetValues<PeerState>().Select(s => (int)s));
        Assert.Equal(["Looking", "Following", "Leading", "Observing"], Enum.GetNames<PeerState>());
    }

    [Fact]
    public void Samples_cover_every_packet_type() =>
        Assert.Equal(Enum.GetValues<QuorumPacketType>().Order(), Samples().Select(p => p.Type).Distinct().Order());

    [Theory]
    [MemberData(nameof(SampleIndexes))]
    public void Every_packet_survives_a_round_trip(int index)
    {
        var packet = Samples().ElementAt(index);
        var frame = QuorumPacketCodec.Encode(packet);

        var decoded = QuorumPacketCodec.Decode(frame);

        Assert.Equal(packet.GetType(), decoded.GetType());
        Assert.Equal(packet.Type, decoded.Type);
        Assert.Equal(frame, QuorumPacketCodec.Encode(decoded));
        Assert.Equal(Describe(packet), Describe(decoded));
    }

    [Fact]
    public void Frame_is_length_then_type_then_body()
    {
        var frame = QuorumPacketCodec.Encode(new Ack(0x0102_0304_0506_0708L));

        Assert.Equal(new byte[] { 0, 0, 0, 12, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8 }, frame);
        Assert.Equal((12, 3), QuorumPacketCodec.ReadHeader(frame));
    }

    [Fact]
    public void Several_frames_written_back_to_back_decode_one_by_one()
    {
        using var w = new JuteWriter();
        var packets = Samples().ToArray();
        foreach (var p in packets) QuorumPacketCodec.WriteFrame(w, p);
        var bytes = w.ToArray();

        var offset = 0;
        foreach (var p in packets)
        {
            var (length, _) = QuorumPacketCodec.ReadHeader(bytes.AsSpan(offset));
            var decoded = QuorumPacketCodec.Decode(bytes.AsSpan(offset, 4 + length));
            Assert.Equal(Describe(p), Describe(decoded));
            offset += 4 + length;
        }
        Assert.Equal(bytes.Length, offset);
    }

    [Fact]
    public void Forwarded_requests_keep_their_bodies_and_auth()
    {
        var decoded = (RequestPacket)QuorumPacketCodec.Decode(QuorumPacketCodec.Encode(new RequestPacket(SampleRequests())));

        var create = decoded.Requests[0];
        Assert.Equal((1L, 1, OpCode.Create), (create.SessionId, create.Xid, create.Op));
        var body = Assert.IsType<CreateRequest>(create.Body);
        Assert.Equal(("/a", 3), (body.Path, body.Flags));
        Assert.Equal(new byte[] { 1, 2 }, body.Data);
        Assert.Equal(CreatorAll, body.Acl);
        Assert.Equal(DigestUser.Ids, create.Auth.Ids);
        Assert.False(create.Auth.IsSuper);
        Assert.True(decoded.Requests[6].Auth.IsSuper);
        Assert.Equal(60_000, Assert.IsType<CreateRequest>(decoded.Requests[2].Body).Ttl);
        Assert.Equal(4, Assert.IsType<MultiRequest>(decoded.Requests[8].Body).Ops.Count);
        Assert.IsType<BadMultiRequest>(decoded.Requests[9].Body);
        Assert.Same(EmptyRequest.Instance, decoded.Requests[11].Body);
        var session = Assert.IsType<CreateSessionRequest>(decoded.Requests[12].Body);
        Assert.Equal(6000, session.TimeoutMs);
        Assert.Equal(16, session.Password.Length);
        Assert.Equal("/c", Assert.IsType<DeleteContainerRequest>(decoded.Requests[13].Body).Path);
    }

    [Fact]
    public void Notification_survives_a_round_trip()
    {
        var n = new Notification(5, PeerState.Following, 3, 0x7_0000_0123L, 42, 7);
        var frame = QuorumPacketCodec.EncodeNotification(n);

        Assert.Equal(QuorumPacketCodec.NotificationFrameBytes, frame.Length);
        Assert.Equal(n, QuorumPacketCodec.DecodeNotification(frame));
        var nonVoter = new Notification(9, PeerState.Looking, long.MinValue, long.MinValue, 1, long.MinValue);
        Assert.Equal(nonVoter, QuorumPacketCodec.DecodeNotification(QuorumPacketCodec.EncodeNotification(nonVoter)));
    }

    [Theory]
    [MemberData(nameof(SampleIndexes))]
    public void Every_truncation_of_a_frame_is_malformed(int index)
    {
        var frame = QuorumPacketCodec.Encode(Samples().ElementAt(index));
        for (var n = 0; n < frame.Length; n++)
        {
            var cut = frame[..n];
            Assert.Throws<MalformedFrameException>(() => QuorumPacketCodec.Decode(cut));
            // The same bytes with a consistent length prefix: the body itself ends too early.
            if (n >= QuorumPacketCodec.HeaderBytes)
            {
                var relabeled = (byte[])cut.Clone();
                System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(relabeled, n - 4);
                Assert.Throws<MalformedFrameException>(() => QuorumPacketCodec.Decode(relabeled));
            }
        }
    }

    [Fact]
    public void Unknown_type_trailing_bytes_and_bad_protocol_are_malformed()
    {
        Assert.Throws<MalformedFrameException>(() => QuorumPacketCodec.Decode(new byte[] { 0, 0, 0, 4, 0, 0, 0, 9 }));
        Assert.Throws<MalformedFrameException>(() => QuorumPacketCodec.Decode(new byte[] { 0, 0, 0, 4, 0, 0, 0, 99 }));
        Assert.Throws<MalformedFrameException>(() => QuorumPacketCodec.Decode(new byte[] { 0, 0, 0, 5, 0, 0, 0, 12, 0 }));
        var leaderInfo = QuorumPacketCodec.Encode(new LeaderInfo(1));
        leaderInfo[^3] ^= 1;
        Assert.Throws<MalformedFrameException>(() => QuorumPacketCodec.Decode(leaderInfo));
        var huge = QuorumPacketCodec.Encode(new ProposalPacket([]));
        huge[^1] = 0x7f;
        Assert.Throws<MalformedFrameException>(() => QuorumPacketCodec.Decode(huge));
        var badState = QuorumPacketCodec.EncodeNotification(new Notification(1, PeerState.Looking, 1, 1, 1, 1));
        badState[19] = 9;
        Assert.Throws<MalformedFrameException>(() => QuorumPacketCodec.DecodeNotification(badState));
    }

    [Fact]
    public void Random_corruption_decodes_or_throws_MalformedFrameException_only()
    {
        var random = new Random(20261122);
        var frames = Samples().Select(QuorumPacketCodec.Encode).ToArray();
        for (var i = 0; i < 20_000; i++)
        {
            var frame = (byte[])frames[random.Next(frames.Length)].Clone();
            var flips = 1 + random.Next(4);
            for (var f = 0; f < flips; f++) frame[4 + random.Next(frame.Length - 4)] = (byte)random.Next(256);
            try
            {
                QuorumPacketCodec.Decode(frame);
            }
            catch (MalformedFrameException)
            {
            }
        }
    }

    /// <summary>A structural rendering: records compare byte arrays by reference, so compare their contents as text.</summary>
    private static string Describe(QuorumPacket p) => p switch
    {
        Snap s => $"Snap {s.Zxid} {Convert.ToHexString(s.Snapshot)}",
        ProposalPacket pp => "Proposal " + string.Join(",", pp.Txns.Select(t => $"{t.Zxid}:{Convert.ToHexString(t.Payload.Span)}")),
        Inform inf => "Inform " + string.Join(",", inf.Txns.Select(t => $"{t.Zxid}:{Convert.ToHexString(t.Payload.Span)}")),
        Ping ping => "Ping " + string.Join(",", ping.Touches),
        RequestPacket r => "Request " + string.Join(";", r.Requests.Select(q => $"{q.SessionId}/{q.Xid}/{q.Op}/{q.Body.GetType().Name}/{string.Join(",", q.Auth.Ids)}/{q.Auth.IsSuper}")),
        _ => p.ToString(),
    };
}
