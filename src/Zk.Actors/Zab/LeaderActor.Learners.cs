// The leader's side of its links: discovery (a new epoch agreed by a quorum), synchronization of each learner
// (DIFF/TRUNC/SNAP, NEWLEADER), forwarded requests, heartbeats and the quorum check that makes a leader step
// down. A learner gets live proposals from the same turn in which its sync was queued, so nothing is missed
// or sent twice (zab.md §6, ZOOKEEPER-1264). Which acks count, and for how long: docs/ZAB.md.
using Zk.Actors.Tree;
using Zk.Actors.Journal;
using Zk.Actors.Sessions;
using Zk.Core.DataTree;
using Zk.Core.Sessions;
using Zk.Core.Storage;
using Zk.Core.Zab;

namespace Zk.Actors.Zab;

internal enum LearnerPhase
{
    AwaitInfo,
    AwaitAckEpoch,
    AwaitSnapshot,
    AwaitNewLeaderAck,
    Synced,
}

internal sealed class LearnerHandler(IQuorumLink link, long nowMs)
{
    public IQuorumLink Link { get; } = link;
    public int ServerId { get; set; } = -1;
    public bool IsObserver { get; set; }
    public long AcceptedEpoch { get; set; }
    public LearnerPhase Phase { get; set; } = LearnerPhase.AwaitInfo;
    public long LastHeardMs { get; set; } = nowMs;
    public long LastLoggedZxid { get; set; }
    public bool Forwarding { get; set; }
    public bool AckedEpoch { get; set; }
    public bool AckedNewLeader { get; set; }
}

public sealed partial class LeaderActor
{
    private const int DiffBatch = 1000;
    private readonly Dictionary<long, LearnerHandler> _learners = [];
    private readonly HashSet<int> _epochVoters = [];
    // By server, not by link: an ACKEPOCH is a durable promise (acceptedEpoch fsynced before it was sent) and a
    // history summary the leader already checked, both still true after the link closes; a learner that comes
    // back sends -1 and must not be counted twice (docs/ZAB.md, "Which acknowledgements count"). NEWLEADER acks
    // are not kept here: they count only while their learner is synced (IsSynced).
    private readonly HashSet<int> _epochAcks = [];
    private long _proposedEpoch = -1;
    private bool _epochPersisted;
    private bool _snapshotRequested;

    private sealed record DiscoveryTimeout;

    private void StartDiscovery()
    {
        _epochVoters.Add(_settings.ServerId);
        Timers.StartSingleTimer("init", new DiscoveryTimeout(), TimeSpan.FromMilliseconds(_settings.InitLimit * _settings.TickTimeMs));
        // Learners that acked NEWLEADER are pinged while the leader waits for a quorum, so they stay synced.
        Timers.StartPeriodicTimer("tick", new Tick(), TimeSpan.FromMilliseconds(PingIntervalMs));
        Become(Discovery);
        foreach (var m in _stash) Self.Tell(m, Self);
        _stash.Clear();
    }

