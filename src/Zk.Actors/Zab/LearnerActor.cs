// A follower or an observer of one leader (zab.md §5–§9). It connects to the leader, agrees on the epoch,
// brings its log in line (DIFF/TRUNC/SNAP), persists in the order the classic bugs taught (snapshot and txns
// durable, then currentEpoch, then the NEWLEADER ACK), starts serving at UPTODATE, then logs proposals and ACKs
// them after fsync (followers), applies commits in order, and forwards its sessions' writes to the leader.
// Applied state is always a committed prefix: txns wait in _pending until a COMMIT (or UPTODATE) covers them.
using Microsoft.Extensions.Logging;
using Zk.Actors.Tree;
using Zk.Actors.Journal;
using Zk.Actors.Kernel;
using Zk.Actors.Server;
using Zk.Actors.Sessions;
using Zk.Core.DataTree;
using Zk.Core.Sessions;
using Zk.Core.Storage;
using Zk.Core.Zab;

namespace Zk.Actors.Zab;

public sealed record LearnerSettings(int ServerId, bool IsObserver, int TickTimeMs, int InitLimit, int SyncLimit, DataTreeOptions TreeOptions);

public sealed record LearnerStart(int LeaderId, long AcceptedEpoch, long CurrentEpoch, long LastLoggedZxid);

public sealed partial class LearnerActor : Actor
{
    private readonly LearnerSettings _settings;
    private readonly ActorRef _parent;
    private readonly ActorRef _journal;
    private readonly ActorRef _dataTree;
    private readonly TxnHistory _history;
    private readonly IQuorumNetwork _network;
    private readonly LearnerStart _start;
    private readonly List<Txn> _pending = [];
    private readonly Dictionary<long, int> _touches = [];
    private readonly List<LoggedTxn> _snapEntries = [];
    private Snap? _snap;
    private IQuorumLink? _link;
    private long _acceptedEpoch;
    private long _epoch = -1;
    private long _lastLogged;
    private long _lastDurable;
    private long _treeZxid;
    private long _committed;
    private long _connectDeadlineMs;
    private long _lastHeardMs;
    private bool _ackedNewLeader;
    private bool _awaitingCurrentEpoch;

    public LearnerActor(LearnerSettings settings, ActorRef parent, ActorRef journal, ActorRef dataTree,
        TxnHistory history, IQuorumNetwork network, LearnerStart start)
    {
        _settings = settings;
        _parent = parent;
        _journal = journal;
        _dataTree = dataTree;
        _history = history;
        _network = network;
        _start = start;
        _acceptedEpoch = start.AcceptedEpoch;
        _lastLogged = start.LastLoggedZxid;
        _lastDurable = start.LastLoggedZxid;
    }

    private sealed record Reconnect;

    private sealed record Tick;

    private PeerState Role => _settings.IsObserver ? PeerState.Observing : PeerState.Following;

    protected internal override void PreStart() => _dataTree.Tell(new GetTreeStatus(Self), Self);

    protected internal override void Receive(object message)
    {
        if (message is not TreeStatus status)
        {
            Unhandled(message);
            return;
        }
        _treeZxid = status.LastZxid;
        _committed = _treeZxid;
        // The log after the tree is unconfirmed: the leader's sync decides which of it is committed.
        _pending.AddRange(_history.Range(_treeZxid, long.MaxValue).Select(e => e.Txn));
        _connectDeadlineMs = System.NowMs() + (long)_settings.InitLimit * _settings.TickTimeMs;
        Connect();
        Timers.StartPeriodicTimer("tick", new Tick(), TimeSpan.FromMilliseconds(Math.Clamp(_settings.TickTimeMs / 2, 1, 100)));
        Become(Syncing);
    }

    private void Connect()
    {
        _link?.Close();
        _link = _network.Connect(_start.LeaderId, Self);
        _link.Send(new FollowerInfo(_settings.ServerId, _acceptedEpoch, _settings.IsObserver));
        _lastHeardMs = System.NowMs();
    }

    private bool FromLeader(IQuorumLink link) => _link is not null && link.Id == _link.Id;

