// A ZooKeeper client connection inside the simulation: it talks to a server's session actor exactly as the TCP
// proxy does (requests as ClientRequests, replies as frames written to IClientConnection.Output) and decodes the
// frames with the real codecs. One object per connection; a session that moves to another server gets a new
// one carrying its id, password, last seen zxid and next xid. Single-threaded, like everything in a simulation.
using Zk.Actors.Kernel;
using Zk.Actors.Sessions;
using Zk.Protocol;
using Zk.Protocol.Framing;
using Zk.Protocol.Jute;
using Zk.Protocol.Records;
using Zk.Core.Sessions;

namespace Zk.Simulation.Harness;

public sealed class SimReply(int xid, OpCode op, Request request)
{
    public int Xid { get; } = xid;
    public OpCode Op { get; } = op;
    public Request Request { get; } = request;
    public bool Done { get; internal set; }
    public KeeperErrorCode Err { get; internal set; }
    public long Zxid { get; internal set; }

    /// <summary>The decoded reply body (null for errors and body-less replies).</summary>
    public Response? Body { get; internal set; }
}

public sealed class SimClient : IClientConnection
{
    private readonly SimCluster _cluster;
    private readonly Queue<SimReply> _pending = new();
    private readonly JuteWriter _output = new();
    private ActorRef? _session;
    private int _xid;

    public SimClient(SimCluster cluster, int serverId, long sessionId = 0, byte[]? password = null, long lastZxid = 0,
        int timeoutMs = 4000, int nextXid = 1)
    {
        _cluster = cluster;
        ServerId = serverId;
        ConnectionId = cluster.NextConnectionId();
        Stats = new ConnectionStats(0);
        LastZxid = lastZxid;
        _xid = nextXid - 1;
        var node = cluster.Servers[serverId].Node ?? throw new InvalidOperationException($"server {serverId} is down");
        cluster.Attach(this);
        _session = node.SpawnSession(this, new ConnectRequest(0, lastZxid, timeoutMs, sessionId, password ?? new byte[16], false));
    }

    public int ServerId { get; }
    public long ConnectionId { get; }
    public string RemoteAddress => "127.0.0.1";
    public int RemotePort => 40000 + (int)(ConnectionId % 20000);
    public ConnectionStats Stats { get; }
    public JuteWriter Output => _output;

    public ConnectResponse? Connected { get; private set; }

    /// <summary>The server answered the handshake with "session expired" (timeout 0).</summary>
    public bool Expired => Connected is { TimeoutMs: <= 0 };

    public bool Closed { get; private set; }
    public List<WatcherEvent> Events { get; } = [];
    public long LastZxid { get; private set; }
    public long SessionId => Connected?.SessionId ?? 0;
    public int NextXid => _xid + 1;
    public int Outstanding => _pending.Count;

    /// <summary>Called for every completed request (a reply, or ConnectionLoss when the connection ended first).</summary>
    public Action<SimClient, SimReply>? OnReply { get; set; }

    public SimReply Send(OpCode op, Request body)
    {
        var xid = ++_xid;
        var reply = new SimReply(xid, op, body);
        if (Closed || _session is null)
        {
            reply.Done = true;
            reply.Err = KeeperErrorCode.ConnectionLoss;
            OnReply?.Invoke(this, reply);
            return reply;
        }
        _pending.Enqueue(reply);
        _session.Tell(new ClientRequests([new ClientRequest(xid, op, body, _cluster.Sim.Time.GetUtcNow().ToUnixTimeMilliseconds())]));
        return reply;
    }

    /// <summary>A heartbeat: the server answers it at once and renews the session.</summary>
    public void Ping()
    {
        if (Closed || _session is null || Connected is null) return;
        _session.Tell(new ClientRequests([new ClientRequest(Xids.Ping, OpCode.Ping, EmptyRequest.Instance, _cluster.Sim.Time.GetUtcNow().ToUnixTimeMilliseconds())]));
    }

    /// <summary>The client drops the connection (the session lives on at the server until it expires).</summary>
    public void Disconnect()
    {
        _session?.Tell(new ConnectionClosed("client disconnected"));
        MarkClosed();
    }

    /// <summary>The server's process died: the connection is reset under the client.</summary>
    public void Reset() => MarkClosed();

    public void Flush()
    {
        if (Closed) return;
        var bytes = _output.ToArray();
        _output.Clear();
        var seq = new System.Buffers.ReadOnlySequence<byte>(bytes);
        while (FrameDecoder.TryReadFrame(ref seq, int.MaxValue, out var payload))
        {
            var frame = System.Buffers.BuffersExtensions.ToArray(payload);
            var r = new JuteReader(frame);
            if (Connected is null)
            {
                Connected = SessionCodec.DecodeConnectResponse(ref r);
                if (Connected.TimeoutMs <= 0) MarkClosed();
                continue;
            }
            var h = r.ReadReplyHeader();
            if (h.Xid == Xids.Notification)
            {
                Events.Add(SessionCodec.DecodeWatcherEvent(ref r));
                continue;
            }
            if (h.Xid == Xids.Ping) continue;
            if (h.Zxid > 0) LastZxid = Math.Max(LastZxid, h.Zxid);
            if (!_pending.TryDequeue(out var reply)) throw new InvalidOperationException($"reply xid {h.Xid} with nothing pending");
            if (reply.Xid != h.Xid) throw new InvalidOperationException($"reply xid {h.Xid} out of order, expected {reply.Xid}");
            reply.Zxid = h.Zxid;
            reply.Err = h.Err;
            if (h.Err == KeeperErrorCode.Ok && !ResponseCodec.HasNoBody(reply.Op)) reply.Body = ResponseCodec.Decode(reply.Op, ref r);
            reply.Done = true;
            OnReply?.Invoke(this, reply);
        }
    }

    public void Close() => MarkClosed();

    public void Completed(int count) { }

    private void MarkClosed()
    {
        if (Closed) return;
        Closed = true;
        _session = null;
        _cluster.Detach(this);
        while (_pending.TryDequeue(out var r))
        {
            r.Err = KeeperErrorCode.ConnectionLoss;
            r.Done = true;
            OnReply?.Invoke(this, r);
        }
    }
}
