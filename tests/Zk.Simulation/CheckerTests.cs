// The checkers themselves, fed histories with known answers: a checker that cannot fail proves nothing.
using Zk.Actors.Tree;
using Zk.Actors.Server;
using Zk.Protocol;
using Zk.Protocol.Records;
using Zk.Simulation.Checking;
using Zk.Simulation.Harness;
using Zk.Core.DataTree;
using Zk.Core.Storage;

namespace Zk.Simulation;

public sealed class CheckerTests
{
    private static OpRecord Write(long invoke, long ret, int expected, long value, KeeperErrorCode err, int newVersion = 0, long zxid = 0) => new()
    {
        Client = 1,
        SessionId = 1,
        Xid = (int)invoke,
        Op = OpCode.SetData,
        Request = new SetDataRequest("/r", BitConverter.GetBytes(value), expected),
        Server = 1,
        InvokeSeq = invoke,
        ReturnSeq = ret,
        Done = true,
        Err = err,
        Zxid = zxid,
        Body = err == KeeperErrorCode.Ok ? new StatResponse(new Stat(0, zxid, 0, 0, newVersion, 0, 0, 0, 8, 0, 0)) : null,
    };

    private static readonly List<(long, int, byte[]?)> Created = [(1, 0, new byte[8])];

    [Fact]
    public void Concurrent_conditional_writes_that_one_order_explains_are_linearizable()
    {
        var ops = new List<OpRecord>
        {
            Write(1, 4, 0, 10, KeeperErrorCode.Ok, newVersion: 1),
            Write(2, 3, 0, 20, KeeperErrorCode.BadVersion),
            Write(5, 6, 1, 30, KeeperErrorCode.Ok, newVersion: 2),
        };
        Assert.Null(RegisterLinearizability.Check("/r", ops, [.. Created, (2, 1, BitConverter.GetBytes(10L)), (4, 2, BitConverter.GetBytes(30L))]));
    }

    [Fact]
    public void Two_successful_writes_on_the_same_version_are_not_linearizable()
    {
        var ops = new List<OpRecord>
        {
            Write(1, 2, 0, 10, KeeperErrorCode.Ok, newVersion: 1),
            Write(3, 4, 0, 20, KeeperErrorCode.Ok, newVersion: 1),
        };
        Assert.NotNull(RegisterLinearizability.Check("/r", ops, Created));
    }

    [Fact]
    public void A_write_with_a_lost_reply_may_or_may_not_have_happened()
    {
        var lost = Write(1, 2, 0, 10, KeeperErrorCode.ConnectionLoss);
        var happened = new List<OpRecord> { lost, Write(3, 4, 1, 20, KeeperErrorCode.Ok, newVersion: 2) };
        var didNot = new List<OpRecord> { Write(1, 2, 0, 10, KeeperErrorCode.ConnectionLoss), Write(3, 4, 0, 20, KeeperErrorCode.Ok, newVersion: 1) };
        Assert.Null(RegisterLinearizability.Check("/r", happened, Created));
        Assert.Null(RegisterLinearizability.Check("/r", didNot, Created));
    }

    [Fact]
    public void A_write_ordered_after_one_that_started_later_breaks_real_time()
    {
        // The second write was invoked after the first returned, yet committed before it.
        var ops = new List<OpRecord>
        {
            Write(1, 2, -1, 10, KeeperErrorCode.Ok, newVersion: 2, zxid: 9),
            Write(3, 4, -1, 20, KeeperErrorCode.Ok, newVersion: 1, zxid: 5),
        };
        var timeline = new List<(long, int, byte[]?)> { (1, 0, new byte[8]), (5, 1, BitConverter.GetBytes(20L)), (9, 2, BitConverter.GetBytes(10L)) };
        Assert.Contains("returned before it was invoked", RegisterLinearizability.Check("/r", ops, timeline));
    }

    [Fact]
    public void The_cluster_checker_flags_two_leaders_established_in_one_epoch()
    {
        var c = new SimCluster(1, 3);
        IServerProbe probe = c.Checker;
        probe.LeaderEstablished(1, 5, new Zk.Core.Zab.TxnHistory(0), 0, 0);
        probe.LeaderEstablished(2, 5, new Zk.Core.Zab.TxnHistory(0), 0, 0);
        Assert.Contains(c.Checker.Violations, v => v.Contains("two leaders established epoch 5"));
    }

    [Fact]
    public void The_cluster_checker_flags_a_txn_applied_before_it_was_committed()
    {
        var c = new SimCluster(1, 3);
        c.Start(1);
        IServerProbe probe = c.Checker;
        probe.LeaderEstablished(1, 1, new Zk.Core.Zab.TxnHistory(0), 0, 0);
        var txn = new Txn(7, 1, Zxid.Make(1, 1).Value, 0, new CreateSessionTxn(1000, new byte[16]));
        probe.Proposed(1, 1, txn, TxnCodec.Encode(txn));
        var tree = new DataTree();
        tree.Apply(txn);
        probe.Applied(1, txn, tree);
        Assert.Contains(c.Checker.Violations, v => v.Contains("before it was committed"));
    }

    [Fact]
    public void The_cluster_checker_flags_a_zxid_proposed_twice_with_different_txns()
    {
        var c = new SimCluster(1, 3);
        IServerProbe probe = c.Checker;
        probe.LeaderEstablished(1, 1, new Zk.Core.Zab.TxnHistory(0), 0, 0);
        var a = new Txn(7, 1, Zxid.Make(1, 1).Value, 0, new DeleteTxn("/a"));
        var b = a with { Body = new DeleteTxn("/b") };
        probe.Proposed(1, 1, a, TxnCodec.Encode(a));
        probe.Proposed(1, 1, b, TxnCodec.Encode(b));
        Assert.Contains(c.Checker.Violations, v => v.Contains("proposed twice"));
    }
}
