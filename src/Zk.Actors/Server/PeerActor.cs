// The root actor of one server (zab.md §4–§9): LOOKING runs the election, whose decision spawns the role
// actor (leader, follower or observer); any end of a role returns to LOOKING. It also answers learners that
// connect to its quorum port while it does not lead. A standalone server leads a quorum of itself, no election.
using Microsoft.Extensions.Logging;
using Zk.Actors.Tree;
using Zk.Actors.Journal;
using Zk.Actors.Kernel;
using Zk.Actors.Zab;
using Zk.Core.DataTree;
using Zk.Core.Storage;
using Zk.Core.Zab;

namespace Zk.Actors.Server;

public sealed partial class PeerActor(
    ServerNodeOptions options,
    ServerState state,
    ActorRef journal,
    ActorRef dataTree,
    TxnHistory history,
    IQuorumNetwork? network) : Actor
{
    private ActorRef? _election;
    private ActorRef? _role;
    private PeerState _roleState = PeerState.Looking;
    private long _electionStartedMs;

    protected internal override SupervisorStrategy SupervisorStrategy => SupervisorStrategy.StopOnFailure;

    private QuorumVerifier Quorum => new(options.Voters.Count > 0 ? options.Voters : [options.ServerId]);

    protected internal override void PreStart()
    {
        if (!options.Standalone)
        {
            if (network is null) throw new InvalidOperationException("an ensemble member needs a quorum network");
            var all = options.Voters.Concat(options.Observers).Distinct().ToArray();
            _election = Spawn("election", () => new ElectionActor(options.ServerId, Quorum, all, network, Self, options.ElectionTiming));
            network.Bind(_election, Self);
        }
        journal.Tell(new GetJournalState(Self), Self);
    }

    protected internal override void Receive(object message)
    {
        switch (message)
        {
            case JournalState js:
                OnJournalState(js);
                break;
            case ElectionDecided d:
                StartRole(d, _lastJournal!);
                break;
            case RoleEstablished r:
                OnEstablished(r);
                break;
            case RoleEnded:
                // The role stops itself; its Terminated brings us back to LOOKING.
                break;
            case Terminated t when t.Actor == _role:
                _role = null;
                _roleState = PeerState.Looking;
                state.Set(ServerMode.Looking, serving: false, state.Epoch, -1);
                dataTree.Tell(new StopServing("the server is looking for a leader"), Self);
                LogRoleEnded(Log, options.ServerId);
                // A standalone leader only ends by failing: there is nothing to elect, so stop the server loudly.
                if (options.Standalone) StopSelf();
                else journal.Tell(new GetJournalState(Self), Self);
                break;
            case LinkAccepted a:
                if (_roleState == PeerState.Leading && _role is not null) a.Link.Start(_role);
                else
                {
                    a.Link.Send(new NotLeader(options.ServerId));
                    a.Link.Close();
                }
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private JournalState? _lastJournal;

    private void OnJournalState(JournalState js)
    {
        _lastJournal = js;
        if (options.Standalone)
        {
            StartRole(new ElectionDecided(new ElectionDecision(PeerState.Leading, options.ServerId, 0, js.CurrentEpoch), System.NowMs()), js);
            return;
        }
        _electionStartedMs = System.NowMs();
        _election!.Tell(new StartElection(js.LastZxid, js.CurrentEpoch), Self);
    }

    private void StartRole(ElectionDecided d, JournalState js)
    {
        if (_role is not null) return;
        _roleState = d.Decision.State;
        if (!options.Standalone)
        {
            var electionMs = System.NowMs() - _electionStartedMs;
            state.ElectionFinished(electionMs);
            options.Metrics?.ElectionFinished(electionMs);
        }
        if (d.Decision.State == PeerState.Leading)
        {
            var settings = new LeaderSettings(options.ServerId, Quorum, options.TickTimeMs, options.MinSessionTimeoutMs,
                options.MaxSessionTimeoutMs, options.InitLimit, options.SyncLimit, options.Standalone)
            {
                Probe = options.Probe,
                FirstZxidCounter = options.FirstZxidCounter,
                Metrics = options.Metrics,
            };
            var start = new LeaderStart(js.AcceptedEpoch, js.CurrentEpoch, js.LastZxid);
            _role = Spawn($"leader-{System.NowMs()}", () => new LeaderActor(settings, Self, journal, dataTree, history, start));
        }
        else
        {
            var settings = new LearnerSettings(options.ServerId, d.Decision.State == PeerState.Observing, options.TickTimeMs,
                options.InitLimit, options.SyncLimit, options.Tree);
            var start = new LearnerStart((int)d.Decision.Leader, js.AcceptedEpoch, js.CurrentEpoch, js.LastZxid);
            _role = Spawn($"learner-{System.NowMs()}", () => new LearnerActor(settings, Self, journal, dataTree, history, network!, start));
        }
        Watch(_role);
    }

    private void OnEstablished(RoleEstablished r)
    {
        var mode = options.Standalone ? ServerMode.Standalone : r.State switch
        {
            PeerState.Leading => ServerMode.Leader,
            PeerState.Observing => ServerMode.Observer,
            _ => ServerMode.Follower,
        };
        state.Set(mode, serving: true, r.Epoch, r.LeaderId);
        _election?.Tell(new SettleElection(r.State, r.LeaderId, r.Epoch), Self);
        LogRole(Log, options.ServerId, state.ModeName, r.Epoch, r.LeaderId);
    }

    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "[myid:{ServerId}] now {Mode} in epoch {Epoch}, leader {LeaderId}")]
    private static partial void LogRole(ILogger log, int serverId, string mode, long epoch, long leaderId);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Warning, Message = "[myid:{ServerId}] role ended; LOOKING")]
    private static partial void LogRoleEnded(ILogger log, int serverId);
}
