// How a leader brings one learner up to date (zab.md §6), decided from the learner's last logged zxid and the
// leader's in-memory history. Pure. The rule that keeps it safe: a learner's log is the history it synced to
// plus a prefix of one epoch's proposals, so TRUNC is only used within an epoch both sides have txns of;
// anything else gets a SNAP (ZOOKEEPER-1154).
namespace Zk.Core.Zab;

public enum SyncMode
{
    Diff,
    Trunc,
    Snap,
}

/// <summary>FromZxid: send every history txn after it (after truncating the learner to it, for TRUNC).</summary>
public readonly record struct SyncPlan(SyncMode Mode, long FromZxid);

public static class SyncPlanner
{
    public static SyncPlan Plan(TxnHistory history, long learnerLastZxid, long leaderLastZxid)
    {
        if (learnerLastZxid == leaderLastZxid) return new SyncPlan(SyncMode.Diff, learnerLastZxid);
        if (learnerLastZxid >= history.FloorZxid && learnerLastZxid < leaderLastZxid && history.Contains(learnerLastZxid))
            return new SyncPlan(SyncMode.Diff, learnerLastZxid);
        var epoch = (int)(learnerLastZxid >>> 32);
        if (history.LastOfEpoch(epoch) is { } lastOfEpoch && lastOfEpoch < learnerLastZxid && lastOfEpoch >= history.FloorZxid)
        {
            // Both logs hold a prefix of the same epoch's proposals: they agree up to the shorter one.
            return new SyncPlan(SyncMode.Trunc, lastOfEpoch);
        }
        return new SyncPlan(SyncMode.Snap, 0);
    }
}
