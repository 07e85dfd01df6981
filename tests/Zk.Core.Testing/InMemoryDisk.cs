// The simulated disk of one server: what survives a crash. InMemoryJournal and InMemorySnapshotStore keep their
// unsynced state in themselves and only synced state here, so a restart that builds new ones over the same disk
// sees exactly what a real disk would keep. Not thread-safe: the simulator runs one server step at a time.
using Zk.Core.Storage;

namespace Zk.Core.Testing;

public sealed class InMemoryDisk(string name = "memory")
{
    /// <summary>Used as the "file" in corruption reports, e.g. "server-2".</summary>
    public string Name { get; } = name;

    public List<StoredRecord> Log { get; } = [];

    public long AcceptedEpoch { get; set; }

    public long CurrentEpoch { get; set; }

    public SortedDictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>When set, the next journal Sync throws IOException and persists nothing (an fsync failure).</summary>
    public bool FailNextSync { get; set; }

    public string JournalFileName => $"{Name}/journal";

    public IReadOnlyCollection<string> FileNames => Files.Keys;

    /// <summary>Fault injection: flips one bit of a durable record's payload, leaving its CRC stale.</summary>
    public void FlipJournalPayloadBit(long zxid, int byteOffset = 0)
    {
        var i = IndexOf(zxid);
        var payload = Log[i].Payload;
        payload[byteOffset] ^= 0x01;
    }

    /// <summary>Fault injection: damages a durable record's stored CRC.</summary>
    public void FlipJournalCrcBit(long zxid)
    {
        var i = IndexOf(zxid);
        Log[i] = Log[i] with { Crc = Log[i].Crc ^ 0x01 };
    }

    /// <summary>Fault injection: replaces a file's bytes (flip a byte, truncate, plant a torn temp file).</summary>
    public void WriteFile(string fileName, byte[] content) => Files[fileName] = content;

    public byte[] ReadFile(string fileName) => Files[fileName];

    private int IndexOf(long zxid)
    {
        var i = Log.FindIndex(r => r.Zxid == zxid);
        if (i < 0)
            throw new ArgumentException($"zxid 0x{zxid:x} is not on the simulated disk", nameof(zxid));
        return i;
    }
}

/// <summary>A record as stored: the payload is private to the disk, the CRC was computed at append time.</summary>
public readonly record struct StoredRecord(long Zxid, byte[] Payload, uint Crc);
