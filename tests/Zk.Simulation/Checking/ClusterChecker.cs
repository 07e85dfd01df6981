// Checks zab.md §2 and §13 on one simulated ensemble, at the moment each event happens (it is the servers'
// IServerProbe, the journals' observer and the network's packet observer): one established leader per epoch
// and increasing epochs; a ghost log of every proposal (one txn per zxid, nothing logged that no leader
// proposed); commits only with a durable quorum of voters; every committed txn in each later leader's initial
// history and never truncated; skipped txns never resurrected. Applied state and disks: ClusterChecker.State.cs.
// Single-threaded: it runs inside the simulation's actor turns and the harness between them.
using Zk.Actors.Tree;
using Zk.Actors.Journal;
using Zk.Core.Testing;
using Zk.Actors.Server;
using Zk.Actors.Zab;
using Zk.Protocol;
using Zk.Simulation.Harness;
using Zk.Core.DataTree;
using Zk.Core.Storage;
using Zk.Core.Zab;

namespace Zk.Simulation.Checking;

internal sealed record GhostTxn(long Zxid, byte[] Payload, ulong Fingerprint, int Proposer, long Epoch);

internal sealed partial class ClusterChecker : IServerProbe
{
    private readonly SimCluster _cluster;
    private readonly TraceLog _trace;
    private readonly List<string> _violations = [];
    private readonly Dictionary<long, GhostTxn> _ghost = [];
    private readonly Dictionary<long, int> _establishedBy = [];
    private readonly List<long> _committedOrder = [];
    private readonly Dictionary<long, ulong> _committed = [];
    private readonly HashSet<long> _skipped = [];
    private readonly Dictionary<SimLink, long> _leaderInfoSent = [];
    private readonly Dictionary<QuorumPacketType, int> _syncPackets = [];
    private long _maxEstablished = -1;

    public ClusterChecker(SimCluster cluster, TraceLog trace)
    {
        _cluster = cluster;
        _trace = trace;
    }

    public IReadOnlyList<string> Violations => _violations;

    public bool Failed => _violations.Count > 0;

    /// <summary>Epoch → server, for every leader that ever established, in epoch order.</summary>
    public IReadOnlyDictionary<long, int> EstablishedLeaders => _establishedBy;

    public int ProposalCount => _ghost.Count;

    public int CommittedCount => _committed.Count;

    /// <summary>How many DIFF, TRUNC and SNAP syncs the run saw: a measure of what the faults exercised.</summary>
    public int SyncsOf(QuorumPacketType type) => _syncPackets.GetValueOrDefault(type);

    /// <summary>Raised when a leader establishes: (server, epoch); the election-latency test times it.</summary>
    public Action<int, long>? OnEstablished { get; set; }

    public void Fail(string message)
    {
        if (_violations.Count < 20) _violations.Add(message);
        _trace.Event("VIOLATION " + message);
    }

    private static string Z(long zxid) => $"0x{zxid:x}";

    private bool IsVoter(int serverId) => _cluster.Voters.Contains(serverId);

    // ---- proposals and commits (leader) ----

    void IServerProbe.Proposed(int serverId, long epoch, Txn txn, ReadOnlyMemory<byte> payload)
    {
        var zxid = new Zxid(txn.Zxid);
        if (!_establishedBy.TryGetValue(epoch, out var leader) || leader != serverId)
            Fail($"s{serverId} proposed {Z(txn.Zxid)} in epoch {epoch} without being its established leader");
        if (zxid.Epoch != epoch) Fail($"s{serverId} (epoch {epoch}) proposed {Z(txn.Zxid)} of another epoch");
        if (zxid.IsEpochMarker) Fail($"s{serverId} proposed the epoch marker {Z(txn.Zxid)}");
        var bytes = payload.ToArray();
        var fp = Fingerprint.Of(bytes);
        if (_ghost.TryGetValue(txn.Zxid, out var known))
        {
            if (known.Fingerprint != fp) Fail($"zxid {Z(txn.Zxid)} proposed twice with different txns (s{known.Proposer}, then s{serverId})");
            return;
        }
        _ghost[txn.Zxid] = new GhostTxn(txn.Zxid, bytes, fp, serverId, epoch);
    }

