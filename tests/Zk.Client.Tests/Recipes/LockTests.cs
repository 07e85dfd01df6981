// Locks, read-write locks and semaphores under contention, including a holder that dies without closing its
// session.
using Zk.Client.Recipes;
using Zk.Client.Tests.Infrastructure;

namespace Zk.Client.Tests.Recipes;

public abstract class LockTests(ServerFixture fx) : IAsyncLifetime
{
    private readonly string _root = ServerFixture.NewRoot("lock");
    private readonly ClientPool _clients = new(fx);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _clients.DisposeAsync();

    private Task<ZooKeeperClient[]> ClientsAsync(int n) => _clients.ConnectAsync(n);

    [Fact]
    public async Task Ten_clients_never_hold_the_lock_together_and_each_holder_has_a_larger_token()
    {
        var clients = await ClientsAsync(10);
        var inside = 0;
        var maxInside = 0;
        var tokens = new List<long>();
        await Task.WhenAll(clients.Select(zk => Task.Run(async () =>
        {
            var mutex = new DistributedLock(zk, _root + "/mutex");
            for (var round = 0; round < 4; round++)
            {
                await using var held = await mutex.AcquireAsync();
                var now = Interlocked.Increment(ref inside);
                InterlockedMax(ref maxInside, now);
                lock (tokens) tokens.Add(held.FencingToken);
                await Task.Yield();
                Interlocked.Decrement(ref inside);
            }
        }))).Within(TimeSpan.FromSeconds(60));

        Assert.Equal(1, maxInside);
        Assert.Equal(40, tokens.Count);
        Assert.Equal(tokens.Order(), tokens);
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
    }

    [Fact]
    public async Task Each_waiter_watches_only_its_predecessor()
    {
        var clients = await ClientsAsync(4);
        var mutex = new DistributedLock(clients[0], _root + "/herd");
        await using var held = await mutex.AcquireAsync();
        var waiting = clients.Skip(1).Select(zk => new DistributedLock(zk, _root + "/herd").AcquireAsync()).ToList();
        var contenders = (await WaitForChildrenAsync(clients[0], _root + "/herd", 4)).ToList();

        // Waiter i (queued at position i) has exactly one watch: on the node at position i-1.
        foreach (var zk in clients.Skip(1))
        {
            var node = (await zk.GetEphemeralsAsync(_root + "/herd")).Single();
            var position = contenders.IndexOf(node[(node.LastIndexOf('/') + 1)..]);
            // Each sync is a round trip on the waiter's own connection: once its watch request has been answered
            // the watch is in its table.
            for (var i = 0; i < 100 && zk.Core.Watches.IsEmpty; i++) await zk.SyncAsync("/");
            var watched = zk.Core.Watches.Snapshot();
            Assert.Equal([$"{_root}/herd/{contenders[position - 1]}"], watched.Data.Concat(watched.Exist));
        }
        await held.ReleaseAsync();
        // They now get the lock one after another, in queue order.
        while (waiting.Count > 0)
        {
            var next = await Task.WhenAny(waiting).Within();
            waiting.Remove(next);
            await (await next).ReleaseAsync();
        }
    }

    [Fact]
    public async Task A_killed_holders_lock_passes_on_once_its_session_expires()
    {
        await using var proxy = new TcpFaultProxy(fx.ConnectString);
        var holderClient = await fx.ConnectAsync(fx.ShortSession, configure: o => o.ConnectString = proxy.Endpoint);
        _clients.Add(holderClient);
        var waiterClient = (await ClientsAsync(1))[0];
        var held = await new DistributedLock(holderClient, _root + "/dies").AcquireAsync();
        var waiting = new DistributedLock(waiterClient, _root + "/dies").AcquireAsync();
        await WaitForChildrenAsync(waiterClient, _root + "/dies", 2);
        Assert.False(waiting.IsCompleted);

        // The holder's process "dies": its connection is cut, no closeSession is ever sent.
        proxy.Refuse();
        var next = await waiting.Within();

        Assert.True(next.FencingToken > held.FencingToken);
        Assert.False(held.Lost.IsCancellationRequested);
        // Once the old holder can reach the server again it learns its session, and so the lock, is gone.
        proxy.Accept();
        await WhenCancelled(held.Lost).Within();
        Assert.Equal(ConnectionState.Expired, holderClient.State);
        await next.ReleaseAsync();
    }

