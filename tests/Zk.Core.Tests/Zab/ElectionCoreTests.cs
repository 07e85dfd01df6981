// Specifications of Fast Leader Election as a pure state machine: vote order, quorum decisions, early decision
// when every reachable voter answered, joining a running ensemble, observers.
using Zk.Core.Zab;

namespace Zk.Core.Tests.Zab;

public sealed class ElectionCoreTests
{
    private static readonly QuorumVerifier Three = new([1, 2, 3]);

    private static List<(int To, Notification N)> Sends() => [];

    [Fact]
    public void Starting_a_round_votes_for_ourselves_to_every_other_voter()
    {
        var core = new ElectionCore(1, Three, [1, 2, 3]);
        var sends = Sends();
        core.StartLooking(lastLoggedZxid: 7, currentEpoch: 2, nowMs: 0, sends);
        Assert.Equal([2, 3], sends.Select(s => s.To));
        Assert.All(sends, s => Assert.Equal(new Notification(1, PeerState.Looking, 1, 7, 1, 2), s.N));
    }

    [Fact]
    public void The_vote_with_the_higher_epoch_wins_even_with_a_lower_zxid()
    {
        var core = new ElectionCore(1, Three, [1, 2, 3]);
        core.StartLooking(lastLoggedZxid: 100, currentEpoch: 1, nowMs: 0, Sends());
        var sends = Sends();
        core.OnNotification(new Notification(2, PeerState.Looking, 2, 5, 1, 2), 1, sends);
        Assert.Equal(2, core.Current.Leader);
        Assert.NotEmpty(sends);
    }

    [Fact]
    public void When_every_voter_answered_and_a_quorum_agrees_the_round_ends_at_once()
    {
        var core = new ElectionCore(1, Three, [1, 2, 3]);
        core.StartLooking(5, 1, 0, Sends());
        Assert.Null(core.OnNotification(new Notification(2, PeerState.Looking, 1, 5, 1, 1), 1, Sends()));
        var d = core.OnNotification(new Notification(3, PeerState.Looking, 1, 5, 1, 1), 2, Sends());
        Assert.Equal(new ElectionDecision(PeerState.Leading, 1, 1, 1), d);
    }

    [Fact]
    public void With_a_silent_voter_the_round_ends_after_the_grace_period()
    {
        var core = new ElectionCore(1, Three, [1, 2, 3], new ElectionTiming(GraceMs: 30));
        core.StartLooking(5, 1, 0, Sends());
        Assert.Null(core.OnNotification(new Notification(2, PeerState.Looking, 1, 5, 1, 1), 10, Sends()));
        Assert.Null(core.Tick(39, Sends()));
        Assert.Equal(PeerState.Leading, core.Tick(40, Sends())!.State);
    }

    [Fact]
    public void An_unreachable_voter_is_not_waited_for()
    {
        var core = new ElectionCore(2, Three, [1, 2, 3]);
        core.SetReachable(3, false);
        core.StartLooking(5, 1, 0, Sends());
        var d = core.OnNotification(new Notification(1, PeerState.Looking, 2, 5, 1, 1), 1, Sends());
        Assert.Equal(new ElectionDecision(PeerState.Leading, 2, 1, 1), d);
    }

    [Fact]
    public void A_restarted_server_joins_the_running_ensemble_from_a_quorum_of_settled_votes()
    {
        var core = new ElectionCore(3, Three, [1, 2, 3]);
        core.StartLooking(0, 0, 0, Sends());
        Assert.Null(core.OnNotification(new Notification(2, PeerState.Following, 1, 9, 4, 3), 1, Sends()));
        var d = core.OnNotification(new Notification(1, PeerState.Leading, 1, 9, 4, 3), 2, Sends());
        Assert.Equal(new ElectionDecision(PeerState.Following, 1, 4, 3), d);
        Assert.Equal(4, core.LogicalClock);
    }

    [Fact]
    public void A_settled_server_answers_a_looking_server_with_its_vote()
    {
        var core = new ElectionCore(1, Three, [1, 2, 3]);
        core.StartLooking(5, 1, 0, Sends());
        core.OnNotification(new Notification(2, PeerState.Looking, 1, 5, 1, 1), 1, Sends());
        core.OnNotification(new Notification(3, PeerState.Looking, 1, 5, 1, 1), 2, Sends());
        core.Settle(PeerState.Leading, 1, 2);
        var sends = Sends();
        core.OnNotification(new Notification(3, PeerState.Looking, 3, 5, 7, 1), 3, sends);
        Assert.Equal((3, new Notification(1, PeerState.Leading, 1, 5, 1, 2)), Assert.Single(sends));
    }

    [Fact]
    public void An_observer_never_proposes_itself_and_follows_the_voters_choice()
    {
        var quorum = new QuorumVerifier([1, 2, 3]);
        var core = new ElectionCore(4, quorum, [1, 2, 3, 4]);
        core.StartLooking(50, 9, 0, Sends());
        Assert.True(core.Current.Leader < 0);
        core.OnNotification(new Notification(1, PeerState.Following, 3, 9, 2, 1), 1, Sends());
        var d = core.OnNotification(new Notification(3, PeerState.Leading, 3, 9, 2, 1), 2, Sends());
        Assert.Equal(PeerState.Observing, d!.State);
        Assert.Equal(3, d.Leader);
    }
}
