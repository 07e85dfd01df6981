// Specifications of how a leader chooses DIFF, TRUNC or SNAP for a learner (zab.md §6, ZOOKEEPER-1154).
using Zk.Protocol;
using Zk.Core.DataTree;
using Zk.Core.Zab;

namespace Zk.Core.Tests.Zab;

public sealed class SyncPlannerTests
{
    private static long Z(int epoch, uint counter) => Zxid.Make(epoch, counter).Value;

    private static TxnHistory History(long baseZxid, params long[] zxids)
    {
        var h = new TxnHistory(baseZxid);
        foreach (var z in zxids) h.Append(new HistoryEntry(z, Array.Empty<byte>(), new Txn(1, 1, z, 0, new ErrorTxn(KeeperErrorCode.Ok))));
        return h;
    }

    [Fact]
    public void A_learner_at_the_leaders_last_zxid_gets_an_empty_diff()
    {
        var h = History(0, Z(1, 1), Z(1, 2));
        Assert.Equal(new SyncPlan(SyncMode.Diff, Z(1, 2)), SyncPlanner.Plan(h, Z(1, 2), Z(1, 2)));
    }

    [Fact]
    public void A_learner_behind_within_the_history_gets_a_diff_from_its_zxid()
    {
        var h = History(0, Z(1, 1), Z(1, 2), Z(2, 1));
        Assert.Equal(new SyncPlan(SyncMode.Diff, Z(1, 1)), SyncPlanner.Plan(h, Z(1, 1), Z(2, 1)));
        Assert.Equal(new SyncPlan(SyncMode.Diff, 0), SyncPlanner.Plan(h, 0, Z(2, 1)));
    }

    [Fact]
    public void A_learner_ahead_in_the_leaders_last_epoch_is_truncated_to_the_leaders_last_txn_of_it()
    {
        var h = History(0, Z(1, 1), Z(1, 2));
        Assert.Equal(new SyncPlan(SyncMode.Trunc, Z(1, 2)), SyncPlanner.Plan(h, Z(1, 5), Z(1, 2)));
    }

    [Fact]
    public void A_learner_with_a_divergent_suffix_in_an_older_epoch_is_truncated_within_that_epoch()
    {
        var h = History(0, Z(1, 1), Z(1, 2), Z(2, 1));
        Assert.Equal(new SyncPlan(SyncMode.Trunc, Z(1, 2)), SyncPlanner.Plan(h, Z(1, 3), Z(2, 1)));
    }

    [Fact]
    public void A_learner_whose_epoch_the_leader_never_saw_gets_a_snapshot()
    {
        var h = History(0, Z(1, 1), Z(3, 1));
        Assert.Equal(SyncMode.Snap, SyncPlanner.Plan(h, Z(2, 4), Z(3, 1)).Mode);
    }

    [Fact]
    public void A_learner_behind_the_history_floor_gets_a_snapshot()
    {
        var h = History(Z(1, 10), Z(1, 11), Z(1, 12));
        Assert.Equal(SyncMode.Snap, SyncPlanner.Plan(h, Z(1, 5), Z(1, 12)).Mode);
    }
}
