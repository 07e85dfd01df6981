// Owns the server's DataTree, its WatchManager and (while leading) the TxnPreparer. Serves reads, applies
// committed txns strictly in zxid order, turns writes into txns (leader) or forwards them (learner), and
// answers each local session with one ordered SessionOutput per batch. Everything about one session that
// leaves this actor leaves in the order it happened here, which is what ZooKeeper's ordering guarantees need.
// Snapshots: DataTreeActor.Snapshots.cs. One actor: single-threaded like every actor.
using Microsoft.Extensions.Logging;
using Zk.Actors.Kernel;
using Zk.Actors.Sessions;
using Zk.Actors.Zab;
using Zk.Protocol;
using Zk.Protocol.Records;
using Zk.Core.DataTree;
using Zk.Core.DataTree.Auth;
using Zk.Core.Sessions;
using Zk.Core.Zab;

namespace Zk.Actors.Tree;

public sealed record DataTreeActorOptions(int ServerId)
{
    /// <summary>znode.container.checkIntervalMs: how often the leader looks for empty containers and expired TTL nodes.</summary>
    public int ContainerCheckIntervalMs { get; init; } = 60_000;

    /// <summary>znode.container.maxPerMinute: a bound on reaper deletions.</summary>
    public int ContainerMaxPerMinute { get; init; } = 10_000;

    /// <summary>znode.container.maxNeverUsedIntervalMs: 0 keeps never-used containers forever.</summary>
    public long ContainerMaxNeverUsedIntervalMs { get; init; }

    /// <summary>snapCount: a snapshot is taken after a random number of txns between snapCount/2 and snapCount.</summary>
    public int SnapCount { get; init; } = 100_000;

    /// <summary>Receives each snapshot taken (a SnapshotActor); null takes none (tests).</summary>
    public ActorRef? Snapshots { get; init; }

    /// <summary>Test hook: the simulator's observer of applied txns; null in production.</summary>
    internal Server.IServerProbe? Probe { get; init; }
}

public sealed partial class DataTreeActor : Actor
{
    private readonly DataTreeActorOptions _options;
    private readonly Random _random;
    private readonly WatchManager<ActorRef> _watches = new();
    private readonly Dictionary<long, ActorRef> _local = [];
    private readonly Dictionary<ActorRef, (long SessionId, AuthContext Auth)> _watchers = [];
    private readonly Dictionary<long, (ActorRef Session, int TimeoutMs, byte[] Password)> _pendingConnects = [];
    private readonly Dictionary<long, (ActorRef Session, int TimeoutMs, byte[] Password)> _pendingResumes = [];
    private readonly Dictionary<ActorRef, List<SessionOutputItem>> _outputs = [];
    private readonly List<(ActorRef Watcher, WatcherEvent Event)> _fired = [];
    private readonly List<TreeChange> _changes = [];
    private readonly List<object> _proposals = [];
    private readonly List<SessionRequest> _forward = [];
    private readonly Func<ActorRef, IReadOnlyList<Acl>, bool> _canRead;
    private DataTree _tree;
    private TxnPreparer? _preparer;
    private ActorRef? _leader;
    private ActorRef? _learner;
    private long _nextZxid;
    private long _nextSessionId;

    public DataTreeActor(DataTree tree, DataTreeActorOptions options, Random random)
    {
        _tree = tree;
        _options = options;
        _random = random;
        _canRead = (w, acl) => _tree.AclPolicy.Check(acl, Perms.Read, _watchers.TryGetValue(w, out var s) ? s.Auth : AuthContext.Anonymous);
    }

    private bool Serving => _leader is not null || _learner is not null;

    private sealed record ReapContainers;

    protected internal override void PreStart()
    {
        // ZooKeeper's first session id: server id in the top byte, then 40 bits of the clock, low 16 bits zero.
        var nowMs = System.NowMs();
        _nextSessionId = ((long)_options.ServerId << 56) | ((nowMs << 24) >>> 8);
        _snapshotAfter = NextSnapshotThreshold();
    }