    void IServerProbe.Committed(int serverId, long epoch, IReadOnlyList<Proposal> proposals)
    {
        foreach (var p in proposals)
        {
            if (!_ghost.TryGetValue(p.Zxid, out var ghost))
            {
                Fail($"s{serverId} committed {Z(p.Zxid)}, which no leader proposed");
                continue;
            }
            if (_skipped.Contains(p.Zxid)) Fail($"s{serverId} committed {Z(p.Zxid)}, which an established leader had skipped");
            var holders = _cluster.Voters.Count(v => DurablyHolds(_cluster.Servers[v].Disk, p.Zxid, ghost.Fingerprint));
            if (holders < _cluster.Voters.Count / 2 + 1)
                Fail($"s{serverId} (epoch {epoch}) committed {Z(p.Zxid)} while only {holders} voters hold it durably");
            AddCommitted(p.Zxid, ghost.Fingerprint, $"s{serverId} commit");
        }
        _trace.Event($"s{serverId} committed through {Z(proposals[^1].Zxid)}");
    }

    private void AddCommitted(long zxid, ulong fingerprint, string who)
    {
        if (_committed.TryGetValue(zxid, out var known))
        {
            if (known != fingerprint) Fail($"{who}: zxid {Z(zxid)} committed with two different txns");
            return;
        }
        _committed[zxid] = fingerprint;
        var i = _committedOrder.BinarySearch(zxid);
        _committedOrder.Insert(~i, zxid);
    }

    public bool IsCommitted(long zxid) => _committed.ContainsKey(zxid);

    // ---- establishment (zab.md §5, §6, §8) ----

    void IServerProbe.LeaderEstablished(int serverId, long epoch, TxnHistory history, long treeZxid, long lastZxid)
    {
        _trace.Event($"s{serverId} ESTABLISHED epoch {epoch}: tree {Z(treeZxid)}, last {Z(lastZxid)}");
        if (!_establishedBy.TryAdd(epoch, serverId)) Fail($"two leaders established epoch {epoch}: s{_establishedBy[epoch]} and s{serverId}");
        if (epoch <= _maxEstablished) Fail($"s{serverId} established epoch {epoch} after epoch {_maxEstablished} was established");
        _maxEstablished = Math.Max(_maxEstablished, epoch);
        var applied = AppliedCount(serverId);
        var treeIndexZxid = applied == 0 ? 0 : _g[applied - 1].Zxid;
        if (treeIndexZxid != treeZxid && !(applied == 0 && treeZxid == _initialTreeZxid))
            Fail($"s{serverId} leads from tree {Z(treeZxid)} but the checker saw it apply through {Z(treeIndexZxid)}");
        CheckInitialHistoryHoldsCommitted(serverId, epoch, history, treeZxid, lastZxid, applied);
        CheckInitialHistoryIsDurable(serverId, history, treeZxid, lastZxid);
        MarkSkipped(epoch, history, treeZxid, lastZxid, applied);
        // The whole initial history is committed in this epoch once the NEWLEADER quorum formed.
        foreach (var e in history.Range(treeZxid, lastZxid))
            AddCommitted(e.Zxid, Fingerprint.Of(e.Payload.Span), $"s{serverId} establishing epoch {epoch}");
        OnEstablished?.Invoke(serverId, epoch);
    }

    /// <summary>Committed never lost: every txn committed so far is in the tree or the history of the new leader.</summary>
    private void CheckInitialHistoryHoldsCommitted(int serverId, long epoch, TxnHistory history, long treeZxid, long lastZxid, int applied)
    {
        foreach (var c in _committedOrder)
        {
            if (c <= treeZxid)
            {
                if (!_gIndex.TryGetValue(c, out var i) || i >= applied)
                    Fail($"s{serverId} established epoch {epoch} with a tree at {Z(treeZxid)} that lacks committed {Z(c)}");
                continue;
            }
            if (c > lastZxid)
            {
                Fail($"s{serverId} established epoch {epoch} with history to {Z(lastZxid)}, losing committed {Z(c)}");
                continue;
            }
            var entry = history.Range(c - 1, c).FirstOrDefault();
            if (entry is null || entry.Zxid != c) Fail($"s{serverId} established epoch {epoch} without committed {Z(c)} in its history");
            else if (Fingerprint.Of(entry.Payload.Span) != _committed[c]) Fail($"s{serverId} established epoch {epoch} with a different txn at committed {Z(c)}");
        }
    }