    /// <summary>Discovery and synchronization share one behaviour: learners move through their phases one by one.</summary>
    private void Discovery(object message)
    {
        switch (message)
        {
            case LinkPacket lp:
                OnLinkPacket(lp.Link, lp.Packet);
                break;
            case LinkClosed lc:
                OnLinkClosed(lc.Link, lc.Reason);
                break;
            case EpochPersisted ep when ep.AcceptedEpoch == _proposedEpoch && !_epochPersisted:
                _epochPersisted = true;
                foreach (var l in _learners.Values)
                    if (l.Phase == LearnerPhase.AwaitAckEpoch) l.Link.Send(new LeaderInfo(_proposedEpoch));
                break;
            case EpochPersisted ep when ep.CurrentEpoch == _proposedEpoch:
                _epoch = _proposedEpoch;
                foreach (var l in _learners.Values.Where(x => x.Phase == LearnerPhase.AwaitAckEpoch && x.AckedEpoch).ToList()) StartSync(l);
                TryEstablish();
                break;
            case EpochPersisted:
                break;
            case TreeSnapshot s:
                OnSnapshot(s);
                break;
            case DiscoveryTimeout:
                Abdicate($"no quorum synchronized within initLimit ({_settings.InitLimit} ticks)");
                break;
            case Tick:
                PingSynced();
                TryEstablish();
                break;
            case TouchSession t:
                _tracker.Touch(t.SessionId, System.NowMs());
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnLinkPacket(IQuorumLink link, QuorumPacket packet)
    {
        if (!_learners.TryGetValue(link.Id, out var l))
        {
            // A link starts with FOLLOWERINFO. Anything else comes from a link this leader dropped (a graceful close
            // still delivers what was in flight), and a dropped link's acks and requests count for nothing.
            if (packet is not FollowerInfo) return;
            l = new LearnerHandler(link, System.NowMs());
            _learners[link.Id] = l;
        }
        l.LastHeardMs = System.NowMs();
        switch (packet)
        {
            case FollowerInfo info:
                OnFollowerInfo(l, info);
                break;
            case AckEpoch ack:
                OnAckEpoch(l, ack);
                break;
            case Ack a when ((ulong)a.Zxid & 0xffffffffUL) == 0:
                OnNewLeaderAck(l, a.Zxid);
                break;
            case Ack a:
                if (_established && l.AckedNewLeader && !l.IsObserver)
                {
                    _pipeline.Ack(l.ServerId, a.Zxid);
                    _settings.Metrics?.FollowerAcked(l.ServerId, a.Zxid);
                    CommitReady();
                }
                break;
            case RequestPacket r:
                if (_established) _dataTree.Tell(new ForwardedRequests(l.ServerId, r.Requests), Self);
                break;
            case Ping p:
                var now = System.NowMs();
                foreach (var t in p.Touches) _tracker.Touch(t.SessionId, now);
                break;
            case Revalidate rv:
                var valid = _tracker.Contains(rv.SessionId) && !_tracker.IsClosing(rv.SessionId);
                if (valid) _tracker.Touch(rv.SessionId, System.NowMs());
                link.Send(new RevalidateReply(rv.SessionId, valid));
                break;
        }
    }

    private void OnFollowerInfo(LearnerHandler l, FollowerInfo info)
    {
        if (l.Phase != LearnerPhase.AwaitInfo) return;
        l.ServerId = info.ServerId;
        l.IsObserver = info.IsObserver || !_settings.Quorum.IsVoter(info.ServerId);
        l.AcceptedEpoch = info.AcceptedEpoch;
        l.Phase = LearnerPhase.AwaitAckEpoch;
        l.LastLoggedZxid = -1;
        // A second link from the same server replaces the first.
        foreach (var other in _learners.Values.Where(o => o != l && o.ServerId == l.ServerId).ToList()) DropLearner(other, "replaced by a new link");
        if (_proposedEpoch >= 0)
        {
            if (_epochPersisted) l.Link.Send(new LeaderInfo(_proposedEpoch));
            return;
        }
        if (!l.IsObserver) _epochVoters.Add(l.ServerId);
        if (!_settings.Quorum.IsQuorum(_epochVoters)) return;
        // zab.md §5: e = 1 + the largest acceptedEpoch of the leader and the connected voters; persist before LEADERINFO.
        var max = _start.AcceptedEpoch;
        foreach (var o in _learners.Values)
            if (o.Phase == LearnerPhase.AwaitAckEpoch && o.AcceptedEpoch > max) max = o.AcceptedEpoch;
        _proposedEpoch = max + 1;
        _journal.Tell(new PersistAcceptedEpoch(_proposedEpoch, Self), Self);
    }

    private void OnAckEpoch(LearnerHandler l, AckEpoch ack)
    {
        if (l.Phase != LearnerPhase.AwaitAckEpoch) return;
        // A learner more recent than this leader must not be synced by it (zab.md §5: safety of discovery).
        var mine = (_start.CurrentEpoch, _start.LastLoggedZxid);
        if (ack.CurrentEpoch > mine.CurrentEpoch || (ack.CurrentEpoch == mine.CurrentEpoch && ack.LastLoggedZxid > mine.LastLoggedZxid))
        {
            DropLearner(l, $"learner {l.ServerId} is ahead of the leader (epoch {ack.CurrentEpoch}, zxid 0x{ack.LastLoggedZxid:x})");
            return;
        }
        l.LastLoggedZxid = ack.LastLoggedZxid;
        l.AckedEpoch = true;
        if (_epoch == _proposedEpoch)
        {
            StartSync(l);
            return;
        }
        if (ack.CurrentEpoch != -1 && !l.IsObserver) _epochAcks.Add(l.ServerId);
        var acked = new HashSet<int>(_epochAcks) { _settings.ServerId };
        if (_settings.Quorum.IsQuorum(acked)) _journal.Tell(new PersistCurrentEpoch(_proposedEpoch, Self), Self);
    }

    /// <summary>Queues the sync of one learner and makes it a forwarding learner in the same turn.</summary>
    private void StartSync(LearnerHandler l)
    {
        var leaderLast = _established ? _pipeline.LastProposed : Math.Max(_history.LastZxid, _start.LastLoggedZxid);
        var plan = SyncPlanner.Plan(_history, l.LastLoggedZxid, leaderLast);
        if (plan.Mode == SyncMode.Snap)
        {
            l.Phase = LearnerPhase.AwaitSnapshot;
            if (!_snapshotRequested)
            {
                _snapshotRequested = true;
                _dataTree.Tell(new TakeSnapshot(Self), Self);
            }
            return;
        }
        l.Link.Send(plan.Mode == SyncMode.Trunc ? new Trunc(plan.FromZxid) : new Diff(leaderLast));
        SendHistoryAndForward(l, plan.FromZxid);
    }

    private void OnSnapshot(TreeSnapshot s)
    {
        _snapshotRequested = false;
        foreach (var l in _learners.Values.Where(x => x.Phase == LearnerPhase.AwaitSnapshot).ToList())
        {
            l.Link.Send(new Snap(s.Zxid, s.Content));
            SendHistoryAndForward(l, s.Zxid);
        }
    }

    /// <summary>Committed history after <paramref name="fromZxid"/> as PROPOSAL+COMMIT, outstanding proposals as
    /// PROPOSAL only, then NEWLEADER; from now on the learner gets every proposal and commit.</summary>
    private void SendHistoryAndForward(LearnerHandler l, long fromZxid)
    {
        var committed = _established ? _pipeline.LastCommitted : Math.Max(_history.LastZxid, _start.LastLoggedZxid);
        var batch = new List<LoggedTxn>(DiffBatch);
        foreach (var e in _history.Range(fromZxid, committed))
        {
            batch.Add(new LoggedTxn(e.Zxid, e.Payload));
            if (batch.Count == DiffBatch) Flush();
        }
        Flush();
        // Always say how far the history is committed: the learner's own log up to here may be unapplied too.
        if (committed > 0) l.Link.Send(new Commit(committed));
        if (_established && !l.IsObserver)
        {
            foreach (var p in _pipeline.Outstanding) batch.Add(new LoggedTxn(p.Zxid, p.Payload));
            Flush();
        }
        l.Link.Send(new NewLeader(_epoch));
        l.Phase = LearnerPhase.AwaitNewLeaderAck;
        l.Forwarding = true;

        void Flush()
        {
            if (batch.Count == 0) return;
            l.Link.Send(new ProposalPacket([.. batch]));
            batch.Clear();
        }
    }

    private void OnNewLeaderAck(LearnerHandler l, long zxid)
    {
        if (l.Phase != LearnerPhase.AwaitNewLeaderAck || (zxid >>> 32) != _epoch) return;
        l.AckedNewLeader = true;
        if (_established)
        {
            l.Link.Send(UpToDate.Instance);
            l.Phase = LearnerPhase.Synced;
            return;
        }
        TryEstablish();
    }

    /// <summary>A voter is synced with this leader while it has acked NEWLEADER on a link that is still open and the
    /// leader heard from it within syncLimit ticks (ZooKeeper's LearnerHandler.synced()). The same test decides
    /// whether the epoch can be established and, on every tick after that, whether the leader steps down.</summary>
    private bool IsSynced(LearnerHandler l, long now) =>
        !l.IsObserver && l.AckedNewLeader && l.LastHeardMs >= now - (long)_settings.SyncLimit * _settings.TickTimeMs;

    /// <summary>This leader and the voters synced with it now (a dropped link is no longer in _learners).</summary>
    private HashSet<int> SyncedVoters(long now)
    {
        var synced = new HashSet<int> { _settings.ServerId };
        foreach (var l in _learners.Values)
            if (IsSynced(l, now)) synced.Add(l.ServerId);
        return synced;
    }

    /// <summary>Establishes the epoch once the voters synced with this leader, itself included, are a quorum.</summary>
    /// <remarks>Rule (docs/ZAB.md, "Establishing an epoch"): a NEWLEADER ack counts only while the learner that sent
    /// it is synced. Its link closing, or syncLimit of silence, takes the ack away: that learner may since have
    /// crashed, restarted and helped establish a newer epoch, and a leader counting it would start leading an epoch
    /// already superseded (ScenarioTests.A_leader_does_not_count_the_NEWLEADER_ack_of_a_follower_whose_link_has_closed).
    /// ZooKeeper keeps a dead learner's NEWLEADER ack (its handler is blocked waiting for the quorum) and steps down
    /// at a later tick; here establishing asks what that tick would.</remarks>
    private void TryEstablish()
    {
        if (_established || _epoch != _proposedEpoch) return;
        if (!_settings.Quorum.IsQuorum(SyncedVoters(System.NowMs()))) return;
        Timers.Cancel("init");
        Establish();
    }

    private void OnLinkClosed(IQuorumLink link, string reason)
    {
        if (_learners.TryGetValue(link.Id, out var l)) DropLearner(l, reason);
    }

    private void DropLearner(LearnerHandler l, string reason)
    {
        _learners.Remove(l.Link.Id);
        l.Link.Close();
        if (!_learners.Values.Any(o => o.ServerId == l.ServerId)) _settings.Metrics?.FollowerGone(l.ServerId);
        // The proposal acks that came over this link go with it, like its NEWLEADER ack: a newer link from the same
        // server (it replaced this one at its FOLLOWERINFO) acks afresh after its own sync.
        if (_established && l.AckedNewLeader && !l.IsObserver) _pipeline.Forget(l.ServerId);
        LogLearnerDropped(Log, _settings.ServerId, l.ServerId, reason);
    }

    /// <summary>Heartbeats to every learner that acked NEWLEADER (observers too: they answer, and time out without).</summary>
    private void PingSynced()
    {
        foreach (var l in _learners.Values)
            if (l.AckedNewLeader) l.Link.Send(Ping.Empty);
    }

    /// <summary>Heartbeats, and the step-down rule (docs/ZAB.md): on a tick where this leader and the voters synced
    /// with it are not a quorum, it stops leading, as ZooKeeper's leader does ("Not sufficient followers synced").</summary>
    private void PingAndCheckQuorum(long now)
    {
        PingSynced();
        if (!_settings.Quorum.IsQuorum(SyncedVoters(now))) Abdicate("lost the quorum of followers");
    }

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 6004, Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "[myid:{ServerId}] learner {Learner} dropped: {Reason}")]
    private static partial void LogLearnerDropped(Microsoft.Extensions.Logging.ILogger log, int serverId, int learner, string reason);
}