    [Fact]
    public async Task TryAcquire_gives_up_after_the_timeout_and_leaves_the_queue()
    {
        var clients = await ClientsAsync(2);
        var mutex = new DistributedLock(clients[0], _root + "/timeout");
        await using var held = await mutex.AcquireAsync();

        var attempt = await new DistributedLock(clients[1], _root + "/timeout").TryAcquireAsync(TimeSpan.FromMilliseconds(300));

        Assert.Null(attempt);
        Assert.Single(await mutex.ContendersAsync());
    }

    [Fact]
    public async Task Readers_share_the_read_lock_and_a_writer_excludes_everyone()
    {
        var clients = await ClientsAsync(3);
        var rw = clients.Select(zk => new ReadWriteLock(zk, _root + "/rw")).ToArray();
        var r1 = await rw[0].ReadLock.AcquireAsync().Within();
        var r2 = await rw[1].ReadLock.AcquireAsync().Within();
        var writer = rw[2].WriteLock.AcquireAsync();
        await WaitForChildrenAsync(clients[0], _root + "/rw", 3);
        // A reader queued behind the writer waits for it (no writer starvation).
        var lateReader = rw[0].ReadLock.AcquireAsync();
        await WaitForChildrenAsync(clients[0], _root + "/rw", 4);

        Assert.False(writer.IsCompleted);
        await r1.ReleaseAsync();
        Assert.False(writer.IsCompleted);
        await r2.ReleaseAsync();
        var w = await writer.Within();
        Assert.False(lateReader.IsCompleted);
        await w.ReleaseAsync();
        await (await lateReader.Within()).ReleaseAsync();
    }

    [Fact]
    public async Task Semaphore_never_grants_more_than_its_leases()
    {
        var clients = await ClientsAsync(8);
        var inside = 0;
        var maxInside = 0;
        var entered = 0;
        var allowed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await Task.WhenAll(clients.Select(zk => Task.Run(async () =>
        {
            await using var lease = await new DistributedSemaphore(zk, _root + "/sem", maxLeases: 3).AcquireAsync();
            InterlockedMax(ref maxInside, Interlocked.Increment(ref inside));
            // The first three wait for each other, so the test sees the semaphore actually full.
            if (Interlocked.Increment(ref entered) == 3) allowed.TrySetResult();
            await allowed.Task;
            Interlocked.Decrement(ref inside);
        }))).Within(TimeSpan.FromSeconds(60));

        Assert.Equal(3, maxInside);
        Assert.Empty(await new DistributedSemaphore(clients[0], _root + "/sem", 3).LeaseHoldersAsync());
    }

    /// <summary>Waits (on a child watch, not a timer) until the node has at least <paramref name="count"/> children, in queue order.</summary>
    internal static async Task<IReadOnlyList<string>> WaitForChildrenAsync(ZooKeeperClient zk, string path, int count)
    {
        while (true)
        {
            var changed = new EventSink();
            IReadOnlyList<string> children;
            try
            {
                children = await zk.GetChildrenAsync(path, changed.Watcher);
            }
            catch (NoNodeException)
            {
                if (await zk.ExistsAsync(path, changed.Watcher) is null) await changed.NextAsync();
                continue;
            }
            if (children.Count >= count) return [.. children.OrderBy(c => c[^10..], StringComparer.Ordinal)];
            await changed.NextAsync();
        }
    }

    internal static Task WhenCancelled(CancellationToken token)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => tcs.TrySetResult());
        return tcs.Task;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}

[Collection(RecipeCollection.Apache)]
public sealed class LockTestsOnApache(ApacheFixture fx) : LockTests(fx);

[Collection(RecipeCollection.ZkActors)]
public sealed class LockTestsOnZkActors(ZkActorsFixture fx) : LockTests(fx);
