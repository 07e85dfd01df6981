// Request bodies: round trips of every shape, exact bytes for a few, multi validation (§11), unknown opcodes
// and bad bodies.
using Zk.Protocol.Jute;
using Zk.Protocol.Records;
using Zk.Protocol.Tests.Support;

namespace Zk.Protocol.Tests;

public sealed class RequestCodecTests
{
    public static TheoryData<OpCode> Ops => new(Samples.RequestOps);

    [Theory]
    [MemberData(nameof(Ops))]
    public void Every_request_shape_round_trips(OpCode op)
    {
        var rng = new Random(1000 + (int)op);
        for (var i = 0; i < 200; i++)
        {
            var request = Samples.RandomRequest(op, rng);
            var bytes = Bytes.Write(w => RequestCodec.Encode(op, request, w));
            var r = new JuteReader(bytes);
            var decoded = RequestCodec.Decode(op, ref r);
            Assert.True(r.End, $"{op}: {r.Remaining} bytes left");
            Deep.Equal(request, decoded, $"{op}#{i}");
            Bytes.Same(bytes, Bytes.Write(w => RequestCodec.Encode(op, decoded!, w)), $"{op}#{i}");
        }
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void Every_strict_prefix_of_a_request_body_is_malformed(OpCode op)
    {
        var request = Samples.RandomRequest(op, new Random(7 + (int)op));
        var bytes = Bytes.Write(w => RequestCodec.Encode(op, request, w));
        for (var n = 0; n < bytes.Length; n++)
        {
            var prefix = bytes[..n];
            Assert.Throws<MalformedFrameException>(() =>
            {
                var r = new JuteReader(prefix);
                RequestCodec.Decode(op, ref r);
            });
        }
    }

    [Fact]
    public void Create_is_path_data_acl_flags_and_createTTL_adds_the_ttl()
    {
        var create = new CreateRequest("/a", [0x78], Acl.OpenAclUnsafe, (int)CreateMode.PersistentWithTtl, 5000);
        const string common = "00000002 2F61 00000001 78 00000001 0000001F 00000005 776F726C64 00000006 616E796F6E65 00000005";
        Bytes.Same(Bytes.Hex(common), Bytes.Write(w => RequestCodec.Encode(OpCode.Create, create, w)));
        Bytes.Same(Bytes.Hex(common + " 0000000000001388"), Bytes.Write(w => RequestCodec.Encode(OpCode.CreateTtl, create, w)));
    }

    [Fact]
    public void SetWatches2_carries_five_lists_and_setWatches_three()
    {
        var set = new SetWatchesRequest(9, ["/d"], [], ["/c"], ["/p"], []);
        Bytes.Same(
            Bytes.Hex("0000000000000009 00000001 00000002 2F64 00000000 00000001 00000002 2F63 00000001 00000002 2F70 00000000"),
            Bytes.Write(w => RequestCodec.Encode(OpCode.SetWatches2, set, w)));
        Assert.Throws<ArgumentException>(() => Bytes.Write(w => RequestCodec.Encode(OpCode.SetWatches, set, w)));
    }

    [Fact]
    public void A_request_frame_is_length_header_body()
    {
        var bytes = Bytes.Write(w => RequestCodec.WriteFrame(w, new RequestHeader(3, OpCode.Exists), new ExistsRequest("/a", true)));
        Bytes.Same(Bytes.Hex("0000000F 00000003 00000003 00000002 2F61 01"), bytes);
        var ping = Bytes.Write(w => RequestCodec.WriteFrame(w, new RequestHeader(Xids.Ping, OpCode.Ping), EmptyRequest.Instance));
        Bytes.Same(Bytes.Hex("00000008 FFFFFFFE 0000000B"), ping);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(20)]
    [InlineData(23)]
    [InlineData(99)]
    [InlineData(108)]
    [InlineData(-1)]
    [InlineData(-10)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void Opcodes_that_are_not_client_requests_decode_to_null(int op)
    {
        var r = new JuteReader(Bytes.Hex("00000002 2F61 00"));
        Assert.Null(RequestCodec.Decode((OpCode)op, ref r));
    }

    [Fact]
    public void A_stand_alone_check_decodes_so_the_server_can_answer_unimplemented()
    {
        var r = new JuteReader(Bytes.Hex("00000002 2F61 00000003"));
        Assert.Equal(new CheckVersionRequest("/a", 3), RequestCodec.Decode(OpCode.Check, ref r));
    }

    [Fact]
    public void Multi_ops_are_each_preceded_by_a_multi_header_and_end_with_the_terminator()
    {
        var multi = new MultiRequest([new MultiOp(OpCode.Delete, new DeleteRequest("/a", -1)), new MultiOp(OpCode.Check, new CheckVersionRequest("/b", 2))]);
        var bytes = Bytes.Write(w => RequestCodec.Encode(OpCode.Multi, multi, w));
        Bytes.Same(Bytes.Hex(
            "00000002 00 FFFFFFFF 00000002 2F61 FFFFFFFF " +
            "0000000D 00 FFFFFFFF 00000002 2F62 00000002 " +
            "FFFFFFFF 01 FFFFFFFF"), bytes);
    }

    [Fact]
    public void An_empty_multi_is_just_the_terminator()
    {
        var r = new JuteReader(Bytes.Hex("FFFFFFFF 01 FFFFFFFF"));
        var multi = Assert.IsType<MultiRequest>(RequestCodec.Decode(OpCode.Multi, ref r));
        Assert.Empty(multi.Ops);
    }

    [Fact]
    public void The_op_list_ends_at_the_first_done_header_whatever_its_type()
    {
        var r = new JuteReader(Bytes.Hex("00000002 01 00000000"));
        Assert.Empty(Assert.IsType<MultiRequest>(RequestCodec.Decode(OpCode.Multi, ref r)).Ops);
    }

    [Fact]
    public void A_multi_without_its_terminator_is_malformed()
    {
        Assert.Throws<MalformedFrameException>(() =>
        {
            var r = new JuteReader(Bytes.Hex("00000002 00 FFFFFFFF 00000002 2F61 FFFFFFFF"));
            RequestCodec.Decode(OpCode.Multi, ref r);
        });
    }

    [Theory]
    [InlineData(OpCode.Multi, OpCode.GetData)]
    [InlineData(OpCode.Multi, OpCode.GetChildren)]
    [InlineData(OpCode.Multi, OpCode.Exists)]
    [InlineData(OpCode.Multi, OpCode.Multi)]
    [InlineData(OpCode.Multi, OpCode.Error)]
    [InlineData(OpCode.Multi, (OpCode)99)]
    [InlineData(OpCode.MultiRead, OpCode.Create)]
    [InlineData(OpCode.MultiRead, OpCode.Delete)]
    [InlineData(OpCode.MultiRead, OpCode.Check)]
    [InlineData(OpCode.MultiRead, OpCode.GetChildren2)]
    public void A_multi_with_a_disallowed_op_is_a_bad_multi(OpCode container, OpCode inner)
    {
        // The inner body is a plausible path + bool + int; the codec must refuse before reading it.
        var bytes = Bytes.Write(w =>
        {
            w.WriteMultiHeader(new MultiHeader((int)inner, false, -1));
            w.WriteString("/a");
            w.WriteBool(false);
            w.WriteMultiHeader(MultiHeader.Terminator);
        });
        var r = new JuteReader(bytes);
        var bad = Assert.IsType<BadMultiRequest>(RequestCodec.Decode(container, ref r));
        Assert.Equal(container, bad.Op);
        Assert.Contains(((int)inner).ToString(System.Globalization.CultureInfo.InvariantCulture), bad.Reason);
    }

    [Fact]
    public void Reads_after_writes_in_one_multi_are_a_bad_multi_even_late_in_the_list()
    {
        var bytes = Bytes.Write(w =>
        {
            w.WriteMultiHeader(new MultiHeader((int)OpCode.Delete, false, -1));
            RequestCodec.Encode(OpCode.Delete, new DeleteRequest("/x", -1), w);
            w.WriteMultiHeader(new MultiHeader((int)OpCode.GetData, false, -1));
            RequestCodec.Encode(OpCode.GetData, new GetDataRequest("/x", false), w);
            w.WriteMultiHeader(MultiHeader.Terminator);
        });
        var r = new JuteReader(bytes);
        Assert.IsType<BadMultiRequest>(RequestCodec.Decode(OpCode.Multi, ref r));
    }

    [Theory]
    [InlineData(OpCode.Create, 7, true)]
    [InlineData(OpCode.Create2, -1, true)]
    [InlineData(OpCode.CreateContainer, 42, true)]
    [InlineData(OpCode.Create, 6, false)]
    [InlineData(OpCode.CreateTtl, 9, false)]
    public void Create_flags_outside_0_to_6_make_a_bad_multi_except_for_createTTL(OpCode inner, int flags, bool bad)
    {
        var op = new MultiOp(inner, new CreateRequest("/a", null, Acl.OpenAclUnsafe, flags, 100));
        var bytes = Bytes.Write(w => RequestCodec.Encode(OpCode.Multi, new MultiRequest([op]), w));
        var r = new JuteReader(bytes);
        var decoded = RequestCodec.Decode(OpCode.Multi, ref r);
        if (bad) Assert.IsType<BadMultiRequest>(decoded);
        else Deep.Equal(new MultiRequest([op with { Body = ((CreateRequest)op.Body) with { Ttl = inner == OpCode.CreateTtl ? 100 : 0 } }]), decoded);
    }

    [Fact]
    public void MultiRead_ops_keep_their_watch_flag_on_the_wire()
    {
        var multi = new MultiRequest([new MultiOp(OpCode.GetData, new GetDataRequest("/a", true)), new MultiOp(OpCode.GetChildren, new GetChildrenRequest("/", false))]);
        var bytes = Bytes.Write(w => RequestCodec.Encode(OpCode.MultiRead, multi, w));
        var r = new JuteReader(bytes);
        Deep.Equal(multi, RequestCodec.Decode(OpCode.MultiRead, ref r));
    }

    [Fact]
    public void Encoding_the_wrong_record_for_an_opcode_is_an_argument_error()
    {
        Assert.Throws<ArgumentException>(() => Bytes.Write(w => RequestCodec.Encode(OpCode.GetData, new SyncRequest("/"), w)));
        Assert.Throws<ArgumentException>(() => Bytes.Write(w => RequestCodec.Encode(OpCode.Ping, new SyncRequest("/"), w)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Bytes.Write(w => RequestCodec.Encode(OpCode.Notification, EmptyRequest.Instance, w)));
        var readInMulti = new MultiRequest([new MultiOp(OpCode.GetData, new GetDataRequest("/", false))]);
        Assert.Throws<ArgumentException>(() => Bytes.Write(w => RequestCodec.Encode(OpCode.Multi, readInMulti, w)));
    }

    [Fact]
    public void A_negative_string_length_other_than_minus_1_is_malformed()
    {
        Assert.Throws<MalformedFrameException>(() =>
        {
            var r = new JuteReader(Bytes.Hex("FFFFFFFE 00"));
            RequestCodec.Decode(OpCode.GetData, ref r);
        });
    }

    [Fact]
    public void A_null_path_reads_as_empty_so_path_validation_rejects_it()
    {
        var r = new JuteReader(Bytes.Hex("FFFFFFFF 00000000"));
        Assert.Equal(new DeleteRequest("", 0), RequestCodec.Decode(OpCode.Delete, ref r));
    }

    [Fact]
    public void Auth_keeps_a_null_scheme_and_credential_as_null()
    {
        var r = new JuteReader(Bytes.Hex("00000000 FFFFFFFF FFFFFFFF"));
        Deep.Equal(new AuthPacket(0, null, null), RequestCodec.Decode(OpCode.Auth, ref r));
    }
}
