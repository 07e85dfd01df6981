// Specifications of the leader's broadcast bookkeeping: quorum commit, strict order, cumulative ACKs, observers
// and sync markers.
using Zk.Protocol;
using Zk.Core.DataTree;
using Zk.Core.Zab;

namespace Zk.Core.Tests.Zab;

public sealed class ProposalPipelineTests
{
    private static Proposal P(long zxid) => new(new Txn(1, 1, zxid, 0, new ErrorTxn(KeeperErrorCode.Ok)), Array.Empty<byte>());

    private static (List<Proposal> Committed, List<SyncMarker> Syncs) Collect(ProposalPipeline p)
    {
        var c = new List<Proposal>();
        var s = new List<SyncMarker>();
        p.Collect(c, s);
        return (c, s);
    }

    [Fact]
    public void A_proposal_commits_only_when_a_majority_of_voters_acked_it()
    {
        var p = new ProposalPipeline(new QuorumVerifier([1, 2, 3]), 0);
        p.Propose(P(1));
        p.Ack(1, 1);
        Assert.Empty(Collect(p).Committed);
        p.Ack(3, 1);
        Assert.Equal([1L], Collect(p).Committed.Select(x => x.Zxid));
        Assert.Equal(1, p.LastCommitted);
    }

    [Fact]
    public void Acks_are_cumulative_and_commits_come_out_in_zxid_order()
    {
        var p = new ProposalPipeline(new QuorumVerifier([1, 2, 3, 4, 5]), 10);
        for (var z = 11; z <= 15; z++) p.Propose(P(z));
        p.Ack(1, 15);
        p.Ack(2, 13);
        Assert.Empty(Collect(p).Committed);
        p.Ack(3, 12);
        Assert.Equal([11L, 12L], Collect(p).Committed.Select(x => x.Zxid));
        p.Ack(3, 15);
        Assert.Equal([13L], Collect(p).Committed.Select(x => x.Zxid));
    }

    [Fact]
    public void Acks_from_non_voters_never_count()
    {
        var p = new ProposalPipeline(new QuorumVerifier([1, 2, 3]), 0);
        p.Propose(P(1));
        p.Ack(1, 1);
        p.Ack(4, 1); // an observer
        p.Ack(5, 1);
        Assert.Empty(Collect(p).Committed);
    }

    [Fact]
    public void A_forgotten_voter_no_longer_counts_towards_the_quorum()
    {
        var p = new ProposalPipeline(new QuorumVerifier([1, 2, 3]), 0);
        p.Ack(2, 5);
        p.Forget(2);
        p.Propose(P(1));
        p.Ack(1, 1);
        Assert.Empty(Collect(p).Committed);
    }

    [Fact]
    public void Proposals_must_have_growing_zxids()
    {
        var p = new ProposalPipeline(new QuorumVerifier([1]), 5);
        Assert.Throws<InvalidOperationException>(() => p.Propose(P(5)));
        p.Propose(P(6));
        Assert.Throws<InvalidOperationException>(() => p.Propose(P(6)));
    }

    [Fact]
    public void A_sync_marker_is_released_after_every_earlier_proposal_committed()
    {
        var p = new ProposalPipeline(new QuorumVerifier([1, 2, 3]), 0);
        var early = new SyncMarker(1, 100, 1);
        p.AddSync(early);
        Assert.Equal([early], Collect(p).Syncs);
        p.Propose(P(1));
        var late = new SyncMarker(2, 101, 7);
        p.AddSync(late);
        p.Ack(1, 1);
        Assert.Empty(Collect(p).Syncs);
        p.Ack(2, 1);
        Assert.Equal([late], Collect(p).Syncs);
    }
}
