// The end-of-run half of the cluster checker: once faults are healed and clients are quiet, every live server
// has applied the whole committed sequence, to equal trees (digest kept incrementally = digest recomputed from
// scratch), and no ephemeral node is left without its session.
namespace Zk.Simulation.Checking;

internal sealed partial class ClusterChecker
{
    /// <summary>True when every live server's tree is at the end of the committed sequence; with
    /// <paramref name="report"/>, failures are recorded and the trees are checked in depth.</summary>
    public bool Converged(IReadOnlyList<int> live, bool report)
    {
        var last = _g.Count > 0 ? _g[^1].Zxid : _initialTreeZxid;
        foreach (var id in live)
        {
            var tree = _trees.GetValueOrDefault(id);
            if (tree is null || AppliedCount(id) != _g.Count || tree.LastProcessedZxid != last)
            {
                if (report) Fail($"s{id} did not converge: applied 0x{tree?.LastProcessedZxid ?? -1:x}, the committed sequence ends at 0x{last:x}");
                return false;
            }
        }
        if (_committedOrder.Count > 0 && _committedOrder[^1] > last)
        {
            if (report) Fail($"committed 0x{_committedOrder[^1]:x} was never applied by any server");
            return false;
        }
        if (!report) return true;
        var digest = _g.Count > 0 ? _g[^1].Digest : _initialDigest;
        foreach (var id in live)
        {
            var tree = _trees[id];
            if (tree.Digest != digest) Fail($"s{id} ends with digest {tree.Digest:x} instead of {digest:x}");
            if (tree.ComputeDigest() != tree.Digest) Fail($"s{id}: the incremental digest disagrees with a full recomputation");
            var sessions = tree.SessionIds.ToHashSet();
            foreach (var (sid, paths) in tree.EphemeralsBySession())
                if (!sessions.Contains(sid)) Fail($"s{id}: {paths.Count} ephemerals (e.g. {paths[0]}) of session 0x{sid:x}, which is closed");
        }
        _trace.Event($"converged at 0x{last:x}: {_g.Count} txns, {_ghost.Count} proposals, {_establishedBy.Count} leaders");
        return !Failed;
    }
}
