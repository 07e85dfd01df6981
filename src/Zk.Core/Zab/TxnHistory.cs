// The tail of this server's txn log in memory: what a leader syncs learners from (DIFF/TRUNC) and what a
// learner or a new leader applies once its history is confirmed. It mirrors the log exactly: appended when
// a txn goes to the journal, truncated with it, reset by a SNAP. Owned by one role actor at a time (the
// PeerActor hands it from role to role); not thread-safe.
using Zk.Core.DataTree;

namespace Zk.Core.Zab;

/// <summary>One logged txn. The decoded txn is kept only until the tree has been sent it (TxnHistory.AppliedZxid);
/// after that it is decoded again from the payload if ever asked for, which saves ~200 bytes per entry of a history
/// that keeps commitLogCount (20,000) entries.</summary>
public sealed class HistoryEntry(long zxid, ReadOnlyMemory<byte> payload, Txn txn)
{
    private Txn? _txn = txn;

    public long Zxid { get; } = zxid;

    public ReadOnlyMemory<byte> Payload { get; } = payload;

    public Txn Txn => _txn ?? TxnCodec.Decode(Payload.Span);

    internal void ReleaseTxn() => _txn = null;
}

public sealed class TxnHistory
{
    private readonly List<HistoryEntry> _entries = [];
    private readonly int _maxEntries;
    private int _start;
    private long _appliedZxid;
    // Entries before this index have released their decoded txn.
    private int _released;

    public TxnHistory(long baseZxid, int maxEntries = 100_000)
    {
        BaseZxid = baseZxid;
        AppliedZxid = baseZxid;
        _maxEntries = maxEntries;
    }

    /// <summary>The zxid the server's tree has applied (or been sent to apply) through. Entries after it are still
    /// needed to apply, so trimming never drops them, however many there are.</summary>
    public long AppliedZxid
    {
        get => _appliedZxid;
        set
        {
            _appliedZxid = value;
            var end = LowerBound(value + 1);
            for (var i = Math.Max(_released, _start); i < end; i++) _entries[i].ReleaseTxn();
            _released = Math.Max(_released, end);
        }
    }

    /// <summary>Everything up to BaseZxid is in a snapshot or trimmed; entries cover (BaseZxid, LastZxid].</summary>
    public long BaseZxid { get; private set; }

    public long LastZxid => Count > 0 ? _entries[^1].Zxid : BaseZxid;

    public int Count => _entries.Count - _start;

    /// <summary>The zxid before the oldest entry kept: a learner at or after it can be synced by DIFF/TRUNC.</summary>
    public long FloorZxid => Count > 0 ? (_start > 0 ? _entries[_start - 1].Zxid : BaseZxid) : LastZxid;

    public void Append(HistoryEntry e)
    {
        if (e.Zxid <= LastZxid) throw new InvalidOperationException($"history append 0x{e.Zxid:x} after 0x{LastZxid:x}: zxids must only grow");
        _entries.Add(e);
        if (Count > _maxEntries) Trim();
    }

    /// <summary>Is <paramref name="zxid"/> a txn of this history (or its floor)?</summary>
    public bool Contains(long zxid) => zxid == FloorZxid || IndexOf(zxid) >= 0;

    /// <summary>Entries with Floor &lt; zxid, after <paramref name="afterZxid"/>, up to <paramref name="throughZxid"/>.</summary>
    public IEnumerable<HistoryEntry> Range(long afterZxid, long throughZxid)
    {
        var i = LowerBound(afterZxid + 1);
        for (; i < _entries.Count && _entries[i].Zxid <= throughZxid; i++) yield return _entries[i];
    }

    /// <summary>The last entry of <paramref name="epoch"/>, if the history has any txn of that epoch.</summary>
    public long? LastOfEpoch(int epoch)
    {
        long? found = null;
        for (var i = _entries.Count - 1; i >= _start; i--)
        {
            var e = (int)(_entries[i].Zxid >>> 32);
            if (e == epoch) return _entries[i].Zxid;
            if (e < epoch) break;
        }
        return found;
    }

    /// <summary>Drops every entry after <paramref name="zxid"/> (a TRUNC).</summary>
    public void TruncateAfter(long zxid)
    {
        var i = LowerBound(zxid + 1);
        _entries.RemoveRange(i, _entries.Count - i);
        if (_start > _entries.Count) _start = _entries.Count;
        if (_released > _entries.Count) _released = _entries.Count;
        if (zxid < BaseZxid) BaseZxid = zxid;
    }

    /// <summary>Forgets everything: the state is now a snapshot at <paramref name="zxid"/> (a SNAP).</summary>
    public void Reset(long zxid)
    {
        _entries.Clear();
        _start = 0;
        _released = 0;
        BaseZxid = zxid;
        AppliedZxid = zxid;
    }

    private void Trim()
    {
        // Drop the oldest half in one go, so trimming is amortised O(1) per append; never an unapplied entry.
        var drop = Math.Min(_maxEntries / 2, LowerBound(AppliedZxid + 1) - _start);
        if (drop <= 0) return;
        _start += drop;
        if (_start > _entries.Count / 2)
        {
            BaseZxid = _entries[_start - 1].Zxid;
            _entries.RemoveRange(0, _start);
            _released = Math.Max(0, _released - _start);
            _start = 0;
        }
    }

    private int IndexOf(long zxid)
    {
        var i = LowerBound(zxid);
        return i < _entries.Count && _entries[i].Zxid == zxid ? i : -1;
    }

    private int LowerBound(long zxid)
    {
        int lo = _start, hi = _entries.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_entries[mid].Zxid < zxid) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