    /// <summary>The initial history must be on the leader's disk: it is about to be committed.</summary>
    private void CheckInitialHistoryIsDurable(int serverId, TxnHistory history, long treeZxid, long lastZxid)
    {
        var disk = _cluster.Servers[serverId].Disk;
        foreach (var e in history.Range(treeZxid, lastZxid))
        {
            if (!DurablyHolds(disk, e.Zxid, Fingerprint.Of(e.Payload.Span)))
                Fail($"s{serverId} establishes with {Z(e.Zxid)} in its history but not on its disk");
        }
    }

    /// <summary>Never resurrected: a proposal of an older epoch that the new leader lacks may never be delivered.</summary>
    private void MarkSkipped(long epoch, TxnHistory history, long treeZxid, long lastZxid, int applied)
    {
        foreach (var g in _ghost.Values)
        {
            if (g.Epoch >= epoch || _skipped.Contains(g.Zxid)) continue;
            bool kept;
            if (g.Zxid <= treeZxid) kept = _gIndex.TryGetValue(g.Zxid, out var i) && i < applied;
            else kept = g.Zxid <= lastZxid && history.Range(g.Zxid - 1, g.Zxid).Any(e => e.Zxid == g.Zxid);
            if (!kept) _skipped.Add(g.Zxid);
        }
    }

    // ---- what travels on links (zab.md §1: persist before you say so) ----

    public void OnPacket(int from, int to, IQuorumLink link, QuorumPacket packet)
    {
        var disk = _cluster.Servers[from].Disk;
        switch (packet)
        {
            case LeaderInfo li:
                if (disk.AcceptedEpoch < li.Epoch) Fail($"s{from} sent LEADERINFO({li.Epoch}) with acceptedEpoch {disk.AcceptedEpoch} on disk");
                if (link is SimLink.End e) _leaderInfoSent[e.Link] = li.Epoch;
                break;
            case AckEpoch:
                if (link is SimLink.End end && _leaderInfoSent.TryGetValue(end.Link, out var offered) && disk.AcceptedEpoch < offered)
                    Fail($"s{from} sent ACKEPOCH for epoch {offered} with acceptedEpoch {disk.AcceptedEpoch} on disk");
                break;
            case Ack a when (a.Zxid & 0xffffffffL) == 0:
                if (disk.CurrentEpoch < a.Zxid >>> 32) Fail($"s{from} acked NEWLEADER({a.Zxid >>> 32}) with currentEpoch {disk.CurrentEpoch} on disk");
                break;
            case Ack a:
                if (DurableTail(disk) < a.Zxid) Fail($"s{from} acked {Z(a.Zxid)} with only {Z(DurableTail(disk))} durable");
                return;
            case Ping or Commit or ProposalPacket or Inform or RequestPacket or SyncPacket or Revalidate or RevalidateReply:
                return;
        }
        if (packet is Diff or Trunc or Snap) _syncPackets[packet.Type] = SyncsOf(packet.Type) + 1;
        _trace.Event($"s{from}->s{to} {packet.Type} {Describe(packet)}");
    }

    private static string Describe(QuorumPacket p) => p switch
    {
        FollowerInfo f => $"acceptedEpoch {f.AcceptedEpoch}{(f.IsObserver ? " observer" : "")}",
        AckEpoch a => $"currentEpoch {a.CurrentEpoch} last {Z(a.LastLoggedZxid)}",
        Diff d => Z(d.LeaderLastZxid),
        Trunc t => Z(t.Zxid),
        Snap s => Z(s.Zxid),
        NewLeader n => n.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Ack a => Z(a.Zxid),
        _ => "",
    };

    // ---- disks ----

    /// <summary>A durable copy of zxid: the synced log holds that txn, or a durable snapshot covers it.</summary>
    private static bool DurablyHolds(InMemoryDisk disk, long zxid, ulong fingerprint)
    {
        if (NewestSnapshotZxid(disk) >= zxid) return true;
        var log = disk.Log;
        int lo = 0, hi = log.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (log[mid].Zxid == zxid) return Fingerprint.Of(log[mid].Payload) == fingerprint;
            if (log[mid].Zxid < zxid) lo = mid + 1;
            else hi = mid - 1;
        }
        return false;
    }

    private static long DurableTail(InMemoryDisk disk) => Math.Max(disk.Log.Count > 0 ? disk.Log[^1].Zxid : 0, NewestSnapshotZxid(disk));

    internal static long NewestSnapshotZxid(InMemoryDisk disk)
    {
        long newest = 0;
        foreach (var name in disk.Files.Keys)
            if (SnapshotNames.TryParse(name, out var z) && z > newest) newest = z;
        return newest;
    }
}
