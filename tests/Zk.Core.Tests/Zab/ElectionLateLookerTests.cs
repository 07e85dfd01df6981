// A voter that starts looking after its peer's broadcast (it was still following a leader that just died, so it
// ignored that vote) must learn the peer's vote at once, not at the peer's next resend ~100 ms later. Found by
// the real-process failover benchmark; specified here on the pure core.
using Zk.Core.Zab;

namespace Zk.Core.Tests.Zab;

public sealed class ElectionLateLookerTests
{
    private static readonly QuorumVerifier Three = new([1, 2, 3]);

    [Fact]
    public void The_first_vote_of_a_late_looker_in_our_round_is_answered_with_ours()
    {
        var early = new ElectionCore(2, Three, [1, 2, 3]);
        early.SetReachable(3, false);
        early.StartLooking(lastLoggedZxid: 9, currentEpoch: 1, nowMs: 0, []);

        // Server 1 starts looking in the same round and votes for itself, which loses to server 2's vote.
        var sends = new List<(int To, Notification N)>();
        early.OnNotification(new Notification(1, PeerState.Looking, 1, 9, early.LogicalClock, 1), 1, sends);

        var reply = Assert.Single(sends);
        Assert.Equal(1, reply.To);
        Assert.Equal(new Notification(2, PeerState.Looking, 2, 9, early.LogicalClock, 1), reply.N);
    }

    [Fact]
    public void A_sender_already_heard_in_this_round_gets_no_second_answer()
    {
        var core = new ElectionCore(2, Three, [1, 2, 3]);
        core.StartLooking(9, 1, 0, []);
        var vote = new Notification(1, PeerState.Looking, 1, 9, core.LogicalClock, 1);
        core.OnNotification(vote, 1, []);

        var sends = new List<(int To, Notification N)>();
        core.OnNotification(vote, 2, sends);

        Assert.Empty(sends);
    }

    [Fact]
    public void Two_lookers_that_missed_each_others_broadcast_agree_without_waiting_for_a_resend()
    {
        var one = new ElectionCore(1, Three, [1, 2, 3]);
        var two = new ElectionCore(2, Three, [1, 2, 3]);
        one.SetReachable(3, false);
        two.SetReachable(3, false);
        two.StartLooking(9, 1, 0, []);
        var oneSends = new List<(int To, Notification N)>();
        one.StartLooking(9, 1, 0, oneSends);

        // Server 2's broadcast was lost on server 1 (it was not looking yet). Server 1's vote reaches server 2, whose
        // answer makes server 1 change its vote and say so; no resend timer is involved.
        var twoSends = new List<(int To, Notification N)>();
        Assert.Null(two.OnNotification(oneSends.Single(s => s.To == 2).N, 1, twoSends));
        var oneChanged = new List<(int To, Notification N)>();
        var oneDecision = one.OnNotification(twoSends.Single(s => s.To == 1).N, 2, oneChanged);
        var twoDecision = two.OnNotification(oneChanged.Single(s => s.To == 2).N, 3, []);

        Assert.Equal(new ElectionDecision(PeerState.Following, 2, one.LogicalClock, 1), oneDecision);
        Assert.Equal(PeerState.Leading, twoDecision?.State);
    }
}
