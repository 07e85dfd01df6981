// Specifications of the data tree actor's integration duties: handshakes, writes prepared into proposals,
// committed txns answered to their session, watch events routed to the watching session, refusals.
using Zk.Actors.Tree;
using Zk.Actors.Kernel;
using Zk.Actors.Kernel.Testing;
using Zk.Actors.Sessions;
using Zk.Protocol;
using Zk.Protocol.Records;
using Tree = Zk.Core.DataTree.DataTree;
using Zk.Core.DataTree;
using Zk.Core.Sessions;

namespace Zk.Actors.Tests.DataTree;

public sealed class DataTreeActorTests
{
    private sealed record Harness(SimulationDispatcher Sim, ActorSystem System, ActorRef Tree, TestProbe Leader)
    {
        public TestProbe Probe(string name)
        {
            var p = new TestProbe(System, name, Sim);
            return p;
        }

        /// <summary>Drives one write through the fake leader: take the proposal, commit it.</summary>
        public Txn Commit()
        {
            var propose = Leader.ExpectMsg<Propose>();
            var txns = propose.Items.OfType<Txn>().ToArray();
            Tree.Tell(new ApplyTxns(txns));
            return Assert.Single(txns);
        }

        public long Connect(TestProbe session)
        {
            Tree.Tell(new ConnectSession(session.Ref, new ConnectRequest(0, 0, 5000, 0, new byte[16], false), 5000, "127.0.0.1"), session.Ref);
            var txn = Commit();
            Assert.IsType<CreateSessionTxn>(txn.Body);
            var accepted = session.ExpectMsg<SessionAccepted>();
            Assert.Equal(txn.SessionId, accepted.SessionId);
            return accepted.SessionId;
        }
    }

    private static Harness Start(bool serve = true)
    {
        var sim = new SimulationDispatcher(5);
        var system = ActorSystem.CreateSimulated("t", sim);
        var leader = new TestProbe(system, "leader", sim);
        leader.Ignore(m => m is TouchSession);
        var tree = system.Spawn("tree", () => new DataTreeActor(new Zk.Core.DataTree.DataTree(), new DataTreeActorOptions(1) { ContainerCheckIntervalMs = 0 }, new Random(1)));
        if (serve) tree.Tell(new ServeAsLeader(leader.Ref, 1));
        return new Harness(sim, system, tree, leader);
    }

    private static SessionRequests Batch(TestProbe session, long sid, params (int Xid, OpCode Op, Request Body)[] requests) =>
        new(session.Ref, requests.Select(r => new SessionRequest(sid, r.Xid, r.Op, r.Body, Zk.Core.DataTree.Auth.AuthContext.Anonymous)).ToArray());

    [Fact]
    public void A_new_session_is_created_by_a_txn_and_accepted_once_it_is_applied()
    {
        var h = Start();
        var s = h.Probe("s");
        var sid = h.Connect(s);
        Assert.Equal(1L, sid >>> 56);
    }

    [Fact]
    public void A_write_becomes_a_proposal_and_its_commit_answers_the_session()
    {
        var h = Start();
        var s = h.Probe("s");
        var sid = h.Connect(s);
        h.Tree.Tell(Batch(s, sid, (7, OpCode.Create, new CreateRequest("/a", [1], Acl.OpenAclUnsafe, 0))));
        var txn = h.Commit();
        Assert.Equal(7, txn.Cxid);
        var reply = Assert.IsType<WriteReply>(Assert.Single(s.ExpectMsg<SessionOutput>().Items));
        Assert.Equal((7, KeeperErrorCode.Ok, "/a"), (reply.Xid, reply.Err, reply.Result!.Value.Path));
    }

    [Fact]
    public void A_change_notifies_the_watching_session_and_answers_the_writer()
    {
        var h = Start();
        var watcher = h.Probe("watcher");
        var writer = h.Probe("writer");
        var w = h.Connect(watcher);
        var x = h.Connect(writer);
        h.Tree.Tell(Batch(writer, x, (1, OpCode.Create, new CreateRequest("/a", [1], Acl.OpenAclUnsafe, 0))));
        h.Commit();
        writer.ExpectMsg<SessionOutput>();
        h.Tree.Tell(Batch(watcher, w, (1, OpCode.GetData, new GetDataRequest("/a", true))));
        Assert.IsType<ReadReply>(Assert.Single(watcher.ExpectMsg<SessionOutput>().Items));
        h.Tree.Tell(Batch(writer, x, (2, OpCode.SetData, new SetDataRequest("/a", [2], -1))));
        h.Commit();
        var ev = Assert.IsType<WatchNotification>(Assert.Single(watcher.ExpectMsg<SessionOutput>().Items));
        Assert.Equal((EventType.NodeDataChanged, "/a"), (ev.Event.Type, ev.Event.Path));
        Assert.IsType<WriteReply>(Assert.Single(writer.ExpectMsg<SessionOutput>().Items));
    }

    [Fact]
    public void A_server_that_is_not_serving_refuses_handshakes_silently()
    {
        var h = Start(serve: false);
        var s = h.Probe("s");
        h.Tree.Tell(new ConnectSession(s.Ref, new ConnectRequest(0, 0, 5000, 0, new byte[16], false), 5000, "127.0.0.1"));
        Assert.False(s.ExpectMsg<SessionRefused>().ReplyInvalid);
    }

    [Fact]
    public void A_client_that_has_seen_a_newer_zxid_is_refused_silently()
    {
        var h = Start();
        var s = h.Probe("s");
        h.Tree.Tell(new ConnectSession(s.Ref, new ConnectRequest(0, 99, 5000, 0, new byte[16], false), 5000, "127.0.0.1"));
        Assert.False(s.ExpectMsg<SessionRefused>().ReplyInvalid);
    }

    [Fact]
    public void Resuming_with_a_wrong_password_or_an_unknown_session_gets_the_invalid_session_reply()
    {
        var h = Start();
        var s = h.Probe("s");
        var sid = h.Connect(s);
        var again = h.Probe("again");
        h.Tree.Tell(new ConnectSession(again.Ref, new ConnectRequest(0, 0, 5000, sid, new byte[16], false), 5000, "127.0.0.1"));
        Assert.True(again.ExpectMsg<SessionRefused>().ReplyInvalid);
        h.Tree.Tell(new ConnectSession(again.Ref, new ConnectRequest(0, 0, 5000, sid + 1000, new byte[16], false), 5000, "127.0.0.1"));
        Assert.True(again.ExpectMsg<SessionRefused>().ReplyInvalid);
    }

    [Fact]
    public void Resuming_a_session_takes_it_away_from_its_old_connection()
    {
        var h = Start();
        var first = h.Probe("first");
        h.Tree.Tell(new ConnectSession(first.Ref, new ConnectRequest(0, 0, 5000, 0, new byte[16], false), 5000, "127.0.0.1"));
        h.Commit();
        var accepted = first.ExpectMsg<SessionAccepted>();
        var second = h.Probe("second");
        h.Tree.Tell(new ConnectSession(second.Ref, new ConnectRequest(0, 0, 5000, accepted.SessionId, accepted.Password, false), 5000, "127.0.0.1"));
        Assert.Equal(accepted.SessionId, second.ExpectMsg<SessionAccepted>().SessionId);
        Assert.IsType<SessionEnded>(Assert.Single(first.ExpectMsg<SessionOutput>().Items));
    }
}
