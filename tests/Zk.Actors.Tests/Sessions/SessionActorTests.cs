// Specifications of a session actor's ordering promises: FIFO dispatch, reads behind the session's writes,
// replies in request order, events ahead of later replies, pings at once, Unimplemented closes.
using Zk.Actors.Tree;
using Zk.Actors.Kernel;
using Zk.Actors.Kernel.Testing;
using Zk.Actors.Sessions;
using Zk.Protocol;
using Zk.Protocol.Framing;
using Zk.Protocol.Jute;
using Zk.Protocol.Records;
using Zk.Core.DataTree;
using Zk.Core.Sessions;

namespace Zk.Actors.Tests.Sessions;

public sealed class SessionActorTests
{
    /// <summary>Records every frame the session actor flushes, decoded as reply headers (or the handshake).</summary>
    private sealed class RecordingConnection : IClientConnection
    {
        private JuteWriter _out = new();
        public List<string> Frames { get; } = [];
        public bool Closed { get; private set; }
        public long ConnectionId => 1;
        public string RemoteAddress => "10.0.0.7";
        public int RemotePort => 5555;
        public ConnectionStats Stats { get; } = new(0);
        public JuteWriter Output => _out;

        public void Flush()
        {
            var seq = new System.Buffers.ReadOnlySequence<byte>(_out.ToArray());
            _out.Clear();
            while (FrameDecoder.TryReadFrame(ref seq, int.MaxValue, out var payload))
            {
                var r = new JuteReader(System.Buffers.BuffersExtensions.ToArray(payload));
                if (Frames.Count == 0)
                {
                    Frames.Add("connected:" + SessionCodec.DecodeConnectResponse(ref r).SessionId);
                    continue;
                }
                var h = r.ReadReplyHeader();
                Frames.Add(h.Xid == Xids.Notification ? "event:" + SessionCodec.DecodeWatcherEvent(ref r).Path : $"reply:{h.Xid}:{h.Err}");
            }
        }

        public void Close() => Closed = true;

        public void Completed(int count) { }
    }

    private static (SimulationDispatcher Sim, TestProbe Tree, RecordingConnection Conn, ActorRef Session) Start()
    {
        var sim = new SimulationDispatcher(3);
        var system = ActorSystem.CreateSimulated("s", sim);
        var tree = new TestProbe(system, "tree", sim);
        tree.Ignore(m => m is TouchSession);
        var conn = new RecordingConnection();
        var session = system.Spawn("session", () => new SessionActor(conn, new ConnectRequest(0, 0, 10_000, 0, new byte[16], false),
            SessionOptions.ForTick(2000), tree.Ref));
        var connect = tree.ExpectMsg<ConnectSession>();
        Assert.Equal(10_000, connect.TimeoutMs);
        Assert.Equal("10.0.0.7", connect.RemoteAddress);
        session.Tell(new SessionAccepted(42, new byte[16], 10_000, 0));
        sim.RunUntilIdle();
        Assert.Equal(["connected:42"], conn.Frames);
        return (sim, tree, conn, session);
    }

    private static ClientRequest Req(int xid, OpCode op, Request? body) => new(xid, op, body, 0);

    [Fact]
    public void A_read_after_a_write_of_the_same_session_waits_for_the_write_to_be_applied()
    {
        var (sim, tree, conn, session) = Start();
        session.Tell(new ClientRequests([
            Req(1, OpCode.SetData, new SetDataRequest("/a", [1], -1)),
            Req(2, OpCode.GetData, new GetDataRequest("/a", false)),
        ]));
        var first = tree.ExpectMsg<SessionRequests>();
        Assert.Equal([1], first.Batch.Select(r => r.Xid));
        tree.ExpectNoMsg(TimeSpan.FromSeconds(1));
        session.Tell(new SessionOutput([new WriteReply(1, 5, KeeperErrorCode.Ok, new ApplyResult(KeeperErrorCode.Ok, null, default(Stat), null), TxnType.SetData)]));
        var second = tree.ExpectMsg<SessionRequests>();
        Assert.Equal([2], second.Batch.Select(r => r.Xid));
        session.Tell(new SessionOutput([new ReadReply(2, 5, KeeperErrorCode.NoNode, null)]));
        sim.RunUntilIdle();
        Assert.Equal(["connected:42", "reply:1:Ok", "reply:2:NoNode"], conn.Frames);
    }

