// The byte layout of a snapshot file and its verification, shared by the file and in-memory stores. Pure.
// Layout (little-endian): "ZKSN", u32 version, i64 zxid, i64 content length | content | u32 CRC-32C of the
// content, u32 CRC-32C of the 24 header bytes. Frozen by DiskFormatTests.
using System.Buffers.Binary;

namespace Zk.Core.Storage;

public static class SnapshotFormat
{
    public const int HeaderBytes = 24;
    public const int TrailerBytes = 8;
    public const uint Version = 1;

    // "ZKSN" as bytes on disk.
    public static ReadOnlySpan<byte> Magic => "ZKSN"u8;

    public static byte[] EncodeHeader(long zxid, long contentLength)
    {
        var header = new byte[HeaderBytes];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), Version);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), zxid);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16), contentLength);
        return header;
    }

    public static byte[] EncodeTrailer(uint contentCrc, ReadOnlySpan<byte> header)
    {
        var trailer = new byte[TrailerBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, contentCrc);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer.AsSpan(4), Crc32C.Compute(header));
        return trailer;
    }

    /// <summary>
    /// Checks header, trailer and the content checksum of a whole snapshot file (reading it once), and returns the
    /// content length; the content starts at <see cref="HeaderBytes"/>. Any damage throws JournalCorruptException.
    /// </summary>
    public static long Verify(Stream file, string fileName, long expectedZxid)
    {
        var fileLength = file.Length;
        if (fileLength < HeaderBytes + TrailerBytes)
            throw Corrupt(fileName, $"{fileLength} bytes is shorter than a snapshot header and trailer");
        var header = new byte[HeaderBytes];
        var trailer = new byte[TrailerBytes];
        file.Position = 0;
        file.ReadExactly(header);
        file.Position = fileLength - TrailerBytes;
        file.ReadExactly(trailer);
        var contentLength = CheckHeader(header, trailer, fileName, expectedZxid, fileLength);
        file.Position = HeaderBytes;
        var crc = ChecksumOf(file, contentLength);
        if (crc != BinaryPrimitives.ReadUInt32LittleEndian(trailer))
            throw Corrupt(fileName, "content checksum mismatch");
        return contentLength;
    }

    private static long CheckHeader(byte[] header, byte[] trailer, string fileName, long expectedZxid, long fileLength)
    {
        if (!header.AsSpan(0, 4).SequenceEqual(Magic))
            throw Corrupt(fileName, "bad magic: not a ZkActors snapshot");
        if (Crc32C.Compute(header) != BinaryPrimitives.ReadUInt32LittleEndian(trailer.AsSpan(4)))
            throw Corrupt(fileName, "header checksum mismatch");
        var version = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
        if (version != Version)
            throw Corrupt(fileName, $"format version {version} is not the supported version {Version}");
        var zxid = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(8));
        if (zxid != expectedZxid)
            throw Corrupt(fileName, $"header zxid 0x{zxid:x} does not match the file name's 0x{expectedZxid:x}");
        var contentLength = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(16));
        if (contentLength != fileLength - HeaderBytes - TrailerBytes)
            throw Corrupt(fileName, $"header says {contentLength} content bytes but the file holds {fileLength - HeaderBytes - TrailerBytes}");
        return contentLength;
    }

    private static uint ChecksumOf(Stream file, long length)
    {
        var buffer = new byte[Math.Min(length, 1 << 16)];
        var state = Crc32C.Start();
        while (length > 0)
        {
            var n = file.Read(buffer, 0, (int)Math.Min(buffer.Length, length));
            if (n == 0)
                throw new EndOfStreamException();
            state = Crc32C.Update(state, buffer.AsSpan(0, n));
            length -= n;
        }
        return Crc32C.Finish(state);
    }

    private static JournalCorruptException Corrupt(string fileName, string detail) => new(fileName, null, detail);
}
