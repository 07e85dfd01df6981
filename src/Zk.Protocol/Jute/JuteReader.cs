// Decodes jute primitives from one complete, contiguous frame. A ref struct over a span: no allocation except
// for the strings and buffers it returns. Any overrun or bad length throws MalformedFrameException.
using System.Buffers.Binary;
using System.Text;

namespace Zk.Protocol.Jute;

public ref struct JuteReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _pos;

    public JuteReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _pos = 0;
    }

    public readonly int Position => _pos;

    public readonly int Remaining => _data.Length - _pos;

    public readonly bool End => _pos >= _data.Length;

    public int ReadInt()
    {
        var v = BinaryPrimitives.ReadInt32BigEndian(Take(4));
        return v;
    }

    public long ReadLong() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    /// <summary>Java's reader treats any non-zero byte as true.</summary>
    public bool ReadBool() => Take(1)[0] != 0;

    /// <summary>A buffer; length -1 decodes as null (distinct from empty).</summary>
    public byte[]? ReadBuffer()
    {
        var len = ReadLength("buffer");
        return len < 0 ? null : Take(len).ToArray();
    }

    /// <summary>A UTF-8 string; length -1 decodes as null.</summary>
    public string? ReadString()
    {
        var len = ReadLength("ustring");
        return len < 0 ? null : Encoding.UTF8.GetString(Take(len));
    }

    /// <summary>
    /// The raw UTF-8 bytes of a ustring without decoding them, so callers can match well-known values
    /// (world, anyone) before allocating a string. isNull reports a length of -1.
    /// </summary>
    public ReadOnlySpan<byte> ReadUtf8(out bool isNull)
    {
        var len = ReadLength("ustring");
        isNull = len < 0;
        return isNull ? default : Take(len);
    }

    /// <summary>A vector count; -1 means null, which the caller decides how to treat.</summary>
    public int ReadVectorCount()
    {
        var n = ReadInt();
        if (n < -1) throw new MalformedFrameException($"negative vector length {n} at offset {_pos - 4}");
        // Every element takes at least one byte, so a count beyond the remaining bytes is a lie.
        if (n > Remaining) throw new MalformedFrameException($"vector length {n} exceeds the {Remaining} bytes left");
        return n;
    }

    public ReadOnlySpan<byte> ReadRaw(int count) => Take(count);

    public readonly ReadOnlySpan<byte> Rest => _data[_pos..];

    private int ReadLength(string what)
    {
        var len = ReadInt();
        if (len < -1) throw new MalformedFrameException($"negative {what} length {len} at offset {_pos - 4}");
        if (len > Remaining) throw new MalformedFrameException($"{what} length {len} exceeds the {Remaining} bytes left");
        return len;
    }

    private ReadOnlySpan<byte> Take(int n)
    {
        if (_data.Length - _pos < n)
            throw new MalformedFrameException($"frame ends at {_data.Length} bytes, {n} more needed at offset {_pos}");
        var s = _data.Slice(_pos, n);
        _pos += n;
        return s;
    }
}
