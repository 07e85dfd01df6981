// Frames captured from zkCli.sh, cli_mt, kazoo and the Java API against Apache ZooKeeper 3.8.0 (see
// Golden/capture/capture.py): every one must decode and re-encode to the same bytes.
using System.Buffers;
using Zk.Protocol.Framing;
using Zk.Protocol.Jute;
using Zk.Protocol.Records;
using Zk.Protocol.Tests.Support;

namespace Zk.Protocol.Tests;

public sealed class GoldenFrameTests
{
    public static TheoryData<string> Files => new(GoldenFile.Names);

    [Theory]
    [MemberData(nameof(Files))]
    public void Golden_file_names_its_client_server_and_capture_command(string name)
    {
        var file = GoldenFile.Load(name);
        Assert.Contains("Client:", file.Header);
        Assert.Contains("Apache ZooKeeper 3.8.0", file.Header);
        Assert.Contains("capture.py", file.Header);
        Assert.NotEmpty(file.Connections);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_captured_frame_decodes_and_reencodes_byte_for_byte(string name)
    {
        var file = GoldenFile.Load(name);
        var checkedFrames = 0;
        foreach (var connection in file.Connections)
        {
            foreach (var a in GoldenAnnotation.Annotate(name, connection))
            {
                Bytes.Same(a.Frame.Bytes, Reencode(a), $"{a.Where} {a.Kind} {a.Op}:");
                checkedFrames++;
            }
        }
        Assert.True(checkedFrames > 40, $"{name} has only {checkedFrames} frames");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void The_frame_decoder_splits_each_direction_back_into_the_captured_frames(string name)
    {
        foreach (var connection in GoldenFile.Load(name).Connections)
        {
            foreach (var fromClient in new[] { true, false })
            {
                var frames = connection.Frames.Where(f => f.FromClient == fromClient).Select(f => f.Bytes).ToList();
                var stream = frames.SelectMany(b => b).ToArray();
                var buffer = new ReadOnlySequence<byte>(stream);
                var split = new List<byte[]>();
                while (FrameDecoder.TryReadFrame(ref buffer, FrameDecoder.DefaultMaxFrameBytes, out var payload))
                    split.Add(payload.ToArray());
                Assert.Equal(0, buffer.Length);
                Assert.Equal(frames.Count, split.Count);
                for (var i = 0; i < frames.Count; i++) Bytes.Same(frames[i][4..], split[i]);
            }
        }
    }

    [Fact]
    public void The_captures_cover_every_opcode_real_clients_send()
    {
        var seen = new HashSet<OpCode>();
        foreach (var name in GoldenFile.Names)
        {
            foreach (var c in GoldenFile.Load(name).Connections)
            {
                foreach (var a in GoldenAnnotation.Annotate(name, c))
                {
                    if (a.Kind == FrameKind.Request) seen.Add(a.Op);
                }
            }
        }
        OpCode[] expected =
        [
            OpCode.Create, OpCode.Delete, OpCode.Exists, OpCode.GetData, OpCode.SetData, OpCode.GetAcl, OpCode.SetAcl,
            OpCode.GetChildren, OpCode.Sync, OpCode.Ping, OpCode.GetChildren2, OpCode.Multi, OpCode.Create2,
            OpCode.Reconfig, OpCode.CheckWatches, OpCode.RemoveWatches, OpCode.CreateContainer, OpCode.CreateTtl,
            OpCode.MultiRead, OpCode.Auth, OpCode.SetWatches, OpCode.GetEphemerals, OpCode.GetAllChildrenNumber,
            OpCode.SetWatches2, OpCode.AddWatch, OpCode.WhoAmI, OpCode.CloseSession,
        ];
        Assert.Empty(expected.Except(seen));
    }

    [Fact]
    public void ZkCli_create_of_a_node_without_data_sends_a_null_buffer_and_the_open_acl()
    {
        var request = FirstRequest("zkcli.frames", OpCode.Create);
        var create = Assert.IsType<CreateRequest>(request);
        Assert.Equal("/zkcli", create.Path);
        Assert.Null(create.Data);
        Assert.Equal(0, create.Flags);
        Assert.Same(Acl.OpenAclUnsafe, create.Acl);
    }

    [Fact]
    public void ZkCli_create_with_a_ttl_sends_createTTL_with_the_ttl_last()
    {
        var create = Assert.IsType<CreateRequest>(FirstRequest("zkcli.frames", OpCode.CreateTtl));
        Assert.Equal("/zkcli/ttl", create.Path);
        Assert.Equal((int)CreateMode.PersistentWithTtl, create.Flags);
        Assert.Equal(60000, create.Ttl);
        Assert.Equal("ttldata"u8.ToArray(), create.Data);
    }

    [Fact]
    public void The_C_client_resends_watches_with_xid_minus_8_after_a_reconnect()
    {
        var frame = Requests("cli_mt.frames").First(a => a.Op == OpCode.SetWatches).Frame;
        Assert.Equal(Xids.SetWatches, Header(frame).Xid);
        var r = new JuteReader(frame.Bytes.AsSpan(12));
        var set = Assert.IsType<SetWatchesRequest>(RequestCodec.Decode(OpCode.SetWatches, ref r));
        Assert.Contains("/cmt/w", set.ExistWatches);
        Assert.True(set.RelativeZxid > 0);
    }

    [Fact]
    public void A_failed_kazoo_transaction_answers_every_op_with_an_error_result_and_header_err_0()
    {
        var (header, response) = ReplyTo("kazoo.frames", OpCode.Multi, occurrence: 1);
        Assert.Equal(KeeperErrorCode.Ok, header.Err);
        var multi = Assert.IsType<MultiResponse>(response);
        Assert.Equal([KeeperErrorCode.Ok, KeeperErrorCode.BadVersion, KeeperErrorCode.RuntimeInconsistency],
            multi.Results.Select(x => x.Err));
        Assert.All(multi.Results, x => Assert.Equal(OpCode.Error, x.Op));
        Assert.All(multi.Results, x => Assert.Equal(x.Err, Assert.IsType<ErrorResponse>(x.Body).Err));
    }

    [Fact]
    public void A_java_multi_answers_container_and_ttl_creates_with_create2_results()
    {
        var (_, response) = ReplyTo("java-api.frames", OpCode.Multi, occurrence: 0);
        var multi = Assert.IsType<MultiResponse>(response);
        Assert.Equal(
            [OpCode.Create, OpCode.Create, OpCode.Create2, OpCode.Create2, OpCode.SetData, OpCode.Check, OpCode.Delete],
            multi.Results.Select(x => x.Op));
        Assert.Equal("/jd/m1", Assert.IsType<CreateResponse>(multi.Results[0].Body).Path);
        Assert.StartsWith("/jd/m2", Assert.IsType<CreateResponse>(multi.Results[1].Body).Path);
        Assert.Equal(1, Assert.IsType<StatResponse>(multi.Results[4].Body).Stat.Version);
    }

    [Fact]
    public void A_java_multiRead_reports_a_missing_node_as_one_error_result()
    {
        var (_, response) = ReplyTo("java-api.frames", OpCode.MultiRead, occurrence: 0);
        var multi = Assert.IsType<MultiResponse>(response);
        Assert.Equal([OpCode.GetChildren, OpCode.GetData, OpCode.Error], multi.Results.Select(x => x.Op));
        Assert.Equal(KeeperErrorCode.NoNode, multi.Results[2].Err);
        Assert.Equal("m1b"u8.ToArray(), Assert.IsType<GetDataResponse>(multi.Results[1].Body).Data);
    }

    [Fact]
    public void Notifications_carry_zxid_minus_1_and_state_SyncConnected()
    {
        var count = 0;
        foreach (var frame in GoldenFile.AllFrames().Where(f => !f.FromClient && Xid(f) == Xids.Notification))
        {
            var r = new JuteReader(frame.Bytes.AsSpan(4));
            Assert.Equal(-1L, r.ReadReplyHeader().Zxid);
            var e = SessionCodec.DecodeWatcherEvent(ref r);
            Assert.Equal(KeeperState.SyncConnected, e.State);
            Assert.InRange((int)e.Type, 1, 4);
            Assert.StartsWith("/", e.Path);
            count++;
        }
        Assert.True(count >= 10, $"only {count} notifications captured");
    }

    [Fact]
    public void Every_captured_handshake_has_the_readOnly_byte_and_a_16_byte_password()
    {
        foreach (var name in GoldenFile.Names)
        {
            foreach (var c in GoldenFile.Load(name).Connections)
            {
                var request = c.Frames.First(f => f.FromClient);
                var response = c.Frames.First(f => !f.FromClient);
                Assert.Equal(4 + SessionCodec.ConnectRequestBytes, request.Bytes.Length);
                Assert.Equal(4 + SessionCodec.ConnectResponseBytes, response.Bytes.Length);
                var r = new JuteReader(response.Bytes.AsSpan(4));
                var connected = SessionCodec.DecodeConnectResponse(ref r);
                Assert.True(connected.HasReadOnly);
                Assert.Equal(16, connected.Password.Length);
                Assert.True(connected.TimeoutMs > 0);
            }
        }
    }

    internal static byte[] Reencode(AnnotatedFrame a)
    {
        var r = new JuteReader(a.Frame.Bytes.AsSpan(4));
        using var w = new JuteWriter();
        switch (a.Kind)
        {
            case FrameKind.ConnectRequest:
                SessionCodec.WriteConnectRequestFrame(w, SessionCodec.DecodeConnectRequest(ref r));
                break;
            case FrameKind.ConnectResponse:
                SessionCodec.WriteConnectResponseFrame(w, SessionCodec.DecodeConnectResponse(ref r));
                break;
            case FrameKind.Request:
                var requestHeader = r.ReadRequestHeader();
                var request = RequestCodec.Decode(requestHeader.Type, ref r);
                Assert.NotNull(request);
                Assert.IsNotType<BadMultiRequest>(request);
                RequestCodec.WriteFrame(w, requestHeader, request);
                break;
            case FrameKind.Notification:
                var notificationHeader = r.ReadReplyHeader();
                SessionCodec.WriteNotificationFrame(w, SessionCodec.DecodeWatcherEvent(ref r), notificationHeader.Zxid);
                break;
            case FrameKind.Reply:
                var replyHeader = r.ReadReplyHeader();
                var body = replyHeader.Err == KeeperErrorCode.Ok ? ResponseCodec.Decode(a.Op, ref r) : null;
                ResponseCodec.WriteFrame(w, replyHeader, a.Op, body);
                break;
        }
        Assert.True(r.End, $"{a.Where}: {r.Remaining} bytes left undecoded");
        return w.ToArray();
    }

    private static Request? FirstRequest(string name, OpCode op)
    {
        var frame = Requests(name).First(a => a.Op == op).Frame;
        var r = new JuteReader(frame.Bytes.AsSpan(12));
        return RequestCodec.Decode(op, ref r);
    }

    private static (ReplyHeader Header, Response Body) ReplyTo(string name, OpCode op, int occurrence)
    {
        var file = GoldenFile.Load(name);
        var reply = file.Connections.SelectMany(c => GoldenAnnotation.Annotate(name, c))
            .Where(a => a.Kind == FrameKind.Reply && a.Op == op).ElementAt(occurrence);
        var r = new JuteReader(reply.Frame.Bytes.AsSpan(4));
        var header = r.ReadReplyHeader();
        return (header, ResponseCodec.Decode(op, ref r));
    }

    private static IEnumerable<AnnotatedFrame> Requests(string name) =>
        GoldenFile.Load(name).Connections.SelectMany(c => GoldenAnnotation.Annotate(name, c))
            .Where(a => a.Kind == FrameKind.Request);

    private static RequestHeader Header(GoldenFrame f)
    {
        var r = new JuteReader(f.Bytes.AsSpan(4));
        return r.ReadRequestHeader();
    }

    private static int Xid(GoldenFrame f) => System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(f.Bytes.AsSpan(4));
}
