// One client session as seen by the server it is connected to (one actor per connection). It keeps the
// session's FIFO promise: requests are dispatched in client order, a read waits for the session's earlier
// writes, and replies leave in request order through a queue of slots. Watch events are written the moment
// they arrive: the data tree produced them before any later reply, and every earlier reply is already out.
using Microsoft.Extensions.Logging;
using Zk.Actors.Tree;
using Zk.Actors.Kernel;
using Zk.Protocol;
using Zk.Protocol.Records;
using Zk.Core.DataTree;
using Zk.Core.DataTree.Auth;
using Zk.Core.Sessions;

namespace Zk.Actors.Sessions;

public sealed record SessionOptions(
    int TickTimeMs,
    int MinSessionTimeoutMs,
    int MaxSessionTimeoutMs,
    AuthProviders AuthProviders)
{
    public static SessionOptions ForTick(int tickTimeMs) => new(tickTimeMs, 2 * tickTimeMs, 20 * tickTimeMs, AuthProviders.Default);

    public int Negotiate(int requestedMs) => Math.Clamp(requestedMs, MinSessionTimeoutMs, MaxSessionTimeoutMs);

    /// <summary>Receives each reply's latency by opcode; null reports nothing.</summary>
    public Server.Metrics.ServerMetrics? Metrics { get; init; }
}

public sealed partial class SessionActor : Actor
{
    private readonly IClientConnection _connection;
    private readonly ConnectRequest _connect;
    private readonly SessionOptions _options;
    private readonly ActorRef _dataTree;
    private readonly Queue<ClientRequest> _waiting = new();
    private readonly Queue<Slot> _slots = new();
    // Replies come back in dispatch order per kind (the data tree answers reads in order, writes commit in
    // order), so matching a reply is a look at the head of its queue, not a search.
    private readonly Queue<Slot> _unfilledReads = new();
    private readonly Queue<Slot> _unfilledWrites = new();
    // A sync completes once the writes proposed before it commit, which can be after this session's later writes
    // are applied: syncs are answered in order among themselves, not with the writes.
    private readonly Queue<Slot> _unfilledSyncs = new();
    private readonly List<SessionRequest> _dispatch = [];
    private AuthContext _auth;
    private long _sessionId;
    private int _timeoutMs;
    private long _lastZxid;
    private int _pendingWrites;
    private long _lastTouchMs;
    private bool _closing;

    public SessionActor(IClientConnection connection, ConnectRequest connect, SessionOptions options, ActorRef dataTree)
    {
        _connection = connection;
        _connect = connect;
        _options = options;
        _dataTree = dataTree;
        _auth = AuthContext.From([new Id(AuthSchemes.Ip, connection.RemoteAddress)]);
        _lastZxid = connect.LastZxidSeen;
    }

    private sealed class Slot(ClientRequest request, Kind kind)
    {
        public ClientRequest Request { get; } = request;
        public Kind Kind { get; } = kind;
        public bool Filled { get; set; }
        public ReplyHeader Header { get; set; }
        public Response? Body { get; set; }
        public bool CloseAfter { get; set; }
    }

    protected internal override void PreStart()
    {
        _timeoutMs = _options.Negotiate(_connect.TimeoutMs);
        _dataTree.Tell(new ConnectSession(Self, _connect, _timeoutMs, _connection.RemoteAddress), Self);
    }

    protected internal override void Receive(object message) => Connecting(message);

