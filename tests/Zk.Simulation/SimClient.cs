// A ZooKeeper client inside the simulation: it talks to a server's session actor exactly as the TCP proxy
// does (requests as ClientRequests, replies as frames written to IClientConnection.Output) and decodes the
// frames with the real codecs. Single-threaded, like everything in a simulation.
using Zk.Actors.Kernel;
using Zk.Actors.Sessions;
using Zk.Protocol;
using Zk.Protocol.Framing;
using Zk.Protocol.Jute;
using Zk.Protocol.Records;

namespace Zk.Simulation;

public sealed class SimReply(int xid, OpCode op)
{
    public int Xid { get; } = xid;
    public OpCode Op { get; } = op;
    public bool Done { get; internal set; }
    public KeeperErrorCode Err { get; internal set; }
    public long Zxid { get; internal set; }
    public Response? Body { get; internal set; }
}

public sealed class SimClient : IClientConnection
{
    private static long _connections;
    private readonly SimCluster _cluster;
    private readonly Queue<SimReply> _pending = new();
    private JuteWriter _output = new();
    private ActorRef? _session;
    private int _xid;

    public SimClient(SimCluster cluster, int serverId, long sessionId = 0, byte[]? password = null, long lastZxid = 0, int timeoutMs = 4000)
    {
        _cluster = cluster;
        ServerId = serverId;
        ConnectionId = Interlocked.Increment(ref _connections);
        Stats = new ConnectionStats(0);
        var node = cluster.Servers[serverId].Node ?? throw new InvalidOperationException($"server {serverId} is down");
        _session = node.SpawnSession(this, new ConnectRequest(0, lastZxid, timeoutMs, sessionId, password ?? new byte[16], false));
    }

    public int ServerId { get; }
    public long ConnectionId { get; }
    public string RemoteAddress => "127.0.0.1";
    public int RemotePort => 40000 + (int)ConnectionId;
    public ConnectionStats Stats { get; }
    public JuteWriter Output => _output;

    public ConnectResponse? Connected { get; private set; }
    public bool Closed { get; private set; }
    public List<WatcherEvent> Events { get; } = [];
    public long LastZxid { get; private set; }
    public long SessionId => Connected?.SessionId ?? 0;

    public SimReply Send(OpCode op, Request body)
    {
        var xid = ++_xid;
        var reply = new SimReply(xid, op);
        if (Closed || _session is null)
        {
            reply.Done = true;
            reply.Err = KeeperErrorCode.ConnectionLoss;
            return reply;
        }
        _pending.Enqueue(reply);
        _session.Tell(new ClientRequests([new ClientRequest(xid, op, body, _cluster.Sim.Time.GetUtcNow().ToUnixTimeMilliseconds())]));
        return reply;
    }

    public void Disconnect()
    {
        _session?.Tell(new ConnectionClosed("client disconnected"));
        MarkClosed();
    }

    public void Flush()
    {
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
            if (h.Zxid > 0) LastZxid = Math.Max(LastZxid, h.Zxid);
            if (h.Xid == Xids.Ping) continue;
            if (!_pending.TryDequeue(out var reply)) throw new InvalidOperationException($"reply xid {h.Xid} with nothing pending");
            if (reply.Xid != h.Xid) throw new InvalidOperationException($"reply xid {h.Xid} out of order, expected {reply.Xid}");
            reply.Zxid = h.Zxid;
            reply.Err = h.Err;
            if (h.Err == KeeperErrorCode.Ok && !ResponseCodec.HasNoBody(reply.Op)) reply.Body = ResponseCodec.Decode(reply.Op, ref r);
            reply.Done = true;
        }
    }

    public void Close() => MarkClosed();

    public void Completed(int count) { }

    private void MarkClosed()
    {
        if (Closed) return;
        Closed = true;
        _session = null;
        while (_pending.TryDequeue(out var r))
        {
            r.Err = KeeperErrorCode.ConnectionLoss;
            r.Done = true;
        }
    }
}
