// One simulated application client: it keeps a session, issues random requests (creates of every kind,
// conditional and blind setData, deletes, multi, reads, sync) with a few outstanding at a time, heartbeats,
// and when its connection drops it moves to another live server with its session id, password, last seen zxid
// and next xid, as a real client library does. It sometimes closes its session or goes quiet long enough to be
// expired, then starts a new one. Driven by virtual-time timers; single-threaded.
using Zk.Protocol;
using Zk.Protocol.Records;
using Zk.Simulation.Checking;
using Zk.Simulation.Harness;

namespace Zk.Simulation.Workload;

internal sealed class ClientDriver
{
    public static readonly string[] Registers = ["/reg/0", "/reg/1", "/reg/2"];

    private readonly int _id;
    private readonly SimCluster _cluster;
    private readonly ClientHistory _history;
    private readonly Random _random;
    private readonly int _timeoutMs;
    private readonly Dictionary<string, int> _knownVersions = [];
    private readonly List<string> _mine = [];
    private SimClient? _connection;
    private long _sessionId;
    private byte[]? _password;
    private long _lastZxid;
    private int _nextXid = 1;
    private long _quietUntilMs;
    private long _lastSentMs;
    private long _counter;
    private ITimer? _timer;
    private bool _resuming;
    private bool _closedBeforeAttempt;

    private readonly int _maxOutstanding;
    private readonly int _thinkMs;

    public ClientDriver(int id, SimCluster cluster, ClientHistory history, int maxOutstanding = 3, int thinkMs = 25)
    {
        _id = id;
        _maxOutstanding = maxOutstanding;
        _thinkMs = thinkMs;
        _cluster = cluster;
        _history = history;
        _random = cluster.Sim.Random;
        _timeoutMs = 600 + _random.Next(1400);
    }

    /// <summary>Stopped drivers issue nothing new; the run waits for their outstanding requests.</summary>
    public bool Stopped { get; private set; }

    public int Outstanding => _connection?.Outstanding ?? 0;

    public int SessionsStarted { get; private set; }

    public void Start()
    {
        _timer = _cluster.Sim.Time.CreateTimer(_ => Tick(), null, TimeSpan.FromMilliseconds(1 + _random.Next(20)), TimeSpan.FromMilliseconds(1 + _random.Next(_thinkMs)));
    }

    public void Stop() => Stopped = true;

    /// <summary>The client is cut off from the ensemble for a while (a fault): it drops its connection.</summary>
    public void Disconnect()
    {
        if (_connection is { Closed: false } c)
        {
            _cluster.Trace.Event($"c{_id} disconnects from s{c.ServerId}");
            c.Disconnect();
        }
    }

    private void Tick()
    {
        if (_connection is null || _connection.Closed)
        {
            if (_connection is not null) Forget(_connection);
            if (!Stopped || _sessionId != 0) TryConnect();
            return;
        }
        if (_connection.Connected is null) return;
        if (_resuming)
        {
            _resuming = false;
            _history.Resumed(_id, _connection, _closedBeforeAttempt);
        }
        var now = _cluster.NowMs;
        if (now < _quietUntilMs) return;
        if (Stopped)
        {
            if (now - _lastSentMs > _timeoutMs / 3) Heartbeat(now);
            return;
        }
        if (_connection.Outstanding < _maxOutstanding && _random.Next(3) > 0) Issue(now);
        else if (now - _lastSentMs > _timeoutMs / 3) Heartbeat(now);
    }

    private void Heartbeat(long now)
    {
        _connection!.Ping();
        _lastSentMs = now;
    }

    private void Forget(SimClient c)
    {
        _lastZxid = Math.Max(_lastZxid, c.LastZxid);
        _nextXid = Math.Max(_nextXid, c.NextXid);
        if (c.Expired)
        {
            _cluster.Trace.Event($"c{_id} session 0x{_sessionId:x} expired");
            _sessionId = 0;
            _password = null;
        }
        _connection = null;
    }

    private void TryConnect()
    {
        var live = _cluster.Live.Select(s => s.Id).ToList();
        if (live.Count == 0 || _random.Next(4) == 0) return; // back off a little
        var server = live[_random.Next(live.Count)];
        _resuming = _sessionId != 0;
        _closedBeforeAttempt = _resuming && _cluster.Checker.IsSessionClosed(_sessionId);
        _connection = new SimClient(_cluster, server, _sessionId, _password, _lastZxid, _timeoutMs, _nextXid);
        _connection.OnReply = OnReply;
        _lastSentMs = _cluster.NowMs;
    }

