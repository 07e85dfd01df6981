// The leader of an epoch (zab.md §5–§7). Discovery: collect FOLLOWERINFO from a quorum, choose and persist a
// new epoch, LEADERINFO, ACKEPOCH. Synchronization: DIFF/TRUNC/SNAP each learner from the in-memory history,
// NEWLEADER, and once the voters synced with it are a quorum (docs/ZAB.md), UPTODATE. Broadcast: proposals
// logged with group commit and sent in batches, commits once a quorum of voters logged a zxid, global session
// expiry. A standalone server is a leader of a quorum of itself that starts in broadcast. Learner links live in
// LeaderActor.Learners.cs.
using Microsoft.Extensions.Logging;
using Zk.Actors.Tree;
using Zk.Actors.Journal;
using Zk.Actors.Kernel;
using Zk.Actors.Sessions;
using Zk.Protocol;
using Zk.Core.DataTree;
using Zk.Core.Sessions;
using Zk.Core.Storage;
using Zk.Core.Zab;

namespace Zk.Actors.Zab;

public sealed record LeaderSettings(
    int ServerId,
    QuorumVerifier Quorum,
    int TickTimeMs,
    int MinSessionTimeoutMs,
    int MaxSessionTimeoutMs,
    int InitLimit = 10,
    int SyncLimit = 5,
    bool Standalone = false)
{
    /// <summary>Test hook: the simulator's observer of consensus events; null in production.</summary>
    internal Server.IServerProbe? Probe { get; init; }

    /// <summary>Test hook: the counter of the first zxid of an epoch (1 in production), to exercise roll-over.</summary>
    internal uint FirstZxidCounter { get; init; } = 1;

    /// <summary>Where proposals, commits and follower acks are counted for /metrics; null reports nothing.</summary>
    public Server.Metrics.ServerMetrics? Metrics { get; init; }
}

/// <summary>This server's durable state when it starts leading.</summary>
public sealed record LeaderStart(long AcceptedEpoch, long CurrentEpoch, long LastLoggedZxid);

public sealed partial class LeaderActor : Actor
{
    private readonly LeaderSettings _settings;
    private readonly ActorRef _parent;
    private readonly ActorRef _journal;
    private readonly ActorRef _dataTree;
    private readonly TxnHistory _history;
    private readonly LeaderStart _start;
    private readonly SessionTracker _tracker;
    private readonly List<Proposal> _committed = [];
    private readonly List<(SyncMarker Marker, long Zxid)> _syncs = [];
    private readonly Zk.Protocol.Jute.JuteWriter _encoder = new(4096);
    private ProposalPipeline _pipeline;
    private long _epoch;
    private long _treeZxid;
    private bool _established;
    private readonly List<object> _stash = [];

    public LeaderActor(LeaderSettings settings, ActorRef parent, ActorRef journal, ActorRef dataTree, TxnHistory history, LeaderStart start)
    {
        _settings = settings;
        _parent = parent;
        _journal = journal;
        _dataTree = dataTree;
        _history = history;
        _start = start;
        _epoch = start.CurrentEpoch;
        _tracker = new SessionTracker(settings.TickTimeMs, settings.MinSessionTimeoutMs, settings.MaxSessionTimeoutMs);
        _pipeline = new ProposalPipeline(settings.Quorum, start.LastLoggedZxid);
    }

    private sealed record Tick;

    private int PingIntervalMs => Math.Clamp(_settings.TickTimeMs / 2, 1, 100);

    protected internal override void PreStart() => _dataTree.Tell(new GetTreeStatus(Self), Self);