    [Fact]
    public void Replies_leave_in_request_order_even_when_a_later_local_op_completes_first()
    {
        var (sim, tree, conn, session) = Start();
        session.Tell(new ClientRequests([
            Req(1, OpCode.Exists, new ExistsRequest("/a", false)),
            Req(Xids.Auth, OpCode.Auth, new AuthPacket(0, "digest", "u:p"u8.ToArray())),
        ]));
        tree.ExpectMsg<SessionRequests>();
        sim.RunUntilIdle();
        Assert.Equal(["connected:42"], conn.Frames);
        session.Tell(new SessionOutput([new ReadReply(1, 0, KeeperErrorCode.NoNode, null)]));
        sim.RunUntilIdle();
        Assert.Equal(["connected:42", "reply:1:NoNode", "reply:-4:Ok"], conn.Frames);
    }

    [Fact]
    public void A_watch_event_is_written_before_any_reply_that_arrives_after_it()
    {
        var (sim, tree, conn, session) = Start();
        session.Tell(new ClientRequests([Req(1, OpCode.SetData, new SetDataRequest("/b", null, -1))]));
        tree.ExpectMsg<SessionRequests>();
        session.Tell(new SessionOutput([
            new WatchNotification(new WatcherEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, "/a")),
            new WriteReply(1, 9, KeeperErrorCode.Ok, new ApplyResult(KeeperErrorCode.Ok, null, default(Stat), null), TxnType.SetData),
        ]));
        sim.RunUntilIdle();
        Assert.Equal(["connected:42", "event:/a", "reply:1:Ok"], conn.Frames);
    }

    [Fact]
    public void A_watch_event_is_written_after_the_reply_of_the_read_that_set_the_watch()
    {
        // The tree answered exists (NoNode, watch set) and then, in the same batch, fired NodeCreated for it: the
        // client registers the watch when it reads the reply, so the reply must go out first or the event is dropped.
        var (sim, tree, conn, session) = Start();
        session.Tell(new ClientRequests([Req(1, OpCode.Exists, new ExistsRequest("/a", true))]));
        tree.ExpectMsg<SessionRequests>();
        session.Tell(new SessionOutput([
            new ReadReply(1, 0, KeeperErrorCode.NoNode, null),
            new WatchNotification(new WatcherEvent(EventType.NodeCreated, KeeperState.SyncConnected, "/a")),
        ]));
        sim.RunUntilIdle();
        Assert.Equal(["connected:42", "reply:1:NoNode", "event:/a"], conn.Frames);
    }

    [Fact]
    public void A_ping_is_answered_at_once_even_behind_pending_requests()
    {
        var (sim, tree, conn, session) = Start();
        session.Tell(new ClientRequests([Req(1, OpCode.Create, new CreateRequest("/c", null, Acl.OpenAclUnsafe, 0)), Req(Xids.Ping, OpCode.Ping, EmptyRequest.Instance)]));
        tree.ExpectMsg<SessionRequests>();
        sim.RunUntilIdle();
        Assert.Equal(["connected:42", "reply:-2:Ok"], conn.Frames);
    }

    [Fact]
    public void An_unknown_opcode_is_answered_Unimplemented_and_the_connection_closed()
    {
        var (sim, _, conn, session) = Start();
        session.Tell(new ClientRequests([Req(7, (OpCode)77, null)]));
        sim.RunUntilIdle();
        Assert.Equal(["connected:42", "reply:7:Unimplemented"], conn.Frames);
        Assert.True(conn.Closed);
    }

    [Fact]
    public void A_session_closed_by_expiry_closes_the_connection_without_a_reply()
    {
        var (sim, _, conn, session) = Start();
        session.Tell(new SessionOutput([new WriteReply(0, 11, KeeperErrorCode.Ok, ApplyResult.Ok, TxnType.CloseSession)]));
        sim.RunUntilIdle();
        Assert.Equal(["connected:42"], conn.Frames);
        Assert.True(conn.Closed);
    }

    [Fact]
    public void The_requested_timeout_is_clamped_to_the_configured_bounds()
    {
        Assert.Equal(4000, SessionOptions.ForTick(2000).Negotiate(100));
        Assert.Equal(40_000, SessionOptions.ForTick(2000).Negotiate(1_000_000));
        Assert.Equal(9000, SessionOptions.ForTick(2000).Negotiate(9000));
    }
}
