// Reads length-prefixed frames (int length, int type, body) from a socket: whole frames are handed out from
// one buffer, a partial one is kept for the next receive. A frame longer than its type allows is a
// MalformedFrameException before any of its body is read. One reader per socket, one task at a time.
using System.Buffers.Binary;
using System.Net.Sockets;
using Zk.Protocol.Jute;

namespace Zk.Host.Quorum;

internal sealed class FrameReader(Socket socket, Func<int, int> maxFrameBytesOfType, int initialBytes = 64 << 10)
{
    private const int HeaderBytes = 8;
    private byte[] _buffer = new byte[initialBytes];
    private int _start;
    private int _end;

    /// <summary>The next whole frame, length prefix included, valid until the next call; null at a clean end of stream.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadFrameAsync(CancellationToken ct)
    {
        while (true)
        {
            var available = _end - _start;
            var needed = HeaderBytes;
            if (available >= HeaderBytes)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_start));
                var type = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_start + 4));
                var max = maxFrameBytesOfType(type);
                if (length < 4 || length > max)
                    throw new MalformedFrameException($"frame of type {type} declares {length} bytes; the limit is {max}");
                needed = 4 + length;
                if (available >= needed)
                {
                    var frame = _buffer.AsMemory(_start, needed);
                    _start += needed;
                    return frame;
                }
            }
            MakeRoom(needed);
            var n = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, ct).ConfigureAwait(false);
            if (n == 0)
            {
                if (_end > _start) throw new IOException($"the stream ended inside a frame ({_end - _start} bytes of it read)");
                return null;
            }
            _end += n;
        }
    }

    /// <summary>Makes the buffer able to hold <paramref name="frameBytes"/> from _start, with room to receive into.</summary>
    private void MakeRoom(int frameBytes)
    {
        var held = _end - _start;
        if (held == 0 && _buffer.Length > initialBytes && frameBytes <= initialBytes)
        {
            // A big frame (a snapshot) has been consumed: give its buffer back.
            _buffer = new byte[initialBytes];
            _start = _end = 0;
            return;
        }
        if (held == 0) _start = _end = 0;
        if (_buffer.Length - _start >= frameBytes && _end < _buffer.Length) return;
        if (_buffer.Length >= frameBytes)
        {
            _buffer.AsSpan(_start, held).CopyTo(_buffer);
        }
        else
        {
            var bigger = new byte[Math.Max(frameBytes, Math.Min(_buffer.Length * 2, int.MaxValue / 2))];
            _buffer.AsSpan(_start, held).CopyTo(bigger);
            _buffer = bigger;
        }
        _start = 0;
        _end = held;
    }
}
