// Encodes jute primitives into a growable buffer that can be reused across frames. Not thread-safe: one
// writer per producer. Frames are written with BeginFrame/EndFrame, which back-fills the length prefix.
using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Zk.Protocol.Jute;

public sealed class JuteWriter : IDisposable
{
    // Buffers above this size come from the GC, not the shared pool: the pool would keep every big size a
    // snapshot doubled through alive for the life of the process.
    private const int MaxPooledBytes = 1 << 20;
    private byte[] _buf;
    private int _pos;

    public JuteWriter(int initialCapacity = 256)
    {
        _buf = Rent(Math.Max(16, initialCapacity));
    }

    public int Length => _pos;

    public ReadOnlySpan<byte> WrittenSpan => _buf.AsSpan(0, _pos);

    public ReadOnlyMemory<byte> WrittenMemory => _buf.AsMemory(0, _pos);

    public byte[] ToArray() => WrittenSpan.ToArray();

    public void Clear() => _pos = 0;

    /// <summary>Reserves the 4-byte length prefix and returns its position for <see cref="EndFrame"/>.</summary>
    public int BeginFrame()
    {
        var mark = _pos;
        Ensure(4);
        _pos += 4;
        return mark;
    }

    public void EndFrame(int mark) =>
        BinaryPrimitives.WriteInt32BigEndian(_buf.AsSpan(mark, 4), _pos - mark - 4);

    public void WriteInt(int v)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32BigEndian(_buf.AsSpan(_pos), v);
        _pos += 4;
    }

    public void WriteLong(long v)
    {
        Ensure(8);
        BinaryPrimitives.WriteInt64BigEndian(_buf.AsSpan(_pos), v);
        _pos += 8;
    }

    public void WriteBool(bool v)
    {
        Ensure(1);
        _buf[_pos++] = v ? (byte)1 : (byte)0;
    }

    public void WriteBuffer(ReadOnlySpan<byte> data)
    {
        WriteInt(data.Length);
        WriteRaw(data);
    }

    /// <summary>Null is written as length -1.</summary>
    public void WriteBuffer(byte[]? data)
    {
        if (data is null) WriteInt(-1);
        else WriteBuffer(data.AsSpan());
    }

    /// <summary>Null is written as length -1.</summary>
    public void WriteString(string? s)
    {
        if (s is null)
        {
            WriteInt(-1);
            return;
        }
        var max = Encoding.UTF8.GetMaxByteCount(s.Length);
        Ensure(4 + max);
        var n = Encoding.UTF8.GetBytes(s, _buf.AsSpan(_pos + 4));
        BinaryPrimitives.WriteInt32BigEndian(_buf.AsSpan(_pos), n);
        _pos += 4 + n;
    }

    public void WriteRaw(ReadOnlySpan<byte> data)
    {
        Ensure(data.Length);
        data.CopyTo(_buf.AsSpan(_pos));
        _pos += data.Length;
    }

    public void Dispose()
    {
        var b = _buf;
        _buf = [];
        _pos = 0;
        Return(b);
    }

    private void Ensure(int n)
    {
        if (_buf.Length - _pos >= n) return;
        var bigger = Rent((int)Math.Min(Array.MaxLength, Math.Max((long)_buf.Length * 2, (long)_pos + n)));
        _buf.AsSpan(0, _pos).CopyTo(bigger);
        Return(_buf);
        _buf = bigger;
    }

    private static byte[] Rent(int size) =>
        size <= MaxPooledBytes ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);

    private static void Return(byte[] b)
    {
        if (b.Length is > 0 and <= MaxPooledBytes) ArrayPool<byte>.Shared.Return(b);
    }
}
