// The applied-state half of the cluster checker. G is the one committed sequence every server's tree must be a
// prefix of (agreement, total order, primary order): each apply is compared with G at that server's position,
// with equal digests at equal zxids; nothing is applied before it is committed. Sessions: none returns after
// its close, no ephemeral outlives its session. Disks: acceptedEpoch ≥ currentEpoch, both monotone; logs
// strictly increasing; a committed txn is never truncated unless a durable snapshot covers it.
using Zk.Actors.Tree;
using Zk.Actors.Journal;
using Zk.Core.Testing;
using Zk.Actors.Server;
using Zk.Core.DataTree;
using Zk.Core.Storage;

namespace Zk.Simulation.Checking;

/// <summary>One txn of the committed sequence, with the digest of the tree right after it.</summary>
internal sealed record AppliedTxn(int Index, long Zxid, ulong Fingerprint, ulong Digest, Txn Txn);

internal sealed partial class ClusterChecker
{
    private readonly List<AppliedTxn> _g = [];
    private readonly Dictionary<long, int> _gIndex = [];
    private readonly Dictionary<int, int> _appliedCount = [];
    private readonly Dictionary<int, DataTree> _trees = [];
    private readonly Dictionary<int, (long Accepted, long Current, int LogCount)> _disks = [];
    private readonly Dictionary<long, long> _sessionClosedAt = [];
    private ulong _initialDigest;
    private long _initialTreeZxid;

    public IReadOnlyList<AppliedTxn> Sequence => _g;

    public bool TryGetApplied(long zxid, out AppliedTxn txn)
    {
        if (_gIndex.TryGetValue(zxid, out var i))
        {
            txn = _g[i];
            return true;
        }
        txn = null!;
        return false;
    }

    public DataTree? TreeOf(int serverId) => _trees.GetValueOrDefault(serverId);

    /// <summary>Some server has applied the committed close of this session.</summary>
    public bool IsSessionClosed(long sessionId) => _sessionClosedAt.ContainsKey(sessionId);

    private int AppliedCount(int serverId) => _appliedCount.GetValueOrDefault(serverId);

    /// <summary>A server started from its disk: its tree must be a state of G, its epochs sane.</summary>
    public void Recovered(int serverId, DataTree tree, InMemoryDisk disk)
    {
        if (_trees.Count == 0 && _g.Count == 0)
        {
            _initialDigest = tree.Digest;
            _initialTreeZxid = tree.LastProcessedZxid;
        }
        Position(serverId, tree, "recovered");
        Synced(serverId, disk);
    }

    void IServerProbe.TreeReplaced(int serverId, DataTree tree)
    {
        _trace.Event($"s{serverId} tree replaced by a snapshot at 0x{tree.LastProcessedZxid:x}");
        Position(serverId, tree, "SNAP");
    }

    private void Position(int serverId, DataTree tree, string how)
    {
        _trees[serverId] = tree;
        if (tree.ReplayAnomalies != 0) Fail($"s{serverId} {how}: tree has {tree.ReplayAnomalies} replay anomalies");
        var zxid = tree.LastProcessedZxid;
        if (zxid == _initialTreeZxid)
        {
            _appliedCount[serverId] = 0;
            if (tree.Digest != _initialDigest) Fail($"s{serverId} {how}: initial tree with a different digest");
            return;
        }
        if (!_gIndex.TryGetValue(zxid, out var i))
        {
            Fail($"s{serverId} {how}: tree at 0x{zxid:x}, a state no server applied");
            _appliedCount[serverId] = _g.Count;
            return;
        }
        _appliedCount[serverId] = i + 1;
        if (_g[i].Digest != tree.Digest) Fail($"s{serverId} {how}: digest at 0x{zxid:x} differs from the one applied there");
    }

    void IServerProbe.Applied(int serverId, Txn txn, DataTree tree)
    {
        _trees[serverId] = tree;
        var k = AppliedCount(serverId);
        var fp = Fingerprint.Of(txn);
        if (k < _g.Count)
        {
            var g = _g[k];
            if (g.Zxid != txn.Zxid || g.Fingerprint != fp)
                Fail($"s{serverId} applied 0x{txn.Zxid:x} where the committed sequence has 0x{g.Zxid:x} (position {k})");
            else if (g.Digest != tree.Digest)
                Fail($"s{serverId} digest after 0x{txn.Zxid:x} differs from the other servers'");
            _appliedCount[serverId] = k + 1;
            return;
        }
        if (_g.Count > 0 && txn.Zxid <= _g[^1].Zxid) Fail($"s{serverId} applied 0x{txn.Zxid:x} after 0x{_g[^1].Zxid:x}");
        if (!_ghost.TryGetValue(txn.Zxid, out var ghost)) Fail($"s{serverId} applied 0x{txn.Zxid:x}, which no leader proposed");
        else if (ghost.Fingerprint != fp) Fail($"s{serverId} applied a txn at 0x{txn.Zxid:x} that differs from the proposal");
        if (!_committed.TryGetValue(txn.Zxid, out var committedFp)) Fail($"s{serverId} applied 0x{txn.Zxid:x} before it was committed");
        else if (committedFp != fp) Fail($"s{serverId} applied a txn at 0x{txn.Zxid:x} that differs from the committed one");
        if (_skipped.Contains(txn.Zxid)) Fail($"s{serverId} applied 0x{txn.Zxid:x}, which an established leader had skipped");
        if (tree.ReplayAnomalies != 0) Fail($"s{serverId} applying 0x{txn.Zxid:x} hit a replay anomaly (a txn that does not fit the tree)");
        CheckSessions(serverId, txn, tree);
        var entry = new AppliedTxn(_g.Count, txn.Zxid, fp, tree.Digest, txn);
        _gIndex[txn.Zxid] = _g.Count;
        _g.Add(entry);
        _appliedCount[serverId] = k + 1;
    }