    protected internal override void Receive(object message)
    {
        switch (message)
        {
            case TreeStatus status:
                _treeZxid = status.LastZxid;
                var now = System.NowMs();
                foreach (var (sid, timeoutMs) in status.Sessions) _tracker.Add(sid, timeoutMs, now);
                if (_settings.Standalone)
                {
                    Establish();
                    return;
                }
                StartDiscovery();
                break;
            case LinkPacket or LinkClosed:
                // Links may arrive before the tree answered; discovery handles them once it starts.
                _stash.Add(message);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>The leader is established: its whole log is committed history. Apply what the tree lacks, serve.</summary>
    private void Establish()
    {
        _established = true;
        var last = _history.LastZxid > _start.LastLoggedZxid ? _history.LastZxid : _start.LastLoggedZxid;
        _settings.Probe?.LeaderEstablished(_settings.ServerId, _epoch, _history, _treeZxid, last);
        var suffix = _history.Range(_treeZxid, last).Select(e => e.Txn).ToArray();
        var now = System.NowMs();
        foreach (var txn in suffix) TrackSessions(txn, now, committed: true);
        if (suffix.Length > 0) _dataTree.Tell(new ApplyTxns(suffix), Self);
        _history.AppliedZxid = last;
        _pipeline = new ProposalPipeline(_settings.Quorum, last);
        _pipeline.Ack(_settings.ServerId, last);
        foreach (var l in _learners.Values)
            if (IsSynced(l, now)) _pipeline.Ack(l.ServerId, last);
        var first = Zxid.Make((int)_epoch, Math.Max(1u, _settings.FirstZxidCounter)).Value;
        var nextZxid = Math.Max(last + 1, _settings.Standalone ? 1 : first);
        _dataTree.Tell(new ServeAsLeader(Self, nextZxid), Self);
        Timers.StartPeriodicTimer("tick", new Tick(), TimeSpan.FromMilliseconds(PingIntervalMs));
        LogLeading(Log, _settings.ServerId, _epoch, nextZxid, _tracker.Count);
        _parent.Tell(new RoleEstablished(PeerState.Leading, _epoch, _settings.ServerId), Self);
        foreach (var l in _learners.Values)
        {
            if (!l.AckedNewLeader) continue;
            l.Link.Send(UpToDate.Instance);
            l.Phase = LearnerPhase.Synced;
        }
        Become(Broadcast);
    }

    private void Broadcast(object message)
    {
        switch (message)
        {
            case Propose p:
                OnPropose(p);
                break;
            case Logged l:
                _pipeline.Ack(_settings.ServerId, l.LastZxid);
                CommitReady();
                break;
            case TouchSession t:
                _tracker.Touch(t.SessionId, System.NowMs());
                break;
            case Tick:
                OnTick();
                break;
            case LinkPacket lp:
                OnLinkPacket(lp.Link, lp.Packet);
                break;
            case LinkClosed lc:
                OnLinkClosed(lc.Link, lc.Reason);
                break;
            case TreeSnapshot s:
                OnSnapshot(s);
                break;
            case EpochPersisted:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnPropose(Propose p)
    {
        var now = System.NowMs();
        var entries = new List<JournalEntry>(p.Items.Count);
        var sent = new List<LoggedTxn>(p.Items.Count);
        var exhausted = false;
        foreach (var item in p.Items)
        {
            if (item is Txn last && new Zxid(last.Zxid).Counter == uint.MaxValue)
            {
                // ZOOKEEPER-1277: never propose the last counter of an epoch; a new election starts a new epoch. What
                // came before it in this batch is proposed like any other proposal: it is in the history already.
                exhausted = true;
                break;
            }
            switch (item)
            {
                case Txn txn:
                    _encoder.Clear();
                    TxnCodec.Write(_encoder, txn);
                    var payload = _encoder.ToArray();
                    _pipeline.Propose(new Proposal(txn, payload));
                    _settings.Probe?.Proposed(_settings.ServerId, _epoch, txn, payload);
                    _history.Append(new HistoryEntry(txn.Zxid, payload, txn));
                    entries.Add(new JournalEntry(txn.Zxid, payload));
                    sent.Add(new LoggedTxn(txn.Zxid, payload));
                    TrackSessions(txn, now, committed: false);
                    break;
                case SyncMarker marker:
                    _pipeline.AddSync(marker);
                    break;
            }
        }
        if (entries.Count > 0)
        {
            _journal.Tell(new AppendTxns(entries, Self), Self);
            _settings.Metrics?.Proposed(entries.Count, entries[^1].Zxid);
            var packet = new ProposalPacket(sent);
            foreach (var l in _learners.Values)
                if (l.Forwarding && !l.IsObserver) l.Link.Send(packet);
        }
        if (exhausted)
        {
            Abdicate("the zxid counter of this epoch is exhausted");
            return;
        }
        // A sync() with nothing outstanding completes at once.
        CommitReady();
    }

    /// <summary>The tracker learns of sessions as their txns are proposed, like ZooKeeper's prep stage.</summary>
    private void TrackSessions(Txn txn, long now, bool committed)
    {
        switch (txn.Body)
        {
            case CreateSessionTxn cs:
                _tracker.Add(txn.SessionId, cs.TimeoutMs, now);
                break;
            case CloseSessionTxn:
                if (committed) _tracker.Remove(txn.SessionId);
                else _tracker.MarkClosing(txn.SessionId);
                break;
        }
    }

    private void CommitReady()
    {
        _committed.Clear();
        _syncs.Clear();
        _pipeline.Collect(_committed, _syncs);
        if (_committed.Count > 0)
        {
            _settings.Probe?.Committed(_settings.ServerId, _epoch, _committed);
            _settings.Metrics?.Commits.Inc(_committed.Count);
        }
        // Commits and sync answers leave in zxid order, here and on every learner: a sync is answered before any txn
        // proposed after it is applied, since the session may write again, or close, right behind its sync.
        var next = 0;
        foreach (var (s, zxid) in _syncs)
        {
            var end = next;
            while (end < _committed.Count && _committed[end].Zxid <= zxid) end++;
            Commit(next, end);
            next = end;
            CompleteSync(s, zxid);
        }
        Commit(next, _committed.Count);
    }

    /// <summary>Applies _committed[from..to) here and tells the learners (COMMIT to followers, INFORM to observers).</summary>
    private void Commit(int from, int to)
    {
        if (to <= from) return;
        var txns = new Txn[to - from];
        var informed = new LoggedTxn[to - from];
        for (var i = 0; i < txns.Length; i++)
        {
            var p = _committed[from + i];
            txns[i] = p.Txn;
            informed[i] = new LoggedTxn(p.Zxid, p.Payload);
            if (txns[i].Body is CloseSessionTxn) _tracker.Remove(txns[i].SessionId);
        }
        _dataTree.Tell(new ApplyTxns(txns), Self);
        _history.AppliedZxid = txns[^1].Zxid;
        var commit = new Commit(txns[^1].Zxid);
        var inform = new Inform(informed);
        foreach (var l in _learners.Values)
        {
            if (!l.Forwarding) continue;
            l.Link.Send(l.IsObserver ? inform : commit);
        }
    }

    private void CompleteSync(SyncMarker s, long zxid)
    {
        if (s.Origin == _settings.ServerId)
        {
            _dataTree.Tell(new SyncCompleted(s.SessionId, s.Xid, zxid), Self);
            return;
        }
        foreach (var l in _learners.Values)
            if (l.ServerId == s.Origin && l.Forwarding) l.Link.Send(new SyncPacket(s.SessionId, s.Xid, zxid));
    }

    private void OnTick()
    {
        var now = System.NowMs();
        var expired = _tracker.Expire(now);
        if (expired.Count > 0)
        {
            foreach (var sid in expired)
            {
                _tracker.MarkClosing(sid);
                LogSessionExpired(Log, _settings.ServerId, sid);
            }
            _dataTree.Tell(new ExpireSessions(expired), Self);
        }
        if (!_settings.Standalone) PingAndCheckQuorum(now);
    }

    private void Abdicate(string reason)
    {
        LogAbdicate(Log, _settings.ServerId, _epoch, reason);
        _parent.Tell(new RoleEnded(reason), Self);
        StopSelf();
    }

    protected internal override void PostStop()
    {
        _settings.Metrics?.LeadershipEnded();
        foreach (var l in _learners.Values) l.Link.Close();
        _encoder.Dispose();
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "[myid:{ServerId}] LEADING epoch {Epoch}, next zxid 0x{NextZxid:x}, {Sessions} sessions")]
    private static partial void LogLeading(ILogger log, int serverId, long epoch, long nextZxid, int sessions);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "[myid:{ServerId}] expiring session 0x{SessionId:x}")]
    private static partial void LogSessionExpired(ILogger log, int serverId, long sessionId);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "[myid:{ServerId}] leader of epoch {Epoch} steps down: {Reason}")]
    private static partial void LogAbdicate(ILogger log, int serverId, long epoch, string reason);
}
