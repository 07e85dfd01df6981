// Barriers, the queue, the shared counter and group membership / service discovery, each with several clients.
using System.Text;
using Zk.Client.Recipes;
using Zk.Client.Tests.Infrastructure;

namespace Zk.Client.Tests.Recipes;

public abstract class CoordinationTests(ServerFixture fx) : IAsyncLifetime
{
    private readonly string _root = ServerFixture.NewRoot("coord");
    private readonly ClientPool _clients = new(fx);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _clients.DisposeAsync();

    private Task<ZooKeeperClient[]> ClientsAsync(int n) => _clients.ConnectAsync(n);

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Barrier_holds_waiters_until_it_is_removed()
    {
        var clients = await ClientsAsync(3);
        var barrier = new DistributedBarrier(clients[0], _root + "/gate");
        Assert.True(await barrier.SetAsync());
        Assert.False(await barrier.SetAsync());
        var waiters = clients.Skip(1).Select(zk => new DistributedBarrier(zk, _root + "/gate").WaitAsync()).ToList();
        // Both waiters have armed their watch once the gate node shows two watchers... which only the server
        // knows; a sync round trip from each waiter's client orders it after their exists call instead.
        foreach (var zk in clients.Skip(1)) await zk.SyncAsync("/");
        Assert.All(waiters, w => Assert.False(w.IsCompleted));

        await barrier.RemoveAsync();

        await Task.WhenAll(waiters).Within();
        await new DistributedBarrier(clients[1], _root + "/gate").WaitAsync().Within();
    }

    [Fact]
    public async Task Double_barrier_lets_everyone_in_together_and_out_together()
    {
        const int n = 4;
        var clients = await ClientsAsync(n);
        var entered = 0;
        var enteredSeenOnReturn = new int[n];
        var left = 0;
        var leftSeenOnReturn = new int[n];
        await Task.WhenAll(clients.Select((zk, i) => Task.Run(async () =>
        {
            var barrier = new DistributedDoubleBarrier(zk, _root + "/double", n, $"p{i}");
            Interlocked.Increment(ref entered);
            await barrier.EnterAsync();
            enteredSeenOnReturn[i] = Volatile.Read(ref entered);
            Interlocked.Increment(ref left);
            await barrier.LeaveAsync();
            leftSeenOnReturn[i] = Volatile.Read(ref left);
        }))).Within(TimeSpan.FromSeconds(60));

        Assert.All(enteredSeenOnReturn, seen => Assert.Equal(n, seen));
        Assert.All(leftSeenOnReturn, seen => Assert.Equal(n, seen));
        Assert.Empty(await clients[0].GetChildrenAsync(_root + "/double"));
    }

    [Fact]
    public async Task Queue_is_first_in_first_out_and_concurrent_consumers_take_each_item_once()
    {
        var clients = await ClientsAsync(4);
        var producer = new DistributedQueue(clients[0], _root + "/q");
        for (var i = 0; i < 30; i++) await producer.EnqueueAsync(B($"item{i}"));
        Assert.Equal(30, await producer.CountAsync());
        Assert.Equal("item0", Encoding.UTF8.GetString((await producer.PeekAsync())!));
        Assert.Equal("item0", Encoding.UTF8.GetString((await producer.TryDequeueAsync())!));

        var taken = new List<string>();
        await Task.WhenAll(clients.Select(zk => Task.Run(async () =>
        {
            var consumer = new DistributedQueue(zk, _root + "/q");
            while (await consumer.TryDequeueAsync() is { } item)
            {
                lock (taken) taken.Add(Encoding.UTF8.GetString(item));
            }
        }))).Within(TimeSpan.FromSeconds(60));

        Assert.Equal(29, taken.Count);
        Assert.Equal(Enumerable.Range(1, 29).Select(i => $"item{i}").ToHashSet(), taken.ToHashSet());
        Assert.Null(await producer.TryDequeueAsync());
    }

    [Fact]
    public async Task Dequeue_waits_for_an_item_to_arrive()
    {
        var clients = await ClientsAsync(2);
        var waiting = new DistributedQueue(clients[0], _root + "/wq").DequeueAsync();
        await clients[0].SyncAsync("/");
        Assert.False(waiting.IsCompleted);

        await new DistributedQueue(clients[1], _root + "/wq").EnqueueAsync(B("late"));

        Assert.Equal("late", Encoding.UTF8.GetString(await waiting.Within()));
    }