    private void Syncing(object message)
    {
        switch (message)
        {
            case LinkPacket lp when FromLeader(lp.Link):
                _lastHeardMs = System.NowMs();
                OnSyncPacket(lp.Packet);
                break;
            case LinkClosed lc when FromLeader(lc.Link):
                RetryOrEnd($"link to leader {_start.LeaderId} closed: {lc.Reason}");
                break;
            case Reconnect:
                Connect();
                break;
            case Tick:
                // Like ZooKeeper's initLimit read timeout: a leader that went quiet mid-sync (or never answered our
                // FOLLOWERINFO) must not keep this server out of elections forever.
                if (System.NowMs() - _lastHeardMs > (long)_settings.InitLimit * _settings.TickTimeMs)
                    End($"leader {_start.LeaderId} silent for initLimit ({_settings.InitLimit} ticks) during sync");
                break;
            case EpochPersisted ep:
                OnEpochPersisted(ep);
                break;
            case Logged l:
                _lastDurable = Math.Max(_lastDurable, l.LastZxid);
                if (!_settings.IsObserver && _ackedNewLeader) _link?.Send(new Ack(l.LastZxid));
                break;
            case LogTruncated or LinkPacket or LinkClosed:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnSyncPacket(QuorumPacket packet)
    {
        switch (packet)
        {
            case NotLeader:
                RetryOrEnd($"server {_start.LeaderId} is not leading yet");
                break;
            case LeaderInfo li:
                OnLeaderInfo(li.Epoch);
                break;
            case Diff d:
                LogDiff(Log, _settings.ServerId, _lastLogged, d.LeaderLastZxid);
                break;
            case Trunc t:
                Truncate(t.Zxid);
                break;
            case Snap s:
                OnSnap(s);
                break;
            case ProposalPacket p:
                LogProposals(p.Txns);
                break;
            case Commit c:
                _committed = Math.Max(_committed, c.Zxid);
                break;
            case Inform inf:
                // An observer is forwarded commits from NEWLEADER on, before its UPTODATE: keep them for then.
                LogProposals(inf.Txns);
                if (inf.Txns.Count > 0) _committed = Math.Max(_committed, inf.Txns[^1].Zxid);
                break;
            case NewLeader nl:
                if (_snap is not null) InstallSnapshot();
                _awaitingCurrentEpoch = true;
                _journal.Tell(new PersistCurrentEpoch(nl.Epoch, Self), Self);
                break;
            case UpToDate:
                StartServing();
                break;
            case Ping:
                _link!.Send(Ping.Empty);
                break;
        }
    }

    private void OnLeaderInfo(long epoch)
    {
        if (epoch < _acceptedEpoch)
        {
            End($"leader offers epoch {epoch}, older than our accepted epoch {_acceptedEpoch}");
            return;
        }
        _epoch = epoch;
        if (epoch == _acceptedEpoch)
        {
            // Never ack the same epoch twice: the leader does not count a -1.
            _link!.Send(new AckEpoch(-1, _lastLogged));
            return;
        }
        _journal.Tell(new PersistAcceptedEpoch(epoch, Self), Self);
    }

    private void OnEpochPersisted(EpochPersisted ep)
    {
        if (ep.AcceptedEpoch == _epoch && _acceptedEpoch != _epoch)
        {
            _acceptedEpoch = _epoch;
            _link!.Send(new AckEpoch(_start.CurrentEpoch, _lastLogged));
        }
        if (_awaitingCurrentEpoch && ep.CurrentEpoch == _epoch)
        {
            _awaitingCurrentEpoch = false;
            AckNewLeaderIfDurable();
        }
    }

    /// <summary>NEWLEADER is acked once the snapshot (if any), every txn received and currentEpoch are durable: the
    /// journal persists them in that order, so the currentEpoch it reports durable covers the rest.</summary>
    private void AckNewLeaderIfDurable()
    {
        if (_awaitingCurrentEpoch || _ackedNewLeader || _epoch < 0) return;
        _ackedNewLeader = true;
        _link!.Send(new Ack(_epoch << 32));
        if (!_settings.IsObserver && _lastDurable > _treeZxid) _link.Send(new Ack(_lastDurable));
    }

    private void Truncate(long zxid)
    {
        if (_treeZxid > zxid)
        {
            // Applied txns are committed and a leader never truncates committed txns: this is a broken invariant.
            throw new InvalidOperationException($"TRUNC to 0x{zxid:x} below the applied zxid 0x{_treeZxid:x}");
        }
        _journal.Tell(new TruncateLog(zxid, Self), Self);
        _history.TruncateAfter(zxid);
        _pending.RemoveAll(t => t.Zxid > zxid);
        _lastLogged = zxid;
        _lastDurable = Math.Min(_lastDurable, zxid);
        LogTrunc(Log, _settings.ServerId, zxid);
    }

    /// <summary>SNAP: nothing changes in memory or on disk before NEWLEADER, so a sync that aborts leaves this server
    /// as it was (zab.md §12.9); the snapshot and the txns that follow it are kept aside until then.</summary>
    private void OnSnap(Snap s)
    {
        _snap = s;
        _snapEntries.Clear();
        _lastLogged = s.Zxid;
        LogSnap(Log, _settings.ServerId, s.Zxid, s.Snapshot.Length);
    }

    /// <summary>At NEWLEADER after a SNAP: the tree and the history become the leader's, and the journal installs the
    /// snapshot and the txns after it, durably and before the currentEpoch that follows (JournalActor.Install).</summary>
    private void InstallSnapshot()
    {
        var s = _snap!;
        _snap = null;
        _dataTree.Tell(new ReplaceTree(Zk.Core.DataTree.DataTree.Load(s.Snapshot, _settings.TreeOptions)), Self);
        _history.Reset(s.Zxid);
        _pending.Clear();
        var entries = new List<JournalEntry>(_snapEntries.Count);
        foreach (var t in _snapEntries)
        {
            var txn = TxnCodec.Decode(t.Payload.Span);
            _history.Append(new HistoryEntry(t.Zxid, t.Payload, txn));
            _pending.Add(txn);
            entries.Add(new JournalEntry(t.Zxid, t.Payload));
        }
        _snapEntries.Clear();
        _journal.Tell(new InstallSnapshot(s.Zxid, s.Snapshot, entries, Self), Self);
        _treeZxid = s.Zxid;
        _committed = Math.Max(_committed, s.Zxid);
        _lastDurable = s.Zxid;
    }

    private void LogProposals(IReadOnlyList<LoggedTxn> txns)
    {
        var entries = new List<JournalEntry>(txns.Count);
        foreach (var t in txns)
        {
            if (t.Zxid <= _lastLogged) continue;
            if (_snap is not null)
            {
                _snapEntries.Add(t);
                _lastLogged = t.Zxid;
                continue;
            }
            var txn = TxnCodec.Decode(t.Payload.Span);
            _history.Append(new HistoryEntry(t.Zxid, t.Payload, txn));
            _pending.Add(txn);
            entries.Add(new JournalEntry(t.Zxid, t.Payload));
            _lastLogged = t.Zxid;
        }
        if (entries.Count > 0) _journal.Tell(new AppendTxns(entries, Self), Self);
    }

    private void StartServing()
    {
        ApplyCommitted();
        _dataTree.Tell(new ServeAsLearner(Self, _settings.ServerId), Self);
        _parent.Tell(new RoleEstablished(Role, _epoch, _start.LeaderId), Self);
        Timers.StartPeriodicTimer("tick", new Tick(), TimeSpan.FromMilliseconds(Math.Clamp(_settings.TickTimeMs / 2, 1, 100)));
        LogServing(Log, _settings.ServerId, Role, _start.LeaderId, _epoch, _treeZxid);
        Become(Serving);
    }

    private void Serving(object message)
    {
        switch (message)
        {
            case LinkPacket lp when FromLeader(lp.Link):
                _lastHeardMs = System.NowMs();
                OnBroadcastPacket(lp.Packet);
                break;
            case LinkClosed lc when FromLeader(lc.Link):
                End($"link to leader {_start.LeaderId} closed: {lc.Reason}");
                break;
            case Logged l:
                _lastDurable = Math.Max(_lastDurable, l.LastZxid);
                if (!_settings.IsObserver && _ackedNewLeader) _link!.Send(new Ack(l.LastZxid));
                break;
            case ForwardRequests f:
                _link!.Send(new RequestPacket(f.Requests));
                break;
            case Revalidate rv:
                _link!.Send(rv);
                break;
            case TouchSession t:
                _touches[t.SessionId] = t.TimeoutMs;
                break;
            case Tick:
                if (System.NowMs() - _lastHeardMs > (long)_settings.SyncLimit * _settings.TickTimeMs)
                    End($"leader {_start.LeaderId} silent for syncLimit ({_settings.SyncLimit} ticks)");
                break;
            case EpochPersisted or LogTruncated or LinkPacket or LinkClosed or Reconnect:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnBroadcastPacket(QuorumPacket packet)
    {
        switch (packet)
        {
            case ProposalPacket p:
                LogProposals(p.Txns);
                break;
            case Commit c:
                _committed = Math.Max(_committed, c.Zxid);
                ApplyCommitted();
                break;
            case Inform inf:
                LogProposals(inf.Txns);
                if (inf.Txns.Count > 0) _committed = Math.Max(_committed, inf.Txns[^1].Zxid);
                ApplyCommitted();
                break;
            case SyncPacket s:
                _dataTree.Tell(new SyncCompleted(s.SessionId, s.Xid, s.Zxid), Self);
                break;
            case Ping:
                var touches = _touches.Select(kv => new SessionTouch(kv.Key, kv.Value)).ToArray();
                _touches.Clear();
                _link!.Send(new Ping(touches));
                break;
            case RevalidateReply rr:
                _dataTree.Tell(new SessionRevalidated(rr.SessionId, rr.Valid), Self);
                break;
        }
    }

    /// <summary>Applies, in order, every pending txn a COMMIT covers. A COMMIT always covers a prefix of _pending.</summary>
    private void ApplyCommitted()
    {
        var n = 0;
        while (n < _pending.Count && _pending[n].Zxid <= _committed) n++;
        if (n == 0) return;
        var batch = _pending.GetRange(0, n).ToArray();
        _pending.RemoveRange(0, n);
        _treeZxid = batch[^1].Zxid;
        _history.AppliedZxid = _treeZxid;
        _dataTree.Tell(new ApplyTxns(batch), Self);
    }

    private void RetryOrEnd(string reason)
    {
        if (_epoch >= 0 || System.NowMs() >= _connectDeadlineMs)
        {
            End(reason);
            return;
        }
        _link?.Close();
        _link = null;
        Timers.StartSingleTimer("reconnect", new Reconnect(), TimeSpan.FromMilliseconds(10));
    }

    private void End(string reason)
    {
        LogEnded(Log, _settings.ServerId, Role, reason);
        _parent.Tell(new RoleEnded(reason), Self);
        StopSelf();
    }

    protected internal override void PostStop() => _link?.Close();

    [LoggerMessage(EventId = 6201, Level = LogLevel.Information, Message = "[myid:{ServerId}] {Role} of leader {Leader} in epoch {Epoch}, serving at zxid 0x{Zxid:x}")]
    private static partial void LogServing(ILogger log, int serverId, PeerState role, int leader, long epoch, long zxid);

    [LoggerMessage(EventId = 6202, Level = LogLevel.Warning, Message = "[myid:{ServerId}] {Role} ends: {Reason}")]
    private static partial void LogEnded(ILogger log, int serverId, PeerState role, string reason);

    [LoggerMessage(EventId = 6203, Level = LogLevel.Warning, Message = "[myid:{ServerId}] TRUNC: log truncated after 0x{Zxid:x}")]
    private static partial void LogTrunc(ILogger log, int serverId, long zxid);

    [LoggerMessage(EventId = 6204, Level = LogLevel.Information, Message = "[myid:{ServerId}] SNAP at 0x{Zxid:x}, {Bytes} bytes")]
    private static partial void LogSnap(ILogger log, int serverId, long zxid, int bytes);

    [LoggerMessage(EventId = 6205, Level = LogLevel.Information, Message = "[myid:{ServerId}] DIFF from 0x{From:x} to 0x{To:x}")]
    private static partial void LogDiff(ILogger log, int serverId, long from, long to);
}
