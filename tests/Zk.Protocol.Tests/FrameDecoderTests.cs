// The framer: complete frames are sliced off, partial ones wait, bad lengths are malformed.
using System.Buffers;
using Zk.Protocol.Framing;
using Zk.Protocol.Jute;
using Zk.Protocol.Tests.Support;

namespace Zk.Protocol.Tests;

public sealed class FrameDecoderTests
{
    [Fact]
    public void Fewer_than_4_bytes_is_not_yet_a_frame()
    {
        for (var n = 0; n < 4; n++)
        {
            var buffer = new ReadOnlySequence<byte>(new byte[n]);
            Assert.False(FrameDecoder.TryReadFrame(ref buffer, 100, out _));
            Assert.Equal(n, buffer.Length);
        }
    }

    [Fact]
    public void A_partial_payload_waits_and_leaves_the_buffer_untouched()
    {
        var buffer = new ReadOnlySequence<byte>(Bytes.Hex("00000003 AABB"));
        Assert.False(FrameDecoder.TryReadFrame(ref buffer, 100, out _));
        Assert.Equal(6, buffer.Length);
    }

    [Fact]
    public void Complete_frames_are_sliced_off_one_at_a_time_keeping_the_tail()
    {
        var buffer = new ReadOnlySequence<byte>(Bytes.Hex("00000002 AABB 00000000 00000001 CC 00000005 01"));
        Assert.True(FrameDecoder.TryReadFrame(ref buffer, 100, out var first));
        Assert.Equal(Bytes.Hex("AABB"), first.ToArray());
        Assert.True(FrameDecoder.TryReadFrame(ref buffer, 100, out var empty));
        Assert.Equal(0, empty.Length);
        Assert.True(FrameDecoder.TryReadFrame(ref buffer, 100, out var third));
        Assert.Equal(Bytes.Hex("CC"), third.ToArray());
        Assert.False(FrameDecoder.TryReadFrame(ref buffer, 100, out _));
        Assert.Equal(Bytes.Hex("00000005 01"), buffer.ToArray());
    }

    [Fact]
    public void A_length_split_across_segments_is_read_correctly()
    {
        var buffer = Segmented([0x00], [0x00, 0x00], [0x03, 0x01], [0x02, 0x03, 0x09]);
        Assert.True(FrameDecoder.TryPeekInt32(buffer, out var length));
        Assert.Equal(3, length);
        Assert.True(FrameDecoder.TryReadFrame(ref buffer, 100, out var payload));
        Assert.Equal(new byte[] { 1, 2, 3 }, payload.ToArray());
        Assert.Equal(new byte[] { 9 }, buffer.ToArray());

        byte[]? scratch = null;
        var span = FrameDecoder.Contiguous(payload, ref scratch);
        Assert.Equal(new byte[] { 1, 2, 3 }, span.ToArray());
        Assert.NotNull(scratch);
    }

    [Fact]
    public void A_single_segment_payload_is_used_in_place()
    {
        var buffer = new ReadOnlySequence<byte>(Bytes.Hex("00000001 7F"));
        Assert.True(FrameDecoder.TryReadFrame(ref buffer, 100, out var payload));
        byte[]? scratch = null;
        Assert.Equal(new byte[] { 0x7F }, FrameDecoder.Contiguous(payload, ref scratch).ToArray());
        Assert.Null(scratch);
    }

    [Fact]
    public void A_negative_length_is_malformed_and_the_message_names_length_and_limit()
    {
        var ex = Assert.Throws<MalformedFrameException>(() =>
        {
            var buffer = new ReadOnlySequence<byte>(Bytes.Hex("FFFFFFFF"));
            FrameDecoder.TryReadFrame(ref buffer, 1000, out _);
        });
        Assert.Contains("-1", ex.Message);
        Assert.Contains("1000", ex.Message);
    }

    [Fact]
    public void A_length_above_the_maximum_is_malformed_before_the_payload_arrives()
    {
        var ex = Assert.Throws<MalformedFrameException>(() =>
        {
            var buffer = new ReadOnlySequence<byte>(Bytes.Hex("00100000"));
            FrameDecoder.TryReadFrame(ref buffer, FrameDecoder.DefaultMaxFrameBytes, out _);
        });
        Assert.Contains("1048576", ex.Message);
        Assert.Contains("1048575", ex.Message);
    }

    [Fact]
    public void A_length_equal_to_the_maximum_is_allowed()
    {
        var frame = new byte[4 + 10];
        frame[3] = 10;
        var buffer = new ReadOnlySequence<byte>(frame);
        Assert.True(FrameDecoder.TryReadFrame(ref buffer, 10, out var payload));
        Assert.Equal(10, payload.Length);
    }

    [Fact]
    public void A_four_letter_word_read_as_a_length_exceeds_the_default_maximum()
    {
        Assert.Throws<MalformedFrameException>(() =>
        {
            var buffer = new ReadOnlySequence<byte>("ruok"u8.ToArray());
            FrameDecoder.TryReadFrame(ref buffer, FrameDecoder.DefaultMaxFrameBytes, out _);
        });
    }

    private static ReadOnlySequence<byte> Segmented(params byte[][] parts)
    {
        var first = new Segment(parts[0], 0);
        var last = first;
        foreach (var part in parts.Skip(1)) last = last.Append(part);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data, long runningIndex)
        {
            Memory = data;
            RunningIndex = runningIndex;
        }

        public Segment Append(byte[] data)
        {
            var next = new Segment(data, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
