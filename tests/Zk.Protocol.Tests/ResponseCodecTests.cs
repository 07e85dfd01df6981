// Reply bodies: round trips of every shape, the multi response framing, addWatch's 4-byte body, header-only
// error replies.
using Zk.Protocol.Jute;
using Zk.Protocol.Records;
using Zk.Protocol.Tests.Support;

namespace Zk.Protocol.Tests;

public sealed class ResponseCodecTests
{
    public static TheoryData<OpCode> Ops => new(Samples.ResponseOps);

    [Theory]
    [MemberData(nameof(Ops))]
    public void Every_response_shape_round_trips(OpCode op)
    {
        var rng = new Random(2000 + (int)op);
        for (var i = 0; i < 200; i++)
        {
            var response = Samples.RandomResponse(op, rng);
            var bytes = Bytes.Write(w => ResponseCodec.Encode(op, response, w));
            var r = new JuteReader(bytes);
            var decoded = ResponseCodec.Decode(op, ref r);
            Assert.True(r.End, $"{op}: {r.Remaining} bytes left");
            Deep.Equal(response, decoded, $"{op}#{i}");
            Bytes.Same(bytes, Bytes.Write(w => ResponseCodec.Encode(op, decoded, w)), $"{op}#{i}");
        }
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void Every_strict_prefix_of_a_response_body_is_malformed(OpCode op)
    {
        var response = Samples.RandomResponse(op, new Random(11 + (int)op));
        var bytes = Bytes.Write(w => ResponseCodec.Encode(op, response, w));
        for (var n = 0; n < bytes.Length; n++)
        {
            var prefix = bytes[..n];
            Assert.Throws<MalformedFrameException>(() =>
            {
                var r = new JuteReader(prefix);
                ResponseCodec.Decode(op, ref r);
            });
        }
    }

    [Fact]
    public void Exists_setData_and_setACL_answer_a_bare_stat()
    {
        var stat = Samples.Stat(new Random(3));
        foreach (var op in new[] { OpCode.Exists, OpCode.SetData, OpCode.SetAcl })
        {
            var bytes = Bytes.Write(w => ResponseCodec.Encode(op, new StatResponse(stat), w));
            Assert.Equal(Stat.WireSize, bytes.Length);
            var r = new JuteReader(bytes);
            Assert.Equal(new StatResponse(stat), ResponseCodec.Decode(op, ref r));
        }
    }

    [Fact]
    public void AddWatch_answers_a_4_byte_error_response_of_0()
    {
        var bytes = Bytes.Write(w => ResponseCodec.Encode(OpCode.AddWatch, ErrorResponse.Ok, w));
        Bytes.Same(Bytes.Hex("00000000"), bytes);
        var r = new JuteReader(bytes);
        Assert.Equal(ErrorResponse.Ok, ResponseCodec.Decode(OpCode.AddWatch, ref r));
    }

    [Fact]
    public void A_failed_multi_has_one_error_result_per_op_and_the_terminator()
    {
        var failed = new MultiResponse(
        [
            new MultiResult(OpCode.Error, KeeperErrorCode.Ok, ErrorResponse.Ok),
            new MultiResult(OpCode.Error, KeeperErrorCode.NoNode, new ErrorResponse(KeeperErrorCode.NoNode)),
            new MultiResult(OpCode.Error, KeeperErrorCode.RuntimeInconsistency, new ErrorResponse(KeeperErrorCode.RuntimeInconsistency)),
        ]);
        var bytes = Bytes.Write(w => ResponseCodec.Encode(OpCode.Multi, failed, w));
        Bytes.Same(Bytes.Hex(
            "FFFFFFFF 00 00000000 00000000 " +
            "FFFFFFFF 00 FFFFFF9B FFFFFF9B " +
            "FFFFFFFF 00 FFFFFFFE FFFFFFFE " +
            "FFFFFFFF 01 FFFFFFFF"), bytes);
    }

    [Fact]
    public void An_error_result_without_a_body_writes_the_header_code_as_its_body()
    {
        var m = new MultiResponse([new MultiResult(OpCode.Error, KeeperErrorCode.NoAuth, null)]);
        Bytes.Same(Bytes.Hex("FFFFFFFF 00 FFFFFF9A FFFFFF9A FFFFFFFF 01 FFFFFFFF"),
            Bytes.Write(w => ResponseCodec.Encode(OpCode.Multi, m, w)));
    }

    [Fact]
    public void An_error_result_keeps_the_header_code_and_the_body_code_apart()
    {
        // ZooKeeper always writes the same code twice; the Java client reads the body's. Both survive a round trip.
        var m = new MultiResponse([new MultiResult(OpCode.Error, KeeperErrorCode.NoNode, new ErrorResponse(KeeperErrorCode.NoAuth))]);
        var bytes = Bytes.Write(w => ResponseCodec.Encode(OpCode.Multi, m, w));
        Bytes.Same(Bytes.Hex("FFFFFFFF 00 FFFFFF9B FFFFFF9A FFFFFFFF 01 FFFFFFFF"), bytes);
        var r = new JuteReader(bytes);
        Deep.Equal(m, ResponseCodec.Decode(OpCode.Multi, ref r));
    }

    [Fact]
    public void Successful_multi_results_are_typed_by_op_with_err_0()
    {
        var stat = Samples.Stat(new Random(5));
        var ok = new MultiResponse(
        [
            new MultiResult(OpCode.Create, KeeperErrorCode.Ok, new CreateResponse("/a")),
            new MultiResult(OpCode.Delete, KeeperErrorCode.Ok, null),
            new MultiResult(OpCode.SetData, KeeperErrorCode.Ok, new StatResponse(stat)),
        ]);
        var bytes = Bytes.Write(w => ResponseCodec.Encode(OpCode.Multi, ok, w));
        var expected = Bytes.Hex("00000001 00 00000000 00000002 2F61 00000002 00 00000000 00000005 00 00000000")
            .Concat(Bytes.Write(w => w.WriteStat(stat))).Concat(Bytes.Hex("FFFFFFFF 01 FFFFFFFF")).ToArray();
        Bytes.Same(expected, bytes);
    }

    [Theory]
    [InlineData(19)]
    [InlineData(21)]
    [InlineData(3)]
    [InlineData(99)]
    public void A_result_type_clients_cannot_parse_is_malformed_on_decode_and_refused_on_encode(int type)
    {
        Assert.Throws<MalformedFrameException>(() =>
        {
            var r = new JuteReader(Bytes.Hex($"{type:X8} 00 00000000 00000002 2F61 FFFFFFFF 01 FFFFFFFF"));
            ResponseCodec.Decode(OpCode.Multi, ref r);
        });
        var m = new MultiResponse([new MultiResult((OpCode)type, KeeperErrorCode.Ok, new CreateResponse("/a"))]);
        Assert.Throws<ArgumentException>(() => Bytes.Write(w => ResponseCodec.Encode(OpCode.Multi, m, w)));
    }

    [Fact]
    public void A_reply_with_an_error_is_header_only_even_if_a_body_is_passed()
    {
        var bytes = Bytes.Write(w => ResponseCodec.WriteFrame(w, new ReplyHeader(4, 0x10, KeeperErrorCode.NoNode), OpCode.GetData,
            new GetDataResponse([1], default)));
        Bytes.Same(Bytes.Hex("00000010 00000004 0000000000000010 FFFFFF9B"), bytes);
    }

    [Fact]
    public void A_successful_reply_frame_is_length_header_body()
    {
        var bytes = Bytes.Write(w => ResponseCodec.WriteFrame(w, new ReplyHeader(9, 0x2A, KeeperErrorCode.Ok), OpCode.Sync,
            new SyncResponse("/a")));
        Bytes.Same(Bytes.Hex("00000016 00000009 000000000000002A 00000000 00000002 2F61"), bytes);
    }

    [Theory]
    [InlineData(OpCode.Delete)]
    [InlineData(OpCode.Ping)]
    [InlineData(OpCode.Check)]
    [InlineData(OpCode.CheckWatches)]
    [InlineData(OpCode.RemoveWatches)]
    [InlineData(OpCode.Auth)]
    [InlineData(OpCode.SetWatches)]
    [InlineData(OpCode.SetWatches2)]
    [InlineData(OpCode.CloseSession)]
    public void Ops_without_a_reply_body_decode_to_EmptyResponse_and_encode_nothing(OpCode op)
    {
        Assert.True(ResponseCodec.HasNoBody(op));
        var r = new JuteReader([]);
        Assert.Same(EmptyResponse.Instance, ResponseCodec.Decode(op, ref r));
        Assert.Empty(Bytes.Write(w => ResponseCodec.Encode(op, EmptyResponse.Instance, w)));
    }

    [Fact]
    public void Encoding_the_wrong_record_for_an_opcode_is_an_argument_error()
    {
        Assert.Throws<ArgumentException>(() => Bytes.Write(w => ResponseCodec.Encode(OpCode.Create, new Create2Response("/a", default), w)));
        Assert.Throws<ArgumentException>(() => Bytes.Write(w => ResponseCodec.Encode(OpCode.Delete, new SyncResponse("/a"), w)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Bytes.Write(w => ResponseCodec.Encode(OpCode.CreateSession, EmptyResponse.Instance, w)));
    }

    [Fact]
    public void Decoding_for_an_opcode_without_a_reply_shape_is_an_argument_error()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            var r = new JuteReader([]);
            ResponseCodec.Decode(OpCode.Notification, ref r);
        });
    }
}