    protected internal override void Receive(object message)
    {
        switch (message)
        {
            case SessionRequests batch:
                foreach (var r in batch.Batch) Handle(r, batch.Session);
                break;
            case ConnectSession c:
                Connect(c);
                break;
            case ApplyTxns a:
                foreach (var txn in a.Txns) Apply(txn);
                MaybeSnapshot(a.Txns.Count);
                break;
            case ForwardedRequests f:
                foreach (var r in f.Requests) Write(r, f.Origin);
                break;
            case SyncCompleted s:
                if (_local.TryGetValue(s.SessionId, out var syncer)) Out(syncer).Add(new WriteReply(s.Xid, s.Zxid, KeeperErrorCode.Ok, null, null));
                break;
            case DetachSession d:
                Detach(d.SessionId, d.Session);
                break;
            case TouchSession t:
                (_leader ?? _learner)?.Tell(t, Self);
                break;
            case ExpireSessions e:
                foreach (var sid in e.SessionIds) Write(new SessionRequest(sid, 0, OpCode.CloseSession, EmptyRequest.Instance, AuthContext.Anonymous), _options.ServerId);
                break;
            case SessionRevalidated v:
                Revalidated(v);
                break;
            case ReapContainers:
                Reap();
                break;
            case ServeAsLeader l:
                BecomeLeader(l);
                break;
            case ServeAsLearner l:
                StopServingClients("the server changed role");
                _learner = l.Learner;
                break;
            case StopServing s:
                StopServingClients(s.Reason);
                break;
            case ReplaceTree r:
                AbortSnapshot();
                _tree = r.Tree;
                _preparer = null;
                _options.Probe?.TreeReplaced(_options.ServerId, _tree);
                LogTreeReplaced(Log, _options.ServerId, r.Tree.LastProcessedZxid);
                break;
            case TakeSnapshot t:
                t.ReplyTo.Tell(new TreeSnapshot(_tree.LastProcessedZxid, SerializeTree()), Self);
                break;
            case SnapshotChunkWritten w:
                ChunkWritten(w);
                break;
            case GetTreeStatus g:
                g.ReplyTo.Tell(Status(), Self);
                break;
            case TreeQuery q:
                Answer(q);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected internal override void OnBatchEnd()
    {
        if (_proposals.Count > 0)
        {
            _leader?.Tell(new Propose([.. _proposals]), Self);
            _proposals.Clear();
        }
        if (_forward.Count > 0)
        {
            _learner?.Tell(new ForwardRequests([.. _forward]), Self);
            _forward.Clear();
        }
        foreach (var (session, items) in _outputs)
            if (items.Count > 0) session.Tell(new SessionOutput(items), Self);
        _outputs.Clear();
    }

    // ---- requests ----

    private void Handle(SessionRequest r, ActorRef session)
    {
        if (r.Op.IsWrite() || r.Op == OpCode.Sync)
        {
            if (!Serving)
            {
                Out(session).Add(new SessionEnded("this server is not serving"));
                return;
            }
            Write(r, _options.ServerId);
            return;
        }
        _watchers[session] = (r.SessionId, r.Auth);
        Read(r, session);
    }

    private void Read(SessionRequest r, ActorRef session)
    {
        var zxid = _tree.LastProcessedZxid;
        switch (r.Body)
        {
            case SetWatchesRequest sw:
                _fired.Clear();
                _watches.SetWatches(sw, session, _tree, _fired);
                foreach (var (w, e) in _fired) Out(w).Add(new WatchNotification(e));
                Out(session).Add(new ReadReply(r.Xid, zxid, KeeperErrorCode.Ok, null));
                return;
            case AddWatchRequest aw:
                _watches.AddPersistentWatch(aw.Path, session, (AddWatchMode)aw.Mode);
                Out(session).Add(new ReadReply(r.Xid, zxid, KeeperErrorCode.Ok, new ErrorResponse(KeeperErrorCode.Ok)));
                return;
            case WatchesRequest wr when r.Op == OpCode.CheckWatches:
                var has = _watches.Contains(wr.Path, (WatcherType)wr.Type, session);
                Out(session).Add(new ReadReply(r.Xid, zxid, has ? KeeperErrorCode.Ok : KeeperErrorCode.NoWatcher, null));
                return;
            case WatchesRequest wr when r.Op == OpCode.RemoveWatches:
                var removed = _watches.Remove(wr.Path, (WatcherType)wr.Type, session);
                Out(session).Add(new ReadReply(r.Xid, zxid, removed ? KeeperErrorCode.Ok : KeeperErrorCode.NoWatcher, null));
                return;
        }
        var result = _tree.Read(r.Op, r.Body, r.Auth, r.SessionId);
        RegisterWatch(r, session, result.Err);
        Out(session).Add(new ReadReply(r.Xid, zxid, result.Err, result.Body));
    }

    /// <summary>exists registers even when the node is missing; getData and getChildren only on success.</summary>
    private void RegisterWatch(SessionRequest r, ActorRef session, KeeperErrorCode err)
    {
        switch (r.Body)
        {
            case ExistsRequest { Watch: true } e when err is KeeperErrorCode.Ok or KeeperErrorCode.NoNode:
                _watches.AddDataWatch(e.Path, session);
                break;
            case GetDataRequest { Watch: true } g when err == KeeperErrorCode.Ok:
                _watches.AddDataWatch(g.Path, session);
                break;
            case GetChildrenRequest { Watch: true } c when err == KeeperErrorCode.Ok:
                _watches.AddChildWatch(c.Path, session);
                break;
        }
    }

    private void Write(SessionRequest r, int origin)
    {
        if (_learner is not null)
        {
            _forward.Add(r);
            return;
        }
        if (_leader is null || _preparer is null) return;
        if (r.Op == OpCode.Sync)
        {
            _proposals.Add(new SyncMarker(origin, r.SessionId, r.Xid));
            return;
        }
        var ctx = new PrepareContext(r.SessionId, r.Xid, _nextZxid++, System.NowMs(), r.Auth);
        _proposals.Add(_preparer.Prepare(ctx, r.Op, r.Body));
    }

    // ---- handshakes ----

    private void Connect(ConnectSession c)
    {
        var req = c.Request;
        if (!Serving)
        {
            c.Session.Tell(new SessionRefused(false, "this server is not serving"), Self);
            return;
        }
        if (req.LastZxidSeen > _tree.LastProcessedZxid)
        {
            // The client has seen a newer state than ours: it must try another server (ZooKeeper closes silently).
            c.Session.Tell(new SessionRefused(false, $"client has seen zxid 0x{req.LastZxidSeen:x}, our last is 0x{_tree.LastProcessedZxid:x}"), Self);
            return;
        }
        if (req.SessionId == 0)
        {
            var sid = NextSessionId();
            var password = new byte[16];
            _random.NextBytes(password);
            _pendingConnects[sid] = (c.Session, c.TimeoutMs, password);
            _local[sid] = c.Session;
            Write(new SessionRequest(sid, 0, OpCode.CreateSession, new CreateSessionRequest(c.TimeoutMs, password), AuthContext.Anonymous), _options.ServerId);
            return;
        }
        if (_local.TryGetValue(req.SessionId, out var previous) && previous != c.Session)
        {
            // A client that reconnects takes its session away from its old connection first.
            Out(previous).Add(new SessionEnded("the session moved to a new connection"));
            Detach(req.SessionId, previous);
        }
        if (!_tree.TryGetSession(req.SessionId, out var info) || (_preparer?.IsSessionClosing(req.SessionId) ?? false))
        {
            c.Session.Tell(new SessionRefused(true, $"session 0x{req.SessionId:x} has expired or is unknown"), Self);
            return;
        }
        if (req.Password is null || !req.Password.AsSpan().SequenceEqual(info.Password))
        {
            c.Session.Tell(new SessionRefused(true, $"wrong password for session 0x{req.SessionId:x}"), Self);
            return;
        }
        if (_learner is not null)
        {
            // zab.md §10: this tree may not have applied a close the leader already committed (or prepared), so the
            // leader decides (REVALIDATE); an expired session must never come back.
            if (_pendingResumes.Remove(req.SessionId, out var older)) older.Session.Tell(new SessionRefused(false, "the session moved to a new connection"), Self);
            _pendingResumes[req.SessionId] = (c.Session, c.TimeoutMs, info.Password);
            _learner.Tell(new Revalidate(req.SessionId, c.TimeoutMs), Self);
            return;
        }
        Accept(req.SessionId, c.Session, c.TimeoutMs, info.Password);
    }

    private void Accept(long sessionId, ActorRef session, int timeoutMs, byte[] password)
    {
        _local[sessionId] = session;
        (_leader ?? _learner)?.Tell(new TouchSession(sessionId, timeoutMs), Self);
        session.Tell(new SessionAccepted(sessionId, password, timeoutMs, _tree.LastProcessedZxid), Self);
    }

    private void Revalidated(SessionRevalidated v)
    {
        if (_pendingResumes.Remove(v.SessionId, out var resume))
        {
            if (v.Valid) Accept(v.SessionId, resume.Session, resume.TimeoutMs, resume.Password);
            else resume.Session.Tell(new SessionRefused(true, $"session 0x{v.SessionId:x} has expired at the leader"), Self);
            return;
        }
        if (!v.Valid && _local.TryGetValue(v.SessionId, out var s))
        {
            Out(s).Add(new SessionEnded($"session 0x{v.SessionId:x} is not valid at the leader"));
            Detach(v.SessionId, s);
        }
    }

    private long NextSessionId()
    {
        var sid = _nextSessionId++;
        if (sid == long.MinValue) sid = _nextSessionId++;
        return sid;
    }

    private void Detach(long sessionId, ActorRef session)
    {
        if (_local.TryGetValue(sessionId, out var s) && s == session) _local.Remove(sessionId);
        _watches.RemoveWatcher(session);
        _watchers.Remove(session);
    }

    // ---- apply ----

    private void Apply(Txn txn)
    {
        _changes.Clear();
        var result = _tree.Apply(txn, _changes);
        _options.Probe?.Applied(_options.ServerId, txn, _tree);
        _preparer?.Applied(txn.Zxid);
        if (_changes.Count > 0)
        {
            _fired.Clear();
            foreach (var change in _changes) _watches.Trigger(change, _canRead, _fired);
            foreach (var (w, e) in _fired) Out(w).Add(new WatchNotification(e));
        }
        if (txn.Body is CreateSessionTxn)
        {
            if (_pendingConnects.Remove(txn.SessionId, out var pc))
                pc.Session.Tell(new SessionAccepted(txn.SessionId, pc.Password, pc.TimeoutMs, txn.Zxid), Self);
            return;
        }
        if (!_local.TryGetValue(txn.SessionId, out var session)) return;
        Out(session).Add(new WriteReply(txn.Cxid, txn.Zxid, result.Err, result, txn.Type));
        if (txn.Body is CloseSessionTxn)
        {
            _local.Remove(txn.SessionId);
            _watches.RemoveWatcher(session);
            _watchers.Remove(session);
        }
    }

    // ---- roles ----

    private void BecomeLeader(ServeAsLeader l)
    {
        StopServingClients("the server changed role");
        _leader = l.Leader;
        _nextZxid = l.NextZxid;
        _preparer = new TxnPreparer(_tree);
        if (_options.ContainerCheckIntervalMs > 0)
            Timers.StartPeriodicTimer("reaper", new ReapContainers(), TimeSpan.FromMilliseconds(_options.ContainerCheckIntervalMs));
        LogServing(Log, _options.ServerId, "leader", _tree.LastProcessedZxid);
    }

    private void StopServingClients(string reason)
    {
        foreach (var (sid, session) in _local) Out(session).Add(new SessionEnded(reason));
        foreach (var (sid, pc) in _pendingConnects) pc.Session.Tell(new SessionRefused(false, reason), Self);
        _pendingConnects.Clear();
        foreach (var (sid, pr) in _pendingResumes) pr.Session.Tell(new SessionRefused(false, reason), Self);
        _pendingResumes.Clear();
        foreach (var session in _local.Values) _watches.RemoveWatcher(session);
        _local.Clear();
        _watchers.Clear();
        _proposals.Clear();
        _forward.Clear();
        _preparer = null;
        _leader = null;
        _learner = null;
        Timers.Cancel("reaper");
    }

    private void Reap()
    {
        if (_leader is null) return;
        var candidates = new List<string>();
        _tree.GetReapCandidates(System.NowMs(), _options.ContainerMaxNeverUsedIntervalMs, candidates);
        var budget = Math.Max(1, _options.ContainerMaxPerMinute * Math.Max(1, _options.ContainerCheckIntervalMs) / 60_000);
        foreach (var path in candidates.Take(budget))
            Write(new SessionRequest(0, 0, OpCode.DeleteContainer, new DeleteContainerRequest(path), AuthContext.Anonymous), _options.ServerId);
    }

    private List<SessionOutputItem> Out(ActorRef session)
    {
        if (!_outputs.TryGetValue(session, out var list))
        {
            list = [];
            _outputs[session] = list;
        }
        return list;
    }

    private TreeStatus Status()
    {
        long SidOf(ActorRef w) => _watchers.TryGetValue(w, out var s) ? s.SessionId : 0;
        var byWatcher = _watches.DataWatchesByWatcher().Select(x => (SidOf(x.Watcher), x.Paths)).ToList();
        var byPath = _watches.DataWatchesByPath().Select(x => (x.Path, (IReadOnlyList<long>)x.Watchers.Select(SidOf).ToList())).ToList();
        var sessions = _tree.SessionIds.Select(id => (id, _tree.TryGetSession(id, out var s) ? s.TimeoutMs : 0)).ToList();
        return new TreeStatus(_tree.LastProcessedZxid, _tree.NodeCount, _tree.ZkNodeCount, _tree.ApproximateDataSize,
            _tree.EphemeralCount, _tree.SessionCount, _watches.TotalWatchCount, _watches.DataWatcherCount, _watches.DataPathCount,
            _watches.DataWatchCount, _tree.Digest, byWatcher, byPath, _tree.EphemeralsBySession(), sessions, Serving);
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "[myid:{ServerId}] serving clients as {Role} at zxid 0x{Zxid:x}")]
    private static partial void LogServing(ILogger log, int serverId, string role, long zxid);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "[myid:{ServerId}] tree replaced, now at zxid 0x{Zxid:x}")]
    private static partial void LogTreeReplaced(ILogger log, int serverId, long zxid);
}