    [Fact]
    public async Task Counter_loses_no_increment_under_contention()
    {
        var clients = await ClientsAsync(10);
        await Task.WhenAll(clients.Select(zk => Task.Run(async () =>
        {
            var counter = new SharedCounter(zk, _root + "/counter");
            for (var i = 0; i < 20; i++) await counter.AddAsync(1);
        }))).Within(TimeSpan.FromSeconds(60));

        var shared = new SharedCounter(clients[0], _root + "/counter");
        Assert.Equal(200, await shared.GetAsync());
        Assert.False(await shared.CompareAndSetAsync(199, 0));
        Assert.True(await shared.CompareAndSetAsync(200, -5));
        Assert.Equal("-5", Encoding.ASCII.GetString((await clients[0].GetDataAsync(_root + "/counter")).Data!));
    }

    [Fact]
    public async Task Group_members_appear_and_vanish_with_their_sessions_and_watchers_see_each_change()
    {
        var clients = await ClientsAsync(3);
        using var cts = new CancellationTokenSource(Await.Long);
        var snapshots = GroupMember.WatchMembersAsync(clients[0], _root + "/group", cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await snapshots.MoveNextAsync());
        Assert.Empty(snapshots.Current);

        var a = new GroupMember(clients[1], _root + "/group", "a", B("10.0.0.1"));
        await a.JoinAsync();
        Assert.True(await snapshots.MoveNextAsync());
        Assert.Equal(["a"], snapshots.Current.Keys);
        await clients[2].DisposeAsync();

        var b = new GroupMember(await fx.ConnectAsync() is var zkB ? zkB : null!, _root + "/group", "b");
        _clients.Add(zkB);
        await b.JoinAsync();
        await SkipUntilAsync(snapshots, s => s.Count == 2);
        Assert.Equal("10.0.0.1", Encoding.UTF8.GetString(snapshots.Current["a"]!));

        await zkB.CloseAsync();
        await SkipUntilAsync(snapshots, s => s.Count == 1);
        Assert.Equal(["a"], (await GroupMember.GetMembersAsync(clients[0], _root + "/group")).Keys);
        await a.DisposeAsync();
        await snapshots.DisposeAsync();
    }

    [Fact]
    public async Task A_member_deleted_by_someone_else_is_put_back()
    {
        var clients = await ClientsAsync(2);
        await using var member = new GroupMember(clients[0], _root + "/g2", "me", B("x"));
        await member.JoinAsync();
        var back = new EventSink();

        await clients[1].DeleteAsync(member.NodePath);
        if (await clients[1].ExistsAsync(member.NodePath, back.Watcher) is null) await back.NextAsync();

        Assert.Equal(clients[0].SessionId, (await clients[1].ExistsAsync(member.NodePath))!.Value.EphemeralOwner);
    }

    [Fact]
    public async Task Service_discovery_lists_registered_instances_with_their_payloads()
    {
        var clients = await ClientsAsync(2);
        var discovery = new ServiceDiscovery(clients[0], _root + "/services");
        await using var web1 = await discovery.RegisterAsync("web", "i1", B("http://a:80"));
        await using var web2 = await new ServiceDiscovery(clients[1], _root + "/services").RegisterAsync("web", "i2", B("http://b:80"));
        await using var db = await discovery.RegisterAsync("db", "i1", null);

        var web = await discovery.GetInstancesAsync("web");

        Assert.Equal(["db", "web"], (await discovery.GetServicesAsync()).Order(StringComparer.Ordinal));
        Assert.Equal(["i1", "i2"], web.Select(i => i.Id));
        Assert.Equal("http://b:80", Encoding.UTF8.GetString(web[1].Payload!));
    }

    private static async Task SkipUntilAsync<T>(IAsyncEnumerator<T> e, Func<T, bool> done)
    {
        while (true)
        {
            Assert.True(await e.MoveNextAsync().AsTask().Within());
            if (done(e.Current)) return;
        }
    }
}

[Collection(RecipeCollection.Apache)]
public sealed class CoordinationTestsOnApache(ApacheFixture fx) : CoordinationTests(fx);

[Collection(RecipeCollection.ZkActors)]
public sealed class CoordinationTestsOnZkActors(ZkActorsFixture fx) : CoordinationTests(fx);
