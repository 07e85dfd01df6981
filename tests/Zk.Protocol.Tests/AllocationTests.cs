// The hot paths allocate only what they return: framing and encoding into a warmed writer allocate nothing,
// decoding allocates the record and its strings and buffers. Measured with the thread's allocation counter.
using System.Buffers;
using Zk.Protocol.Framing;
using Zk.Protocol.Jute;
using Zk.Protocol.Records;
using Zk.Protocol.Tests.Support;

namespace Zk.Protocol.Tests;

public sealed class AllocationTests
{
    private const int Rounds = 200;

    [Fact]
    public void Slicing_frames_allocates_nothing()
    {
        var stream = Bytes.Hex("00000002 AABB 00000001 CC 00000000");
        var perRound = BytesPerRound(() =>
        {
            var buffer = new ReadOnlySequence<byte>(stream);
            while (FrameDecoder.TryReadFrame(ref buffer, 100, out _))
            {
            }
        });
        Assert.Equal(0, perRound);
    }

    [Fact]
    public void Encoding_a_reply_frame_into_a_warmed_writer_allocates_nothing()
    {
        using var w = new JuteWriter(4096);
        var reply = new GetDataResponse(new byte[100], Samples.Stat(new Random(1)));
        var children = new GetChildren2Response(["a", "b", "c"], default);
        var created = new WatcherEvent(EventType.NodeCreated, KeeperState.SyncConnected, "/a");
        var perRound = BytesPerRound(() =>
        {
            w.Clear();
            ResponseCodec.WriteFrame(w, new ReplyHeader(5, 9, KeeperErrorCode.Ok), OpCode.GetData, reply);
            ResponseCodec.WriteFrame(w, new ReplyHeader(6, 9, KeeperErrorCode.Ok), OpCode.GetChildren2, children);
            SessionCodec.WriteNotificationFrame(w, created);
        });
        Assert.Equal(0, perRound);
    }

    [Fact]
    public void Decoding_a_request_allocates_only_the_record_and_its_path()
    {
        var frame = Bytes.Write(w =>
        {
            w.WriteRequestHeader(new RequestHeader(1, OpCode.Exists));
            RequestCodec.Encode(OpCode.Exists, new ExistsRequest("/a/b", true), w);
        });
        var perRound = BytesPerRound(() =>
        {
            var r = new JuteReader(frame);
            var h = r.ReadRequestHeader();
            RequestCodec.Decode(h.Type, ref r);
        });
        // ExistsRequest (about 32 bytes) + "/a/b" (about 32 bytes); boxing, LINQ or a copy of the frame would exceed it.
        Assert.InRange(perRound, 1, 96);
    }

    [Fact]
    public void Decoding_a_create_with_the_open_acl_shares_the_acl_list()
    {
        var body = Bytes.Write(w => RequestCodec.Encode(OpCode.Create,
            new CreateRequest("/node", new byte[10], Acl.OpenAclUnsafe, 0), w));
        var perRound = BytesPerRound(() =>
        {
            var r = new JuteReader(body);
            RequestCodec.Decode(OpCode.Create, ref r);
        });
        // CreateRequest + path + 10-byte array, and no Acl, Id, list or "world"/"anyone" strings.
        Assert.InRange(perRound, 1, 160);
    }

    private static long BytesPerRound(Action action)
    {
        for (var i = 0; i < 50; i++) action();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Rounds; i++) action();
        return (GC.GetAllocatedBytesForCurrentThread() - before) / Rounds;
    }
}
