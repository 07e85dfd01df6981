// IJournal for the deterministic simulator: synced state lives on an InMemoryDisk, pending appends and epochs in
// this object, so Crash() (or simply a new journal over the same disk) loses exactly what a real crash loses.
// Not thread-safe: one owner, like every IJournal.
using Zk.Core.Storage;

namespace Zk.Core.Testing;

public sealed class InMemoryJournal : IJournal
{
    private const int PageSize = 256;

    private readonly InMemoryDisk _disk;
    private readonly List<StoredRecord> _pending = [];
    private long? _pendingAcceptedEpoch;
    private long? _pendingCurrentEpoch;
    private bool _failed;
    private bool _disposed;

    public InMemoryJournal(InMemoryDisk? disk = null)
    {
        _disk = disk ?? new InMemoryDisk();
        var tail = _disk.Log.Count > 0 ? _disk.Log[^1] : (StoredRecord?)null;
        if (tail is { } last)
            Verify(last);
    }

    public InMemoryDisk Disk => _disk;

    public long FirstZxid => _disk.Log.Count > 0 ? _disk.Log[0].Zxid : _pending.Count > 0 ? _pending[0].Zxid : 0;

    public long LastZxid => _pending.Count > 0 ? _pending[^1].Zxid : LastSyncedZxid;

    public long LastSyncedZxid => _disk.Log.Count > 0 ? _disk.Log[^1].Zxid : 0;

    public long AcceptedEpoch => _disk.AcceptedEpoch;

    public long CurrentEpoch => _disk.CurrentEpoch;

    private long PendingAcceptedEpoch => _pendingAcceptedEpoch ?? _disk.AcceptedEpoch;

    private long PendingCurrentEpoch => _pendingCurrentEpoch ?? _disk.CurrentEpoch;

    public void Append(long zxid, ReadOnlySpan<byte> payload)
    {
        EnsureUsable();
        JournalRules.CheckAppend(zxid, LastZxid);
        _pending.Add(new StoredRecord(zxid, payload.ToArray(), Crc32C.ForRecord(zxid, payload)));
    }

    public void SetAcceptedEpoch(long epoch)
    {
        EnsureUsable();
        JournalRules.CheckAcceptedEpoch(epoch, PendingAcceptedEpoch);
        _pendingAcceptedEpoch = epoch;
    }

    public void SetCurrentEpoch(long epoch)
    {
        EnsureUsable();
        JournalRules.CheckCurrentEpoch(epoch, PendingCurrentEpoch, PendingAcceptedEpoch);
        _pendingCurrentEpoch = epoch;
    }

    public void Sync()
    {
        EnsureUsable();
        if (_pending.Count == 0 && _pendingAcceptedEpoch is null && _pendingCurrentEpoch is null)
            return;
        if (_disk.FailNextSync)
        {
            _disk.FailNextSync = false;
            _failed = true;
            throw new IOException($"{_disk.JournalFileName}: simulated fsync failure");
        }
        _disk.Log.AddRange(_pending);
        _pending.Clear();
        _disk.AcceptedEpoch = PendingAcceptedEpoch;
        _disk.CurrentEpoch = PendingCurrentEpoch;
        _pendingAcceptedEpoch = null;
        _pendingCurrentEpoch = null;
    }

    /// <summary>A process crash: everything not yet synced is gone; synced state stays on the disk.</summary>
    public void Crash()
    {
        _pending.Clear();
        _pendingAcceptedEpoch = null;
        _pendingCurrentEpoch = null;
        _failed = false;
    }

    public IEnumerable<JournalEntry> ReadFrom(long afterZxid)
    {
        EnsureUsable();
        return ReadPages(afterZxid);
    }

    // Pages are copied out and the next page is found again by zxid, so the owner may append or truncate
    // between two MoveNext calls without invalidating the enumeration (the SQLite journal behaves the same).
    private IEnumerable<JournalEntry> ReadPages(long afterZxid)
    {
        var cursor = afterZxid;
        while (true)
        {
            var page = NextPage(cursor);
            if (page.Count == 0)
                yield break;
            foreach (var record in page)
            {
                Verify(record);
                yield return new JournalEntry(record.Zxid, record.Payload.AsMemory());
            }
            cursor = page[^1].Zxid;
        }
    }

    private List<StoredRecord> NextPage(long afterZxid)
    {
        var page = new List<StoredRecord>(PageSize);
        var start = FirstIndexAfter(_disk.Log, afterZxid);
        for (var i = start; i < _disk.Log.Count && page.Count < PageSize; i++)
            page.Add(_disk.Log[i] with { Payload = (byte[])_disk.Log[i].Payload.Clone() });
        start = FirstIndexAfter(_pending, afterZxid);
        for (var i = start; i < _pending.Count && page.Count < PageSize; i++)
            page.Add(_pending[i]);
        return page;
    }

    private static int FirstIndexAfter(List<StoredRecord> records, long zxid)
    {
        int lo = 0, hi = records.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (records[mid].Zxid <= zxid)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }

    public void TruncateAfter(long zxid)
    {
        Sync();
        var keep = FirstIndexAfter(_disk.Log, zxid);
        _disk.Log.RemoveRange(keep, _disk.Log.Count - keep);
    }

    public void PurgeBefore(long zxid)
    {
        Sync();
        if (_disk.Log.Count == 0)
            return;
        var limit = Math.Min(zxid, _disk.Log[^1].Zxid);
        var drop = FirstIndexAfter(_disk.Log, limit - 1);
        _disk.Log.RemoveRange(0, drop);
    }

    public void Dispose()
    {
        // Like closing a database with an open transaction: whatever was not synced is dropped.
        Crash();
        _disposed = true;
    }

    private void Verify(StoredRecord record)
    {
        if (Crc32C.ForRecord(record.Zxid, record.Payload) != record.Crc)
            throw new JournalCorruptException(_disk.JournalFileName, record.Zxid, "CRC mismatch");
    }

    private void EnsureUsable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failed)
            throw new InvalidOperationException($"{_disk.JournalFileName}: a Sync failed earlier; restart and recover from disk");
    }
}
