// Hand-built scenarios for the bugs the randomized simulation found, written as the behaviour they pin down. Each
// runs under the cluster checker, so "no violation" covers every invariant of zab.md §13 besides the asserts.
using Zk.Protocol;
using Zk.Protocol.Records;
using Zk.Simulation.Harness;

namespace Zk.Simulation;

public sealed partial class ScenarioTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(20);

    private static SimClient Connect(SimCluster c, int server)
    {
        var client = new SimClient(c, server);
        Assert.True(c.RunUntil(() => client.Connected is not null || client.Closed, Long) && !client.Closed, $"no session on s{server}");
        return client;
    }

    private static void Write(SimCluster c, SimClient client, int count, string prefix)
    {
        for (var i = 0; i < count; i++)
        {
            var r = client.Send(OpCode.Create, new CreateRequest($"/{prefix}{i}", [(byte)i], Acl.OpenAclUnsafe, 0));
            Assert.True(c.RunUntil(() => r.Done, Long) && r.Err == KeeperErrorCode.Ok, $"create /{prefix}{i}: {r.Err}");
        }
    }

    private static void AssertConverged(SimCluster c)
    {
        Assert.True(c.RunUntil(() => c.IsStable() && c.Checker.Converged(c.Live.Select(s => s.Id).ToList(), report: false), Long), "servers did not converge");
        c.Checker.Converged(c.Live.Select(s => s.Id).ToList(), report: true);
        Assert.Empty(c.Checker.Violations);
    }

    [Fact]
    public void Servers_restarted_with_more_unapplied_log_than_the_history_limit_apply_all_of_it()
    {
        // The in-memory history keeps 10 txns, snapshots are rare: after a full restart each server's log after its
        // snapshot is far longer than the history, and all of it must still be applied (it once lost all but 10).
        var c = new SimCluster(5, 3, configure: o => o with { HistoryEntries = 10, SnapCount = 10_000 });
        c.StartAll();
        Assert.True(c.RunUntilStable(Long));
        Write(c, Connect(c, c.Leader!.Id), 40, "n");
        foreach (var id in c.Servers.Keys) c.Crash(id);
        c.StartAll();
        AssertConverged(c);
        Assert.True(c.Checker.TreeOf(c.Leader!.Id)!.Exists("/n39"));
    }

    [Fact]
    public void After_a_full_restart_followers_apply_the_recovered_history_without_waiting_for_a_new_write()
    {
        // Every server recovers its log unapplied; the new leader's sync must tell its followers how far that log is
        // committed, or their trees stay behind until some later write commits (they once stayed at zxid 0).
        var c = new SimCluster(6, 3);
        c.StartAll();
        Assert.True(c.RunUntilStable(Long));
        var client = Connect(c, c.Leader!.Id);
        Write(c, client, 20, "n");
        // No session is left to expire after the restart, so no new write will come along to commit the old ones.
        var close = client.Send(OpCode.CloseSession, EmptyRequest.Instance);
        Assert.True(c.RunUntil(() => close.Done, Long));
        foreach (var id in c.Servers.Keys) c.Crash(id);
        c.StartAll();
        AssertConverged(c);
        Assert.All(c.Live, s => Assert.True(c.Checker.TreeOf(s.Id)!.Exists("/n19")));
    }

    [Fact]
    public void A_follower_brought_back_by_SNAP_never_drops_a_committed_txn_before_the_snapshot_covers_it()
    {
        // A follower holding committed txns misses so much that the leader (history of 10) must SNAP it; its log may
        // only lose what a durable snapshot covers (it was once reset before the snapshot was saved).
        var c = new SimCluster(7, 3, configure: o => o with { HistoryEntries = 10, SnapCount = 10_000 });
        c.StartAll();
        Assert.True(c.RunUntilStable(Long));
        var leader = c.Leader!.Id;
        var client = Connect(c, leader);
        Write(c, client, 15, "a");
        var follower = c.Live.First(s => s.Id != leader).Id;
        c.Crash(follower);
        Write(c, client, 60, "b");
        c.Start(follower);
        AssertConverged(c);
        Assert.True(c.Checker.TreeOf(follower)!.Exists("/b59"));
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    public void A_sync_pipelined_between_writes_is_answered_before_the_writes_behind_it(int seed)
    {
        // write, sync, close in one go on a follower: the sync completes with the write, in the same commit as the
        // close behind it, and must be answered before the close is applied (it once was dropped, and the session
        // hung with its close unanswered).
        var c = new SimCluster(seed, 3);
        c.StartAll();
        Assert.True(c.RunUntilStable(Long));
        var client = Connect(c, c.Live.First(s => s.Mode == Zk.Actors.Server.ServerMode.Follower).Id);
        for (var round = 0; round < 5; round++)
        {
            var write = client.Send(OpCode.Create, new CreateRequest($"/w{round}", null, Acl.OpenAclUnsafe, 0));
            var sync = client.Send(OpCode.Sync, new SyncRequest("/"));
            var next = client.Send(OpCode.SetData, new SetDataRequest($"/w{round}", [1], -1));
            Assert.True(c.RunUntil(() => write.Done && sync.Done && next.Done, Long), $"round {round}: a request got no reply");
            Assert.Equal([KeeperErrorCode.Ok, KeeperErrorCode.Ok, KeeperErrorCode.Ok], new[] { write.Err, sync.Err, next.Err });
            Assert.True(write.Zxid <= sync.Zxid && sync.Zxid < next.Zxid, $"zxids {write.Zxid:x}, {sync.Zxid:x}, {next.Zxid:x} out of order");
        }
        var lastWrite = client.Send(OpCode.Create, new CreateRequest("/last", null, Acl.OpenAclUnsafe, 0));
        var lastSync = client.Send(OpCode.Sync, new SyncRequest("/"));
        var close = client.Send(OpCode.CloseSession, EmptyRequest.Instance);
        Assert.True(c.RunUntil(() => lastWrite.Done && lastSync.Done && close.Done, Long), "write, sync or close got no reply");
        Assert.Equal([KeeperErrorCode.Ok, KeeperErrorCode.Ok, KeeperErrorCode.Ok], new[] { lastWrite.Err, lastSync.Err, close.Err });
        Assert.Empty(c.Checker.Violations);
    }

    [Fact]
    public void A_looking_observer_and_a_looking_voter_in_an_older_round_do_not_flood_each_other()
    {
        // s3 (voter) and s4 (observer) are cut off from the quorum {1, 2}; s3 restarts into round 1 while s4 looks in
        // a later round. A non-voter once answered every older-round notification, and so did the voter: forever.
        var c = new SimCluster(8, 3, observers: 1);
        c.StartAll();
        Assert.True(c.RunUntilStable(Long));
        foreach (var a in new[] { 3, 4 })
            foreach (var b in new[] { 1, 2 })
                c.Net.PartitionSilently(a, b);
        c.Sim.RunFor(TimeSpan.FromSeconds(3));
        c.Restart(3);
        c.Sim.RunFor(TimeSpan.FromMilliseconds(200));
        var before = c.Net.ElectionMessages;
        c.Sim.RunFor(TimeSpan.FromSeconds(2));
        Assert.True(c.Net.ElectionMessages - before < 200, $"{c.Net.ElectionMessages - before} notifications in 2 s");
        c.Net.HealAll();
        AssertConverged(c);
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    public void Elections_agree_on_one_leader_when_notifications_are_duplicated_reordered_and_lost(int seed)
    {
        // Every FLE notification arrives twice, each copy with its own delay of 0.05-30 ms (so copies and rounds
        // overtake each other), and a fifth are lost; the leader is killed twice and each time a single leader must
        // emerge that every live server follows, with every write before the kill still there.
        var c = new SimCluster(seed, 5);
        c.StartAll();
        Assert.True(c.RunUntilStable(Long));
        c.Net.ElectionDuplication = 1.0;
        c.Net.ElectionLoss = 0.2;
        c.Net.DelayMicros = (50, 30_000);
        for (var round = 0; round < 2; round++)
        {
            var client = Connect(c, c.Leader!.Id);
            Write(c, client, 5, $"r{round}-");
            var old = c.Leader!.Id;
            c.Crash(old);
            Assert.True(c.RunUntil(() => c.IsStable() && c.Leader!.Id != old, Long), $"no single leader after s{old} died");
            c.Start(old);
        }
        c.Net.DelayMicros = (50, 500);
        AssertConverged(c);
        Assert.True(c.Checker.TreeOf(c.Leader!.Id)!.Exists("/r1-4"));
    }
}
