// Durability of the standalone server: every acknowledged write survives SIGKILL with the same data and Stat, and
// sessions survive a restart only as long as their timeout: they get a fresh one, then expire and lose their
// ephemerals unless their client comes back. Each test owns its server process (it kills it).
using System.Text;
using Zk.Compat.Infrastructure;
using Zk.Protocol;
using Zk.Protocol.Records;

namespace Zk.Compat.Durability;

public sealed class DurabilityTests(ITestOutputHelper output) : CompatTest(output)
{
    private const int Writers = 3;
    private const int LeavesPerWriter = 50;
    private const int Batches = 10;

    [Fact]
    public async Task Every_acknowledged_write_is_there_after_SIGKILL_with_the_same_data_and_stat()
    {
        // A small snapCount makes recovery read snapshots and the log after them.
        await using var server = Watch(new ZkActorsProcess(new Dictionary<string, string> { ["snapCount"] = "200" }));
        await server.StartAsync();
        var expected = new Dictionary<string, (byte[]? Data, Stat Stat)>(StringComparer.Ordinal);
        var deleted = new HashSet<string>(StringComparer.Ordinal);
        var acknowledged = 0;

        var clients = new List<RawZkClient>();
        for (var w = 0; w < Writers; w++) clients.Add(await RawZkClient.ConnectAsync(server.ClientPort));
        await clients[0].CreateAsync("/dur").Ok();
        for (var w = 0; w < Writers; w++) await clients[w].CreateAsync($"/dur/w{w}").Ok();

        var rng = new Random(1234);
        for (var batch = 0; batch < Batches; batch++)
        {
            // Each writer pipelines one op on each of its leaves, then waits for all the replies.
            var inFlight = new List<(string Path, byte[]? Data, OpCode Op, Task<Reply> Reply)>();
            for (var w = 0; w < Writers; w++)
            {
                for (var i = 0; i < LeavesPerWriter; i++)
                {
                    var path = $"/dur/w{w}/n{i}";
                    var data = Encoding.UTF8.GetBytes($"b{batch}-w{w}-n{i}-{rng.Next()}");
                    var live = expected.ContainsKey(path);
                    var (op, body) = !live
                        ? (OpCode.Create2, (Request)new CreateRequest(path, data, Acl.OpenAclUnsafe, 0))
                        : rng.Next(10) switch
                        {
                            0 => (OpCode.Delete, new DeleteRequest(path, expected[path].Stat.Version)),
                            1 => (OpCode.SetAcl, new SetAclRequest(path, [new Acl(Perms.All, Id.Anyone), new Acl(Perms.Read, new Id("ip", "10.0.0.1"))], -1)),
                            _ => (OpCode.SetData, (Request)new SetDataRequest(path, data, expected[path].Stat.Version)),
                        };
                    inFlight.Add((path, data, op, clients[w].SendAsync(op, body)));
                }
            }
            foreach (var (path, data, op, reply) in inFlight)
            {
                var r = (await reply).Expect(KeeperErrorCode.Ok);
                acknowledged++;
                switch (op)
                {
                    case OpCode.Delete:
                        expected.Remove(path);
                        deleted.Add(path);
                        break;
                    case OpCode.SetAcl:
                        expected[path] = (expected[path].Data, r.StatOf());
                        break;
                    default:
                        expected[path] = (data, r.StatOf());
                        deleted.Remove(path);
                        break;
                }
            }
        }

        // SIGKILL the moment the last acknowledgement is in: nothing gets a chance to flush.
        await server.KillAsync();
        foreach (var c in clients) await c.DisposeAsync();
        Output.WriteLine($"{acknowledged} acknowledged writes, {expected.Count} live leaves, {deleted.Count} deleted");
        await server.StartAsync();

        await using var reader = await RawZkClient.ConnectAsync(server.ClientPort);
        foreach (var (path, (data, stat)) in expected)
        {
            var r = (await reader.GetDataAsync(path)).Expect(KeeperErrorCode.Ok);
            Assert.Equal(data, r.As<GetDataResponse>().Data);
            Assert.Equal(stat, r.StatOf());
        }
        foreach (var path in deleted) await reader.GetDataAsync(path).Expect(KeeperErrorCode.NoNode);
        for (var w = 0; w < Writers; w++)
        {
            var live = expected.Keys.Count(p => p.StartsWith($"/dur/w{w}/", StringComparison.Ordinal));
            Assert.Equal(live, (await reader.GetChildrenAsync($"/dur/w{w}")).As<GetChildren2Response>().Children.Count);
        }
        Assert.Equal(Writers * LeavesPerWriter * Batches, acknowledged);
    }

