// Streams used by both snapshot stores: the encoder that frames and checksums content as it is written, and a
// read-only window onto the verified content. Each instance is used by one thread at a time.
namespace Zk.Core.Storage;

/// <summary>Write-only: writes a header placeholder first, checksums every byte, and seals the file in Complete().</summary>
public sealed class SnapshotEncoderStream : Stream
{
    private readonly Stream _target;
    private readonly long _zxid;
    private uint _crcState = Crc32C.Start();
    private long _contentLength;
    private bool _completed;

    /// <param name="target">Seekable and empty; not disposed here.</param>
    public SnapshotEncoderStream(Stream target, long zxid)
    {
        _target = target;
        _zxid = zxid;
        _target.Write(SnapshotFormat.EncodeHeader(zxid, 0));
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => !_completed;
    public override long Length => _contentLength;

    public override long Position
    {
        get => _contentLength;
        set => throw new NotSupportedException();
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_completed)
            throw new InvalidOperationException("the snapshot was already completed");
        _crcState = Crc32C.Update(_crcState, buffer);
        _contentLength += buffer.Length;
        _target.Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write([value]);

    /// <summary>Appends the trailer and rewrites the header with the final length. Does not flush to disk.</summary>
    public void Complete()
    {
        if (_completed)
            return;
        _completed = true;
        var header = SnapshotFormat.EncodeHeader(_zxid, _contentLength);
        _target.Write(SnapshotFormat.EncodeTrailer(Crc32C.Finish(_crcState), header));
        var end = _target.Position;
        _target.Position = 0;
        _target.Write(header);
        _target.Position = end;
    }

    public override void Flush() => _target.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>Read-only view of <c>length</c> bytes of an inner stream from its current position; owns the inner stream.</summary>
public sealed class BoundedReadStream(Stream inner, long length) : Stream
{
    private readonly long _length = length;
    private long _remaining = length;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _length;

    public override long Position
    {
        get => _length - _remaining;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        if (_remaining == 0)
            return 0;
        var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        _remaining -= n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }
}
