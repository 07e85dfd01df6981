// The leader's broadcast bookkeeping (zab.md §7), pure: proposals in zxid order, cumulative ACKs per voter,
// commit strictly in order once a quorum of voters has logged a zxid, and sync() markers released when every
// proposal before them has committed. Single-threaded; owned by the LeaderActor.
using System.Diagnostics;
using Zk.Core.DataTree;

namespace Zk.Core.Zab;

/// <summary>A proposal of this epoch. Payload is the serialized txn, shared by the journal and every PROPOSAL.</summary>
public sealed record Proposal(Txn Txn, ReadOnlyMemory<byte> Payload)
{
    public long Zxid => Txn.Zxid;
}

/// <summary>A sync() from a session of server <paramref name="Origin"/>: answered once every earlier proposal committed.</summary>
public sealed record SyncMarker(int Origin, long SessionId, int Xid);

public sealed class ProposalPipeline
{
    private readonly QuorumVerifier _quorum;
    private readonly Queue<Proposal> _outstanding = new();
    private readonly Queue<(long AfterZxid, SyncMarker Marker)> _syncs = new();
    private readonly Dictionary<int, long> _acked = [];
    private readonly long[] _scratch;

    public ProposalPipeline(QuorumVerifier quorum, long lastCommittedZxid)
    {
        _quorum = quorum;
        LastCommitted = lastCommittedZxid;
        LastProposed = lastCommittedZxid;
        _scratch = new long[quorum.Voters.Count];
    }

    public long LastProposed { get; private set; }

    public long LastCommitted { get; private set; }

    public int OutstandingCount => _outstanding.Count;

    public IEnumerable<Proposal> Outstanding => _outstanding;

    /// <summary>Oldest proposal still waiting for its quorum, for the "learner too slow" check.</summary>
    public Proposal? OldestOutstanding => _outstanding.Count > 0 ? _outstanding.Peek() : null;

    public void Propose(Proposal p)
    {
        if (p.Zxid <= LastProposed)
            throw new InvalidOperationException($"proposal 0x{p.Zxid:x} does not follow 0x{LastProposed:x}: zxids must only grow");
        LastProposed = p.Zxid;
        _outstanding.Enqueue(p);
    }

    /// <summary>Adds a sync marker behind every proposal made so far.</summary>
    public void AddSync(SyncMarker marker) => _syncs.Enqueue((LastProposed, marker));

    /// <summary>A voter durably logged everything up to <paramref name="zxid"/> (ACKs are cumulative). Ignores non-voters.</summary>
    public void Ack(int serverId, long zxid)
    {
        if (!_quorum.IsVoter(serverId)) return;
        if (_acked.TryGetValue(serverId, out var prev) && prev >= zxid) return;
        _acked[serverId] = zxid;
    }

    /// <summary>Forgets a voter's acks (its link closed); its later ACKs start afresh.</summary>
    public void Forget(int serverId) => _acked.Remove(serverId);

    /// <summary>Moves every proposal that a quorum has acked, in order, to <paramref name="committed"/>, and the sync
    /// markers they release to <paramref name="syncs"/>.</summary>
    public void Collect(List<Proposal> committed, List<SyncMarker> syncs)
    {
        var released = new List<(SyncMarker, long)>();
        Collect(committed, released);
        foreach (var (marker, _) in released) syncs.Add(marker);
    }

    /// <summary>As above, with the zxid each sync completes at: the last proposal made before it. A reply must carry
    /// that, not the newest commit, which may already include the session's later writes.</summary>
    public void Collect(List<Proposal> committed, List<(SyncMarker Marker, long Zxid)> syncs)
    {
        var through = QuorumAckedZxid();
        while (_outstanding.Count > 0 && _outstanding.Peek().Zxid <= through)
        {
            var p = _outstanding.Dequeue();
            Debug.Assert(p.Zxid > LastCommitted, "commits are strictly in zxid order");
            LastCommitted = p.Zxid;
            committed.Add(p);
        }
        while (_syncs.Count > 0 && _syncs.Peek().AfterZxid <= LastCommitted)
        {
            var (after, marker) = _syncs.Dequeue();
            syncs.Add((marker, after));
        }
    }

    /// <summary>The highest zxid that at least a quorum of voters has acked.</summary>
    private long QuorumAckedZxid()
    {
        var n = 0;
        foreach (var v in _quorum.Voters) _scratch[n++] = _acked.TryGetValue(v, out var z) ? z : 0;
        Array.Sort(_scratch, 0, n);
        // Sorted ascending: the value at n - quorum is acked by at least `quorum` voters.
        return _scratch[n - _quorum.QuorumSize];
    }
}