    [Fact]
    public async Task Sessions_get_a_fresh_timeout_after_a_restart_then_expire_and_lose_their_ephemerals()
    {
        await using var server = Watch(new ZkActorsProcess(new Dictionary<string, string> { ["tickTime"] = "200" }));
        await server.StartAsync();
        const int timeoutMs = 4000; // the maximum at this tick: 20 ticks
        var doomed = new List<RawZkClient>();
        for (var i = 0; i < 2; i++)
        {
            var c = await RawZkClient.ConnectAsync(server.ClientPort, timeoutMs);
            await c.CreateAsync($"/eph-doomed-{i}", "x", CreateMode.Ephemeral).Ok();
            await c.CreateAsync($"/eph-doomed-seq-{i}-", "x", CreateMode.EphemeralSequential).Ok();
            doomed.Add(c);
        }
        var keeper = await RawZkClient.ConnectAsync(server.ClientPort, timeoutMs);
        await keeper.CreateAsync("/eph-kept", "x", CreateMode.Ephemeral).Ok();
        var (keeperId, keeperPassword) = (keeper.SessionId, keeper.Password);

        await server.KillAsync();
        foreach (var c in doomed) await c.DisposeAsync();
        await keeper.DisposeAsync();
        // Stay down past every session's deadline: time passing is what this test is about.
        await Task.Delay(timeoutMs + 500);
        await server.StartAsync();

        await using var resumed = await RawZkClient.ConnectAsync(server.ClientPort, timeoutMs, keeperId, keeperPassword);
        Assert.True(resumed.SessionValid, "a session whose client is back within the fresh timeout lives on");
        resumed.StartKeepAlive();

        await using var observer = await RawZkClient.ConnectAsync(server.ClientPort);
        observer.StartKeepAlive();
        var doomedPaths = (await observer.GetChildrenAsync("/")).As<GetChildren2Response>().Children
            .Where(n => n.StartsWith("eph-doomed", StringComparison.Ordinal)).Select(n => "/" + n).Order(StringComparer.Ordinal).ToList();
        // Still there after the restart although their deadlines passed while the server was down...
        Assert.Equal(4, doomedPaths.Count);
        foreach (var p in doomedPaths) await observer.ExistsAsync(p, watch: true).Ok();
        // ...and deleted when the fresh timeout runs out.
        var events = new List<WatcherEvent>();
        for (var i = 0; i < doomedPaths.Count; i++) events.Add(await observer.NextEventAsync(TimeSpan.FromSeconds(30)));
        Assert.All(events, e => Assert.Equal(EventType.NodeDeleted, e.Type));
        Assert.Equal(doomedPaths, events.Select(e => e.Path).Order(StringComparer.Ordinal));

        var kept = (await observer.ExistsAsync("/eph-kept")).Expect(KeeperErrorCode.Ok).StatOf();
        Assert.Equal(keeperId, kept.EphemeralOwner);
        await using var gone = await RawZkClient.ConnectAsync(server.ClientPort, timeoutMs, doomed[0].SessionId, doomed[0].Password);
        Assert.False(gone.SessionValid, "an expired session cannot be resumed");
    }

    [Fact]
    public async Task A_clean_stop_by_SIGTERM_exits_0_and_a_restart_has_everything()
    {
        await using var server = Watch(new ZkActorsProcess());
        await server.StartAsync();
        var stats = new Dictionary<string, Stat>(StringComparer.Ordinal);
        await using (var c = await RawZkClient.ConnectAsync(server.ClientPort))
        {
            for (var i = 0; i < 100; i++) stats[$"/term-{i}"] = (await c.CreateAsync($"/term-{i}", $"v{i}")).Expect(KeeperErrorCode.Ok).StatOf();
        }
        Assert.Equal(0, await server.StopAsync());
        await server.StartAsync();
        await using var reader = await RawZkClient.ConnectAsync(server.ClientPort);
        foreach (var (path, stat) in stats) Assert.Equal(stat, (await reader.ExistsAsync(path)).Expect(KeeperErrorCode.Ok).StatOf());
    }

    [Fact]
    public async Task SIGTERM_with_clients_connected_closes_them_and_exits_0_well_within_docker_stops_10_s()
    {
        // A ZooKeeper client never closes its connection by itself; the server must close it rather than wait for it.
        await using var server = Watch(new ZkActorsProcess());
        await server.StartAsync();
        await using var idle = await RawZkClient.ConnectAsync(server.ClientPort);
        await using var writer = await RawZkClient.ConnectAsync(server.ClientPort);
        var stat = (await writer.CreateAsync("/before-stop", "v")).Expect(KeeperErrorCode.Ok).StatOf();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(0, await server.StopAsync(TimeSpan.FromSeconds(30)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"SIGTERM to exit took {clock.Elapsed.TotalSeconds:F1} s with two clients connected");
        await server.StartAsync();
        await using var reader = await RawZkClient.ConnectAsync(server.ClientPort);
        Assert.Equal(stat, (await reader.ExistsAsync("/before-stop")).Expect(KeeperErrorCode.Ok).StatOf());
    }
}
