// The client across a real failover: a 3-node ZkActors ensemble of processes on loopback, a client given all three
// addresses and connected to one of them, and that server killed with SIGKILL. The client resumes the same session
// on another server; its ephemeral node is still there and its data, child and persistent watches fire for changes
// made afterwards. A leader latch keeps exactly one leader through it, and every new leader's token is larger.
using System.Text;
using Xunit.Abstractions;
using Zk.Client.Recipes;
using Zk.Client.Tests.Infrastructure;
using Zk.Protocol;

namespace Zk.Client.Tests.Client;

public sealed class EnsembleFailoverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Session = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("leader")]
    [InlineData("follower")]
    public async Task A_client_whose_server_is_killed_resumes_its_session_elsewhere_with_its_ephemeral_and_its_watches(string role)
    {
        await using var ensemble = await ProcessEnsemble.StartAsync(voters: 3);
        try
        {
            var home = await ensemble.VoterInRoleAsync(role);
            await using var zk = await ConnectFirstToAsync(ensemble, home);
            var session = zk.SessionId;
            await zk.CreateAsync("/failover", null);
            await zk.CreateAsync("/failover/eph", B("mine"), CreateMode.Ephemeral);
            await zk.CreateAsync("/failover/data", B("0"));
            var data = new EventSink();
            var children = new EventSink();
            var persistent = new EventSink();
            await zk.GetDataAsync("/failover/data", data.Watcher);
            await zk.GetChildrenAsync("/failover", children.Watcher);
            await zk.AddWatchAsync("/failover/data", AddWatchMode.Persistent, persistent.Watcher);
            var resumed = ReconnectedAsync(zk);

            await ensemble.KillAsync(home);
            await resumed;

            Assert.Equal(session, zk.SessionId);
            Assert.NotEqual(ensemble[home].ConnectString, zk.CurrentServer);
            await using var other = await ConnectAsync(ensemble.ConnectStringOf(ensemble.Running));
            await other.SyncAsync("/failover");
            Assert.Equal(session, (await other.ExistsAsync("/failover/eph"))!.Value.EphemeralOwner);

            await other.SetDataAsync("/failover/data", B("1"));
            Assert.Equal(new WatchedEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, "/failover/data"), await data.NextNodeEventAsync());
            Assert.Equal(new WatchedEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, "/failover/data"), await persistent.NextNodeEventAsync());
            await other.CreateAsync("/failover/child", null);
            Assert.Equal(new WatchedEvent(EventType.NodeChildrenChanged, KeeperState.SyncConnected, "/failover"), await children.NextNodeEventAsync());
            // The persistent watch stays: a second change fires it again.
            await other.SetDataAsync("/failover/data", B("2"));
            Assert.Equal(new WatchedEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, "/failover/data"), await persistent.NextNodeEventAsync());
            // And the resumed session still writes.
            await zk.CreateAsync("/failover/after", null, CreateMode.Ephemeral);
            Assert.Equal(session, (await zk.ExistsAsync("/failover/after"))!.Value.EphemeralOwner);
        }
        finally
        {
            ensemble.WriteLogsTo(output);
        }
    }

    [Fact]
    public async Task A_leader_latch_keeps_one_leader_across_the_failover_and_every_new_leader_has_a_larger_token()
    {
        await using var ensemble = await ProcessEnsemble.StartAsync(voters: 3);
        var owned = new List<IAsyncDisposable>();
        try
        {
            var referee = new Referee();
            var zabLeader = await ensemble.LeaderAsync();
            // The first participant leads, and its client is on the ZAB leader: the server that dies.
            var firstClient = await Owned(owned, ConnectFirstToAsync(ensemble, zabLeader));
            var first = await StartLatchAsync(owned, referee, firstClient, "first");
            await first.AwaitLeadershipAsync().Within();
            var before = first.FencingToken;
            var followers = ensemble.Voters.Where(id => id != zabLeader).ToList();
            var second = await StartLatchAsync(owned, referee, await Owned(owned, ConnectFirstToAsync(ensemble, followers[0])), "second");
            var third = await StartLatchAsync(owned, referee, await Owned(owned, ConnectFirstToAsync(ensemble, followers[1])), "third");
            var resumed = ReconnectedAsync(firstClient);
            var regained = RegainedAsync(first);

            await ensemble.KillAsync(zabLeader);
            await resumed;
            // The first participant's session and node survived, so it leads again (having stepped down while
            // disconnected), with the same token.
            Assert.Equal(before, await regained);
            Assert.False(second.HasLeadership || third.HasLeadership);

            // A participant that joins after the failover queues behind the others, with a node of the new epoch.
            var late = await StartLatchAsync(owned, referee, await Owned(owned, ConnectAsync(ensemble.ConnectStringOf(ensemble.Running))), "late");
            await first.DisposeAsync();
            await second.AwaitLeadershipAsync().Within();
            await second.DisposeAsync();
            await third.AwaitLeadershipAsync().Within();
            await third.DisposeAsync();
            await late.AwaitLeadershipAsync().Within();

            // Never two leaders; tokens never go back; four participants, four tokens, the failover's one kept.
            Assert.Equal(1, referee.MaxLeaders);
            Assert.Equal(referee.Tokens.Order(), referee.Tokens);
            var terms = referee.Tokens.Distinct().ToList();
            Assert.Equal(4, terms.Count);
            Assert.Equal(before, terms[0]);
            Assert.Equal(late.FencingToken, terms[^1]);
            Assert.True(late.FencingToken >>> 32 > before >>> 32, $"token 0x{late.FencingToken:x} is not of an epoch after 0x{before:x}'s");
        }
        finally
        {
            foreach (var d in Enumerable.Reverse(owned)) await d.DisposeAsync();
            ensemble.WriteLogsTo(output);
        }
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>A client given every server's address, <paramref name="home"/> first and kept first, so it connects there.</summary>
    private static async Task<ZooKeeperClient> ConnectFirstToAsync(ProcessEnsemble ensemble, int home)
    {
        var zk = await ConnectAsync(ensemble.ConnectStringOf(ensemble.Ids.OrderBy(id => id == home ? 0 : 1)), new InOrder());
        Assert.Equal(ensemble[home].ConnectString, zk.CurrentServer);
        return zk;
    }

    private static Task<ZooKeeperClient> ConnectAsync(string connectString, Random? random = null)
    {
        var options = ServerFixture.Options(connectString, Session);
        options.Random = random;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return ZooKeeperClient.ConnectAsync(options, cts.Token);
    }

    private static async Task<T> Owned<T>(List<IAsyncDisposable> owned, Task<T> created) where T : IAsyncDisposable
    {
        var item = await created;
        owned.Add(item);
        return item;
    }

    private static async Task<LeaderLatch> StartLatchAsync(List<IAsyncDisposable> owned, Referee referee, ZooKeeperClient zk, string id)
    {
        var latch = referee.Watch(new LeaderLatch(zk, "/latch", id));
        owned.Add(latch);
        await latch.StartAsync();
        // Its node exists once the latch names it: from then on it is in the queue, behind the latches started before.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (latch.NodePath is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"latch {id} made no node");
            await Task.Delay(10);
        }
        return latch;
    }

    /// <summary>Completes when the client is connected again after a disconnection.</summary>
    private static Task ReconnectedAsync(ZooKeeperClient zk)
    {
        var disconnected = false;
        var back = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        zk.StateChanged += (_, c) =>
        {
            if (c.State == ConnectionState.Disconnected) disconnected = true;
            else if (c.State == ConnectionState.Connected && disconnected) back.TrySetResult();
        };
        return back.Task.Within(TimeSpan.FromSeconds(60));
    }

    /// <summary>The token of the latch's next term after it loses leadership.</summary>
    private static Task<long> RegainedAsync(LeaderLatch latch)
    {
        var lost = false;
        var again = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        latch.LeadershipChanged += (_, c) =>
        {
            if (!c.IsLeader) lost = true;
            else if (lost) again.TrySetResult(c.FencingToken);
        };
        return again.Task.Within(TimeSpan.FromSeconds(60));
    }

    /// <summary>Leaves the host list in the order given (Random.Shuffle draws j = Next(i, n) for each i: always i).</summary>
    private sealed class InOrder : Random
    {
        public override int Next(int minValue, int maxValue) => minValue;
    }
}