    private void Connecting(object message)
    {
        switch (message)
        {
            case SessionAccepted a:
                _sessionId = a.SessionId;
                _timeoutMs = a.TimeoutMs;
                _lastZxid = Math.Max(_lastZxid, a.Zxid);
                _connection.Stats.SessionId = a.SessionId;
                _connection.Stats.TimeoutMs = a.TimeoutMs;
                SessionCodec.WriteConnectResponseFrame(_connection.Output,
                    new ConnectResponse(0, a.TimeoutMs, a.SessionId, a.Password, false, _connect.HasReadOnly));
                _connection.Stats.OnSent();
                LogSessionEstablished(Log, a.SessionId, _connection.RemoteAddress, _connection.RemotePort, a.TimeoutMs);
                Become(Active);
                Pump();
                break;
            case SessionRefused r:
                if (r.ReplyInvalid)
                {
                    SessionCodec.WriteConnectResponseFrame(_connection.Output, ConnectResponse.Invalid(_connect.HasReadOnly));
                }
                LogSessionRefused(Log, _connect.SessionId, _connection.RemoteAddress, r.Reason);
                Close();
                break;
            case ClientRequests batch:
                foreach (var r in batch.Batch) _waiting.Enqueue(r);
                break;
            case ConnectionClosed:
                StopSelf();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Active(object message)
    {
        switch (message)
        {
            case ClientRequests batch:
                foreach (var r in batch.Batch) _waiting.Enqueue(r);
                Touch();
                Pump();
                break;
            case SessionOutput output:
                foreach (var item in output.Items) Deliver(item);
                FlushSlots();
                Pump();
                break;
            case ConnectionClosed:
                _dataTree.Tell(new DetachSession(_sessionId, Self), Self);
                StopSelf();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected internal override void OnBatchEnd()
    {
        if (_dispatch.Count > 0)
        {
            _dataTree.Tell(new SessionRequests(Self, [.. _dispatch]), Self);
            _dispatch.Clear();
        }
        _connection.Flush();
    }

    /// <summary>Dispatches waiting requests in order until one must wait for the session's earlier writes.</summary>
    private void Pump()
    {
        while (!_closing && _waiting.TryPeek(out var r))
        {
            if (r.Op == OpCode.Ping)
            {
                _waiting.Dequeue();
                ReplyNow(r, new ReplyHeader(Xids.Ping, _lastZxid, KeeperErrorCode.Ok), null);
                continue;
            }
            var kind = Classify(r);
            if (kind == Kind.Read && _pendingWrites > 0) return;
            _waiting.Dequeue();
            var slot = new Slot(r, kind);
            _slots.Enqueue(slot);
            _connection.Stats.LastOp = LastOpName(r.Op);
            _connection.Stats.LastCxid = r.Xid;
            switch (kind)
            {
                case Kind.Fail:
                    Fill(slot, new ReplyHeader(r.Xid, _lastZxid, r.DecodeError), null);
                    break;
                case Kind.Unimplemented:
                    Fill(slot, new ReplyHeader(r.Xid, -1, KeeperErrorCode.Unimplemented), null);
                    slot.CloseAfter = true;
                    _closing = true;
                    break;
                case Kind.Local:
                    ExecuteLocal(slot);
                    break;
                case Kind.Write:
                    _pendingWrites++;
                    (r.Op == OpCode.Sync ? _unfilledSyncs : _unfilledWrites).Enqueue(slot);
                    _dispatch.Add(new SessionRequest(_sessionId, r.Xid, r.Op, r.Body!, _auth));
                    break;
                case Kind.Read:
                    _unfilledReads.Enqueue(slot);
                    _dispatch.Add(new SessionRequest(_sessionId, r.Xid, r.Op, r.Body!, _auth));
                    break;
            }
        }
        FlushSlots();
    }

    private enum Kind
    {
        Read,
        Write,
        Local,
        Fail,
        Unimplemented,
    }

    private static Kind Classify(ClientRequest r)
    {
        if (r.Body is null) return Kind.Unimplemented;
        if (r.DecodeError != KeeperErrorCode.Ok) return Kind.Fail;
        return r.Op switch
        {
            OpCode.Check => Kind.Unimplemented,
            OpCode.Auth or OpCode.WhoAmI or OpCode.Sasl => Kind.Local,
            // sync waits for every earlier write at the leader, and reads after it wait for sync.
            OpCode.Sync or OpCode.CloseSession => Kind.Write,
            _ when r.Op.IsWrite() => Kind.Write,
            _ => Kind.Read,
        };
    }

    private void ExecuteLocal(Slot slot)
    {
        var r = slot.Request;
        switch (r.Body)
        {
            case AuthPacket auth:
            {
                var added = new List<Id>();
                var err = _options.AuthProviders.Authenticate(auth.Scheme, auth.Auth, _connection.RemoteAddress, added);
                if (err == KeeperErrorCode.Ok) _auth = _auth.With(added);
                else LogAuthFailed(Log, _sessionId, auth.Scheme ?? "(null)");
                // Auth replies carry zxid 0, like ZooKeeper's; AuthFailed is followed by closing the connection.
                Fill(slot, new ReplyHeader(Xids.Auth, 0, err), null);
                if (err != KeeperErrorCode.Ok)
                {
                    slot.CloseAfter = true;
                    _closing = true;
                }
                break;
            }
            case EmptyRequest when r.Op == OpCode.WhoAmI:
            {
                var infos = new List<ClientInfo>(_auth.Ids.Count);
                foreach (var id in _auth.Ids) infos.Add(new ClientInfo(id.Scheme, AuthProviders.UserName(id)));
                Fill(slot, new ReplyHeader(r.Xid, _lastZxid, KeeperErrorCode.Ok), new WhoAmIResponse(infos));
                break;
            }
            default:
                // SASL is not configured on this server. ZooKeeper then has no SASL server for the connection and
                // answers Ok with a null token (its evaluateResponse hits a null and is skipped); so do we.
                Fill(slot, new ReplyHeader(r.Xid, 0, KeeperErrorCode.Ok), new SaslResponse(null));
                break;
        }
    }

    private void Deliver(SessionOutputItem item)
    {
        switch (item)
        {
            case WatchNotification n:
                // Replies the tree answered before it fired this event go out first: one of them may be the read that
                // set the watch, and a client drops an event for a watch it has not yet seen the reply of.
                FlushSlots();
                SessionCodec.WriteNotificationFrame(_connection.Output, n.Event);
                _connection.Stats.OnSent();
                break;
            case ReadReply rr:
                _lastZxid = Math.Max(_lastZxid, rr.Zxid);
                FillFirst(rr.Xid, isWrite: false, new ReplyHeader(rr.Xid, rr.Zxid, rr.Err), rr.Err == KeeperErrorCode.Ok ? rr.Body : null);
                break;
            case WriteReply wr:
                _lastZxid = Math.Max(_lastZxid, wr.Zxid);
                DeliverWrite(wr);
                break;
            case SessionEnded e:
                LogSessionEnded(Log, _sessionId, e.Reason);
                _closing = true;
                _waiting.Clear();
                Close();
                break;
        }
    }

    private void DeliverWrite(WriteReply wr)
    {
        var asked = _unfilledWrites.TryPeek(out var head) && head.Request.Op == OpCode.CloseSession && head.Request.Xid == wr.Xid;
        if (wr.Type == TxnType.CloseSession && !asked)
        {
            // Closed by a txn this client did not send (the leader expired the session, possibly while the client's
            // own closeSession was on its way): the session is over either way.
            Deliver(new SessionEnded("session expired"));
            return;
        }
        var slot = FindUnfilled(wr.Xid, isWrite: true);
        if (slot is null)
        {
            LogUnmatchedReply(Log, _sessionId, wr.Xid);
            return;
        }
        _pendingWrites--;
        var (header, body) = WriteResponses.Build(slot.Request, wr);
        Fill(slot, header, body);
        if (slot.Request.Op == OpCode.CloseSession)
        {
            slot.CloseAfter = true;
            _closing = true;
        }
    }

    private void FillFirst(int xid, bool isWrite, ReplyHeader header, Response? body)
    {
        var slot = FindUnfilled(xid, isWrite);
        if (slot is null)
        {
            LogUnmatchedReply(Log, _sessionId, xid);
            return;
        }
        Fill(slot, header, body);
    }

    private Slot? FindUnfilled(int xid, bool isWrite)
    {
        var queue = isWrite ? _unfilledWrites : _unfilledReads;
        if (queue.TryPeek(out var head) && head.Request.Xid == xid) return queue.Dequeue();
        if (isWrite && _unfilledSyncs.TryPeek(out var sync) && sync.Request.Xid == xid) return _unfilledSyncs.Dequeue();
        return null;
    }

    private static void Fill(Slot slot, ReplyHeader header, Response? body)
    {
        slot.Filled = true;
        slot.Header = header;
        slot.Body = body;
    }

    private void FlushSlots()
    {
        var now = System.NowMs();
        var completed = 0;
        while (_slots.TryPeek(out var s) && s.Filled)
        {
            _slots.Dequeue();
            ResponseCodec.WriteFrame(_connection.Output, s.Header, s.Request.Op, s.Body);
            completed++;
            _connection.Stats.OnSent();
            _connection.Stats.OnResponse(Math.Max(0, now - s.Request.ReceivedMs), now);
            _options.Metrics?.RequestCompleted(s.Request.Op, Math.Max(0, now - s.Request.ReceivedMs));
            if (s.Header.Zxid > 0) _connection.Stats.LastZxid = s.Header.Zxid;
            if (s.CloseAfter)
            {
                Close();
                break;
            }
        }
        if (completed > 0) _connection.Completed(completed);
        _connection.Stats.Outstanding = _slots.Count + _waiting.Count;
    }

    private void ReplyNow(ClientRequest r, ReplyHeader header, Response? body)
    {
        ResponseCodec.WriteFrame(_connection.Output, header, r.Op, body);
        _connection.Stats.OnSent();
        _connection.Completed(1);
    }

    private void Touch()
    {
        var now = System.NowMs();
        if (now - _lastTouchMs < _options.TickTimeMs / 2) return;
        _lastTouchMs = now;
        _dataTree.Tell(new TouchSession(_sessionId, _timeoutMs), Self);
    }

    private void Close()
    {
        _connection.Flush();
        _connection.Close();
        if (_sessionId != 0) _dataTree.Tell(new DetachSession(_sessionId, Self), Self);
        Become(Closed);
    }

    private void Closed(object message)
    {
        if (message is ConnectionClosed) StopSelf();
    }

    private static string LastOpName(OpCode op) => op switch
    {
        OpCode.Create or OpCode.Create2 or OpCode.CreateContainer or OpCode.CreateTtl => "CREA",
        OpCode.Delete => "DELE",
        OpCode.SetData => "SETD",
        OpCode.SetAcl => "SETA",
        OpCode.GetData => "GETD",
        OpCode.GetChildren or OpCode.GetChildren2 => "GETC",
        OpCode.GetAcl => "GETA",
        OpCode.GetAllChildrenNumber => "GETACN",
        OpCode.Exists => "EXIS",
        OpCode.Sync => "SYNC",
        OpCode.Check => "CHEC",
        OpCode.Multi => "MULT",
        OpCode.MultiRead => "MLTR",
        OpCode.SetWatches => "SETW",
        OpCode.SetWatches2 => "STW2",
        OpCode.AddWatch => "ADDW",
        OpCode.CheckWatches => "CHKW",
        OpCode.RemoveWatches => "REMW",
        OpCode.WhoAmI => "HOMI",
        OpCode.GetEphemerals => "GETE",
        OpCode.Reconfig => "RECO",
        OpCode.CloseSession => "CLOS",
        OpCode.Ping => "PING",
        _ => "NA",
    };

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "session 0x{SessionId:x} established for {Ip}:{Port}, timeout {TimeoutMs} ms")]
    private static partial void LogSessionEstablished(ILogger log, long sessionId, string ip, int port, int timeoutMs);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "handshake for session 0x{SessionId:x} from {Ip} refused: {Reason}")]
    private static partial void LogSessionRefused(ILogger log, long sessionId, string ip, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "session 0x{SessionId:x} ended: {Reason}")]
    private static partial void LogSessionEnded(ILogger log, long sessionId, string reason);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "session 0x{SessionId:x}: auth with scheme {Scheme} failed")]
    private static partial void LogAuthFailed(ILogger log, long sessionId, string scheme);

    // Replies are routed by session id, so a request an earlier connection of this session sent (and got
    // ConnectionLoss for) can be answered here after the client reconnected: expected, and dropped.
    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "session 0x{SessionId:x}: reply for xid {Xid} belongs to an earlier connection; dropped")]
    private static partial void LogUnmatchedReply(ILogger log, long sessionId, int xid);
}
