// Splits a client byte stream into jute frames: an int32 big-endian payload length, then the payload. Stateless;
// the connection's read loop owns the buffer and calls this until it returns false.
using System.Buffers;
using System.Buffers.Binary;
using Zk.Protocol.Jute;

namespace Zk.Protocol.Framing;

public static class FrameDecoder
{
    /// <summary>jute.maxbuffer's default, 0xFFFFF bytes.</summary>
    public const int DefaultMaxFrameBytes = 0xFFFFF;

    public const int LengthPrefixBytes = 4;

    /// <summary>
    /// When <paramref name="buffer"/> starts with a complete frame, slices it off: <paramref name="payload"/> is
    /// the payload (without the length prefix) and <paramref name="buffer"/> moves past the frame. Returns false,
    /// leaving both untouched, while bytes are missing. A length below 0 or above <paramref name="maxFrameBytes"/>
    /// throws <see cref="MalformedFrameException"/> (ZooKeeper closes the connection without replying).
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxFrameBytes, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        if (!TryPeekInt32(buffer, out var length)) return false;
        if (length < 0 || length > maxFrameBytes)
            throw new MalformedFrameException($"frame length {length} is outside the allowed 0..{maxFrameBytes} bytes");
        if (buffer.Length - LengthPrefixBytes < length) return false;
        payload = buffer.Slice(LengthPrefixBytes, length);
        buffer = buffer.Slice(LengthPrefixBytes + length);
        return true;
    }

    /// <summary>Reads the first 4 bytes as a big-endian int without consuming them (a length, or a 4lw).</summary>
    public static bool TryPeekInt32(in ReadOnlySequence<byte> buffer, out int value)
    {
        if (buffer.Length < LengthPrefixBytes)
        {
            value = 0;
            return false;
        }
        var first = buffer.FirstSpan;
        if (first.Length >= LengthPrefixBytes)
        {
            value = BinaryPrimitives.ReadInt32BigEndian(first);
            return true;
        }
        Span<byte> four = stackalloc byte[LengthPrefixBytes];
        buffer.Slice(0, LengthPrefixBytes).CopyTo(four);
        value = BinaryPrimitives.ReadInt32BigEndian(four);
        return true;
    }

    /// <summary>
    /// A contiguous view of <paramref name="payload"/> for <see cref="JuteReader"/>: the segment itself when the
    /// payload lies in one, otherwise a copy into <paramref name="scratch"/>, which grows as needed and is reused.
    /// </summary>
    public static ReadOnlySpan<byte> Contiguous(in ReadOnlySequence<byte> payload, ref byte[]? scratch)
    {
        if (payload.IsSingleSegment) return payload.FirstSpan;
        var length = checked((int)payload.Length);
        if (scratch is null || scratch.Length < length) scratch = new byte[Math.Max(length, 256)];
        payload.CopyTo(scratch);
        return scratch.AsSpan(0, length);
    }
}