    private void CheckSessions(int serverId, Txn txn, DataTree tree)
    {
        var sid = txn.SessionId;
        switch (txn.Body)
        {
            case CreateSessionTxn:
                if (_sessionClosedAt.TryGetValue(sid, out var closed)) Fail($"session 0x{sid:x} was created again at 0x{txn.Zxid:x} after its close at 0x{closed:x}");
                break;
            case CloseSessionTxn:
                if (tree.GetEphemerals(sid).Count > 0) Fail($"session 0x{sid:x} closed at 0x{txn.Zxid:x} but keeps ephemerals");
                if (tree.HasSession(sid)) Fail($"session 0x{sid:x} survived its close at 0x{txn.Zxid:x}");
                _sessionClosedAt.TryAdd(sid, txn.Zxid);
                break;
            case CreateTxn c when c.Mode is Zk.Protocol.CreateMode.Ephemeral or Zk.Protocol.CreateMode.EphemeralSequential:
                if (!tree.HasSession(sid)) Fail($"ephemeral {c.Path} created at 0x{txn.Zxid:x} for session 0x{sid:x}, which is not live");
                break;
            case MultiTxn m when !m.Failed:
                foreach (var op in m.Ops)
                {
                    if (op is CreateTxn { Mode: Zk.Protocol.CreateMode.Ephemeral or Zk.Protocol.CreateMode.EphemeralSequential } mc && !tree.HasSession(sid))
                        Fail($"ephemeral {mc.Path} created at 0x{txn.Zxid:x} for session 0x{sid:x}, which is not live");
                }
                break;
        }
    }

    // ---- journals ----

    /// <summary>A journal append: the txn must be exactly the one a leader proposed for that zxid.</summary>
    public void Logging(int serverId, long zxid, ReadOnlySpan<byte> payload)
    {
        if (!_ghost.TryGetValue(zxid, out var ghost)) Fail($"s{serverId} logs 0x{zxid:x}, which no leader proposed");
        else if (!payload.SequenceEqual(ghost.Payload)) Fail($"s{serverId} logs a txn at 0x{zxid:x} that differs from the proposal");
    }

    public void Synced(int serverId, InMemoryDisk disk)
    {
        var (accepted, current) = (disk.AcceptedEpoch, disk.CurrentEpoch);
        if (accepted < current) Fail($"s{serverId} disk: acceptedEpoch {accepted} < currentEpoch {current}");
        var log = disk.Log;
        var from = 1;
        if (_disks.TryGetValue(serverId, out var before))
        {
            if (accepted < before.Accepted) Fail($"s{serverId} disk: acceptedEpoch went back from {before.Accepted} to {accepted}");
            if (current < before.Current) Fail($"s{serverId} disk: currentEpoch went back from {before.Current} to {current}");
            from = Math.Max(1, Math.Min(before.LogCount, log.Count));
        }
        var snapshot = NewestSnapshotZxid(disk);
        for (var i = from; i < log.Count; i++)
        {
            var (prev, zxid) = (log[i - 1].Zxid, log[i].Zxid);
            if (zxid <= prev) Fail($"s{serverId} disk: log not increasing at 0x{zxid:x}");
            // After the newest snapshot the log is the history itself: no hole inside an epoch.
            else if (prev >= snapshot && prev >>> 32 == zxid >>> 32 && zxid != prev + 1)
                Fail($"s{serverId} disk: log jumps from 0x{prev:x} to 0x{zxid:x} inside epoch {zxid >>> 32}");
        }
        _disks[serverId] = (accepted, current, log.Count);
    }

    public void Truncated(int serverId, long zxid, IReadOnlyList<long> dropped, InMemoryDisk disk)
    {
        _trace.Event($"s{serverId} journal truncated after 0x{zxid:x}, dropping {dropped.Count}");
        var snapshot = NewestSnapshotZxid(disk);
        foreach (var z in dropped)
            if (_committed.ContainsKey(z) && z > snapshot)
                Fail($"s{serverId} truncated committed 0x{z:x} (durable snapshot only at 0x{snapshot:x})");
        _disks[serverId] = _disks.GetValueOrDefault(serverId) with { LogCount = disk.Log.Count };
    }

    public void Purged(int serverId, InMemoryDisk disk) =>
        _disks[serverId] = _disks.GetValueOrDefault(serverId) with { LogCount = disk.Log.Count };

    /// <summary>An actor of a server failed: a broken invariant inside the server.</summary>
    public void ServerError(int serverId, string message) => Fail($"s{serverId} error: {message}");
}
