// The durable state of one ZAB server (zab.md §1): the txn log plus acceptedEpoch and currentEpoch.
// Not thread-safe: exactly one owner (the JournalActor) calls every member, in order.
namespace Zk.Core.Storage;

/// <summary>One logged txn. The payload is opaque here: the serialized txn, owned by the txn codec.</summary>
public readonly record struct JournalEntry(long Zxid, ReadOnlyMemory<byte> Payload);

public interface IJournal : IDisposable
{
    /// <summary>Zxid of the oldest retained entry; 0 when the log is empty.</summary>
    long FirstZxid { get; }

    /// <summary>Zxid of the newest appended entry, synced or not; 0 when the log is empty.</summary>
    long LastZxid { get; }

    /// <summary>Zxid of the newest entry known to be durable; never above <see cref="LastZxid"/>.</summary>
    long LastSyncedZxid { get; }

    /// <summary>Durable value only: a value set but not yet synced is not visible here (ZOOKEEPER-2307).</summary>
    long AcceptedEpoch { get; }

    /// <summary>Durable value only, like <see cref="AcceptedEpoch"/>.</summary>
    long CurrentEpoch { get; }

    /// <summary>
    /// Buffers one txn; durable only after the next <see cref="Sync"/>. Zxids must be positive and strictly
    /// increasing (gaps are allowed: a SNAP sync leaves one). The CRC is computed here.
    /// </summary>
    void Append(long zxid, ReadOnlySpan<byte> payload);

    /// <summary>Buffers a new acceptedEpoch. Epochs never decrease.</summary>
    void SetAcceptedEpoch(long epoch);

    /// <summary>Buffers a new currentEpoch; it may not exceed the (pending) acceptedEpoch and never decreases.</summary>
    void SetCurrentEpoch(long epoch);

    /// <summary>
    /// Makes every append and epoch buffered since the last Sync durable at once, with one fsync: they land
    /// atomically, so "txns, then currentEpoch" (zab.md §6) holds whatever order they were buffered in.
    /// A no-op when nothing is pending. After a failed Sync the journal refuses further use: restart and recover.
    /// </summary>
    void Sync();

    /// <summary>
    /// Entries with zxid &gt; <paramref name="afterZxid"/>, in zxid order, synced or not. Each record's CRC is verified;
    /// a mismatch throws <see cref="JournalCorruptException"/> naming the file and zxid. Entries purged by
    /// <see cref="PurgeBefore"/> are simply absent: compare with <see cref="FirstZxid"/> to detect the gap.
    /// </summary>
    IEnumerable<JournalEntry> ReadFrom(long afterZxid);

    /// <summary>ZAB TRUNC: drops every entry with zxid &gt; <paramref name="zxid"/>. Implies a Sync; durable on return.</summary>
    void TruncateAfter(long zxid);

    /// <summary>
    /// Retention: drops entries with zxid &lt; <paramref name="zxid"/>, except that the newest entry is always kept
    /// so <see cref="LastZxid"/> never goes back. Implies a Sync; durable on return.
    /// </summary>
    void PurgeBefore(long zxid);
}
