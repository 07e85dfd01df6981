// The records of one SQLite journal row: every txn appended between two row writes (normally one group commit),
// back to back, each with its own CRC so a damaged record is named by its zxid. Layout per record, little-endian:
// i64 zxid | i32 payload length | payload | u32 CRC-32C of (zxid, payload) (Crc32C.ForRecord). A run of whole
// records is itself a valid row, which is how purge and truncate cut a row without re-encoding it.
// PendingRecords is owned by the journal's single owner; RowReader is a pure parser.
using System.Buffers.Binary;
using Zk.Actors.Journal;
using Zk.Core.Storage;

namespace Zk.Host.Storage;

internal static class BatchRecords
{
    public const int HeaderBytes = 12;
    public const int TrailerBytes = 4;
}

/// <summary>Records appended but not yet written as a row, in one growing buffer that is reused after each row.</summary>
internal sealed class PendingRecords
{
    // A buffer that grew past this is dropped after its row is written, so one burst of big txns is not kept forever.
    private const int RetainedBufferBytes = 1 << 20;

    private byte[] _buffer = new byte[16 * 1024];
    private readonly List<(long Zxid, int Offset, int Length)> _index = [];
    private int _length;

    public int Count => _index.Count;

    public int Bytes => _length;

    public long FirstZxid => _index[0].Zxid;

    public long LastZxid => _index[^1].Zxid;

    public ReadOnlySpan<byte> Encoded => _buffer.AsSpan(0, _length);

    public void Add(long zxid, ReadOnlySpan<byte> payload)
    {
        var size = BatchRecords.HeaderBytes + payload.Length + BatchRecords.TrailerBytes;
        if (_buffer.Length - _length < size)
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + size));
        var at = _buffer.AsSpan(_length, size);
        BinaryPrimitives.WriteInt64LittleEndian(at, zxid);
        BinaryPrimitives.WriteInt32LittleEndian(at[8..], payload.Length);
        payload.CopyTo(at[BatchRecords.HeaderBytes..]);
        BinaryPrimitives.WriteUInt32LittleEndian(at[(BatchRecords.HeaderBytes + payload.Length)..], Crc32C.ForRecord(zxid, payload));
        _index.Add((zxid, _length + BatchRecords.HeaderBytes, payload.Length));
        _length += size;
    }

    /// <summary>The first pending record with a zxid above <paramref name="afterZxid"/>, copied (the buffer is reused).</summary>
    public JournalEntry? After(long afterZxid)
    {
        foreach (var (zxid, offset, length) in _index)
            if (zxid > afterZxid) return new JournalEntry(zxid, _buffer.AsSpan(offset, length).ToArray());
        return null;
    }

    public void Clear()
    {
        _index.Clear();
        _length = 0;
        if (_buffer.Length > RetainedBufferBytes) _buffer = new byte[16 * 1024];
    }
}

/// <summary>
/// Walks the records of one row, verifying the framing and (unless told not to) each CRC. Any damage throws
/// JournalCorruptException naming the database file and the zxid of the damaged record (or of the record the damage
/// follows). A plain struct over memory, not a span, so an iterator can keep one across its yields.
/// </summary>
internal struct RowReader(string fileName, long rowFirstZxid, ReadOnlyMemory<byte> records)
{
    private long _previousZxid;
    private int _at;

    public long Zxid { get; private set; }

    public int PayloadOffset { get; private set; }

    public int PayloadLength { get; private set; }

    /// <summary>Where the next record starts: everything before it is a run of whole records.</summary>
    public readonly int Position => _at;

    public readonly bool AtEnd => _at == records.Length;

    public bool MoveNext(bool verifyCrc = true)
    {
        var row = records.Span;
        if (_at == row.Length) return false;
        var near = _previousZxid == 0 ? rowFirstZxid : _previousZxid;
        if (row.Length - _at < BatchRecords.HeaderBytes + BatchRecords.TrailerBytes)
            throw Corrupt(near, "a journal row ends inside a record header");
        var zxid = BinaryPrimitives.ReadInt64LittleEndian(row[_at..]);
        var length = BinaryPrimitives.ReadInt32LittleEndian(row[(_at + 8)..]);
        if (zxid <= _previousZxid || (_previousZxid == 0 && zxid != rowFirstZxid))
            throw Corrupt(near, $"a record header is damaged (zxid 0x{zxid:x} out of order)");
        if (length < 0 || length > row.Length - _at - BatchRecords.HeaderBytes - BatchRecords.TrailerBytes)
            throw Corrupt(zxid, $"the record's length {length} does not fit its row");
        PayloadOffset = _at + BatchRecords.HeaderBytes;
        PayloadLength = length;
        Zxid = zxid;
        _previousZxid = zxid;
        _at += BatchRecords.HeaderBytes + length + BatchRecords.TrailerBytes;
        if (verifyCrc) VerifyCrc();
        return true;
    }

    /// <summary>Checks the current record's CRC (MoveNext does, unless told not to).</summary>
    public readonly void VerifyCrc()
    {
        var row = records.Span;
        var payload = row.Slice(PayloadOffset, PayloadLength);
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(row[(PayloadOffset + PayloadLength)..]);
        if (Crc32C.ForRecord(Zxid, payload) != crc) throw Corrupt(Zxid, "CRC mismatch");
    }

    private readonly JournalCorruptException Corrupt(long zxid, string detail) => new(fileName, zxid, detail);
}