    private void OnReply(SimClient c, SimReply reply)
    {
        _history.Replied(reply);
        if (reply.Err == KeeperErrorCode.Ok && reply.Body is GetDataResponse g && reply.Request is GetDataRequest gr) _knownVersions[gr.Path] = g.Stat.Version;
        if (reply.Err == KeeperErrorCode.Ok && reply.Body is StatResponse s && reply.Request is SetDataRequest sr) _knownVersions[sr.Path] = s.Stat.Version;
        if (reply.Err == KeeperErrorCode.Ok && reply.Body is CreateResponse cr) _mine.Add(cr.Path);
        if (reply.Op == OpCode.CloseSession && reply.Err == KeeperErrorCode.Ok)
        {
            _sessionId = 0;
            _password = null;
        }
    }

    private void Issue(long now)
    {
        var c = _connection!;
        if (_sessionId == 0)
        {
            _sessionId = c.SessionId;
            _password = c.Connected!.Password;
            SessionsStarted++;
            _cluster.Trace.Event($"c{_id} has session 0x{_sessionId:x} on s{c.ServerId}");
        }
        _lastSentMs = now;
        var (op, body) = NextRequest();
        if (op == OpCode.Ping)
        {
            // "Go quiet": no heartbeats for longer than the session timeout, so the leader expires the session.
            _quietUntilMs = now + _timeoutMs * 2;
            _cluster.Trace.Event($"c{_id} goes quiet for {_timeoutMs * 2} ms");
            return;
        }
        var reply = c.Send(op, body);
        _history.Invoked(_id, c, reply);
    }

    private byte[] NewValue() => BitConverter.GetBytes(((long)_id << 40) | ++_counter);

    private string Register() => Registers[_random.Next(Registers.Length)];

    private (OpCode, Request) NextRequest()
    {
        var roll = _random.Next(100);
        var open = Acl.OpenAclUnsafe;
        switch (roll)
        {
            case < 22:
                return (OpCode.GetData, new GetDataRequest(Register(), false));
            case < 34:
                return (OpCode.SetData, new SetDataRequest(Register(), NewValue(), -1));
            case < 48:
            {
                var path = Register();
                return (OpCode.SetData, new SetDataRequest(path, NewValue(), _knownVersions.GetValueOrDefault(path, _random.Next(3))));
            }
            case < 56:
                return (OpCode.Create, new CreateRequest($"/data/c{_id}-{++_counter}", NewValue(), open, (int)CreateMode.Persistent));
            case < 61:
                return (OpCode.Create2, new CreateRequest("/seq/s-", NewValue(), open, (int)CreateMode.PersistentSequential));
            case < 67:
                return (OpCode.Create, new CreateRequest($"/eph/c{_id}-{++_counter}", null, open, (int)CreateMode.Ephemeral));
            case < 70:
                return (OpCode.Create, new CreateRequest("/eph/es-", null, open, (int)CreateMode.EphemeralSequential));
            case < 76 when _mine.Count > 0:
            {
                var path = _mine[_random.Next(_mine.Count)];
                _mine.Remove(path);
                return (OpCode.Delete, new DeleteRequest(path, _random.Next(4) == 0 ? 0 : -1));
            }
            case < 82:
                return (OpCode.Multi, Multi());
            case < 87:
                return (OpCode.Exists, new ExistsRequest(_random.Next(2) == 0 ? Register() : "/data/none", false));
            case < 91:
                return (OpCode.GetChildren, new GetChildrenRequest(_random.Next(2) == 0 ? "/eph" : "/seq", false));
            case < 96:
                return (OpCode.Sync, new SyncRequest("/"));
            case < 98:
                return (OpCode.CloseSession, EmptyRequest.Instance);
            case < 99:
                return (OpCode.Ping, EmptyRequest.Instance);
            default:
                return (OpCode.GetData, new GetDataRequest(Register(), false));
        }
    }

    /// <summary>A multi that succeeds or fails as a whole: a version check on a register, then two changes.</summary>
    private MultiRequest Multi()
    {
        var path = Register();
        var version = _random.Next(3) == 0 ? 99 : _knownVersions.GetValueOrDefault(path, 0);
        var child = $"/data/m{_id}-{++_counter}";
        return new MultiRequest(
        [
            new MultiOp(OpCode.Check, new CheckVersionRequest(path, version)),
            new MultiOp(OpCode.Create, new CreateRequest(child, NewValue(), Acl.OpenAclUnsafe, (int)CreateMode.Persistent)),
            new MultiOp(OpCode.Create, new CreateRequest($"/eph/m{_id}-{_counter}", null, Acl.OpenAclUnsafe, (int)CreateMode.Ephemeral)),
        ]);
    }

    public void Dispose() => _timer?.Dispose();
}
