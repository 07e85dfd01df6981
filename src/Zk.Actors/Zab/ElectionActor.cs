// Runs Fast Leader Election (ElectionCore) for one server: it lives as long as the server, answers other
// servers' notifications in every state, and reports a decision to the PeerActor. IO: the quorum network.
using Microsoft.Extensions.Logging;
using Zk.Actors.Kernel;
using Zk.Core.Zab;

namespace Zk.Actors.Zab;

/// <summary>Start a round: vote for ourselves with our last logged zxid and current epoch.</summary>
public sealed record StartElection(long LastLoggedZxid, long CurrentEpoch);

/// <summary>The role this server settled into, advertised to servers that are still looking.</summary>
public sealed record SettleElection(PeerState State, long Leader, long Epoch);

public sealed record ElectionDecided(ElectionDecision Decision, long StartedMs);

public sealed partial class ElectionActor(int serverId, QuorumVerifier quorum, IEnumerable<int> allServers, IQuorumNetwork network, ActorRef peer, ElectionTiming? timing = null) : Actor
{
    private readonly ElectionCore _core = new(serverId, quorum, allServers, timing);
    private readonly List<(int To, Notification N)> _sends = [];
    private long _startedMs;
    private bool _started;
    private long _tickAtMs;

    private sealed record Tick;

    protected internal override void Receive(object message)
    {
        var now = System.NowMs();
        ElectionDecision? decision = null;
        switch (message)
        {
            case StartElection s:
                _started = true;
                _startedMs = now;
                _core.StartLooking(s.LastLoggedZxid, s.CurrentEpoch, now, _sends);
                LogLooking(Log, serverId, _core.LogicalClock, s.LastLoggedZxid, s.CurrentEpoch);
                break;
            case ElectionReceived when !_started:
                // Peers' votes can arrive before our first round (a real network connects at once): a core
                // without its own vote could decide on them, so drop them; FLE resends.
                break;
            case ElectionReceived r:
                decision = _core.OnNotification(r.Notification, now, _sends);
                break;
            case PeerReachability p:
                _core.SetReachable(p.ServerId, p.Reachable);
                break;
            case SettleElection s:
                _core.Settle(s.State, s.Leader, s.Epoch);
                break;
            case Tick:
                decision = _core.Tick(now, _sends);
                break;
            default:
                Unhandled(message);
                return;
        }
        foreach (var (to, n) in _sends) network.SendElection(to, n);
        _sends.Clear();
        if (decision is not null)
        {
            LogDecided(Log, serverId, decision.State, decision.Leader, decision.ElectionEpoch, now - _startedMs);
            peer.Tell(new ElectionDecided(decision, _startedMs), Self);
        }
        ScheduleTick(now);
    }

    /// <summary>Keeps the tick timer armed no later than the core needs it. It is restarted only when it must fire
    /// earlier: restarting it on every notification would discard each firing still queued behind a stream of
    /// notifications, and the round would never time out.</summary>
    private void ScheduleTick(long now)
    {
        if (_core.State != PeerState.Looking || !_started)
        {
            Timers.Cancel("tick");
            return;
        }
        var at = Math.Max(now + 1, _core.NextTickMs);
        if (Timers.IsTimerActive("tick") && _tickAtMs <= at) return;
        _tickAtMs = at;
        Timers.StartSingleTimer("tick", new Tick(), TimeSpan.FromMilliseconds(at - now));
    }

    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "[myid:{ServerId}] LOOKING, round {Round}, last zxid 0x{Zxid:x}, epoch {Epoch}")]
    private static partial void LogLooking(ILogger log, int serverId, long round, long zxid, long epoch);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Information, Message = "[myid:{ServerId}] election decided {State}: leader {Leader}, round {Round}, after {Ms} ms")]
    private static partial void LogDecided(ILogger log, int serverId, PeerState state, long leader, long round, long ms);
}
