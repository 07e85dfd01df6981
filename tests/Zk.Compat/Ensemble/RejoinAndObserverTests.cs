// A follower that comes back catches up: by DIFF after a short outage, by SNAP when it missed more than the leader
// keeps in memory (commitLogCount). An observer gets every write and counts for nothing: with two of three voters
// dead nobody can write, yet the observer stays up and follows the next leader.

namespace Zk.Compat.Ensemble;

[Collection(EnsembleCollection.Name)]
public sealed class RejoinAndObserverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Failover = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_follower_back_from_a_short_outage_catches_up_by_DIFF()
    {
        await using var ensemble = await ProcessEnsemble.StartAsync(voters: 3);
        try
        {
            var (_, snapshots, log) = await OutageAsync(ensemble, writesWhileDown: 100);
            Assert.Equal(0, snapshots);
            Assert.Contains("DIFF from", log, StringComparison.Ordinal);
        }
        finally
        {
            ensemble.WriteLogsTo(output);
        }
    }

    [Fact]
    public async Task A_follower_back_from_a_long_outage_catches_up_by_SNAP()
    {
        // The leader keeps 50 txns for DIFF and snapshots every 100: 400 missed writes need a SNAP.
        var config = new Dictionary<string, string> { ["commitLogCount"] = "50", ["snapCount"] = "100" };
        await using var ensemble = await ProcessEnsemble.StartAsync(voters: 3, config: config);
        try
        {
            var (follower, snapshots, _) = await OutageAsync(ensemble, writesWhileDown: 400);
            Assert.Equal(1, snapshots);
            // The SNAP is durable: killed again at once, the follower restarts from it and catches up by DIFF.
            var mark = ensemble[follower].LogMark;
            await ensemble.KillAsync(follower);
            await ensemble.RestartAsync(follower);
            await ensemble.WaitForAgreementAsync(TimeSpan.FromSeconds(30));
            Assert.DoesNotContain("SNAP at", ensemble[follower].LogSince(mark), StringComparison.Ordinal);
        }
        finally
        {
            ensemble.WriteLogsTo(output);
        }
    }

    /// <summary>Kills a follower, writes while it is down, restarts it; returns it, how many SNAPs it took and its log
    /// since the restart.</summary>
    private async Task<(int Follower, int Snapshots, string Log)> OutageAsync(ProcessEnsemble ensemble, int writesWhileDown)
    {
        var leader = await ensemble.LeaderAsync();
        var follower = ensemble.Voters.First(id => id != leader);
        await using var client = await KazooAgent.ConnectAsync(ensemble.ConnectStringOf(ensemble.Ids.Where(id => id != follower)));
        await client.OkAsync(new { op = "ensure", path = "/load" });
        var acked = new HashSet<string>();
        for (var i = 0; i < 20; i++) acked.Add(await CreateAsync(client, $"/load/before-{i}"));
        await ensemble.KillAsync(follower);
        for (var i = 0; i < writesWhileDown; i++) acked.Add(await CreateAsync(client, $"/load/during-{i}"));

        var mark = ensemble[follower].LogMark;
        await ensemble.RestartAsync(follower);
        for (var i = 0; i < 20; i++) acked.Add(await CreateAsync(client, $"/load/after-{i}"));
        await ensemble.WaitForAgreementAsync(TimeSpan.FromSeconds(30));
        await LeaderFailoverTests.AssertEveryServerHoldsAsync(ensemble, acked);
        var log = ensemble[follower].LogSince(mark);
        Assert.DoesNotContain("TRUNC", log, StringComparison.Ordinal);
        return (follower, log.Split('\n').Count(l => l.Contains("SNAP at", StringComparison.Ordinal)), log);
    }

    private static async Task<string> CreateAsync(KazooAgent client, string path)
    {
        await client.OkAsync(new { op = "create", path, data = new string('d', 100) });
        return path;
    }

    [Fact]
    public async Task An_observer_sees_every_write_and_does_not_vote()
    {
        await using var ensemble = await ProcessEnsemble.StartAsync(voters: 3, observers: 1);
        const int observer = 4;
        try
        {
            Assert.Equal("observer", (await ensemble.RoleAsync(observer))!.Mode);
            await using var viaObserver = await KazooAgent.ConnectAsync(ensemble[observer].ConnectString);
            await using var viaVoters = await KazooAgent.ConnectAsync(ensemble.ConnectStringOf(ensemble.Voters));
            await viaVoters.OkAsync(new { op = "ensure", path = "/load" });
            var acked = new HashSet<string>();
            for (var i = 0; i < 100; i++)
            {
                var client = i % 2 == 0 ? viaVoters : viaObserver;
                var path = $"/load/n-{i}";
                await client.OkAsync(new { op = "create", path, data = "v" });
                acked.Add(path);
            }
            await LeaderFailoverTests.AssertEveryServerHoldsAsync(ensemble, acked);

            // Two of three voters die: the observer and the last voter are not a quorum, so nobody writes.
            var leader = await ensemble.LeaderAsync();
            var survivor = ensemble.Voters.First(id => id != leader);
            foreach (var id in ensemble.Voters.Where(id => id != survivor)) await ensemble.KillAsync(id);
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(4);
            while (DateTime.UtcNow < until)
            {
                var write = await viaObserver.CallAsync(new { op = "create", path = "/load/no-quorum", data = "x", timeout = 0.5 }, TimeSpan.FromSeconds(30));
                Assert.False(KazooAgent.Ok(write), "a write succeeded without a quorum of voters");
                Assert.NotEqual("leader", (await ensemble.RoleAsync(survivor))?.Mode);
                await Task.Delay(200);
            }
            Assert.True(ensemble[observer].IsRunning, "the observer died");
            Assert.Equal("imok", await FourLetterWord.SendAsync(ensemble[observer].ClientPort, "ruok"));

            // One voter back makes a quorum again; the observer follows the new leader and writes flow through it.
            var back = ensemble.Voters.First(id => id != survivor);
            await ensemble.RestartAsync(back);
            await ensemble.WaitForQuorumAsync(ensemble.Running, Failover);
            Assert.Equal("observer", (await ensemble.RoleAsync(observer))!.Mode);
            await viaObserver.UntilOkAsync(new { op = "create", path = "/load/after", data = "v" }, Failover);
            acked.Add("/load/after");
            await ensemble.WaitForAgreementAsync(TimeSpan.FromSeconds(30));
            await LeaderFailoverTests.AssertEveryServerHoldsAsync(ensemble, acked);
        }
        finally
        {
            ensemble.WriteLogsTo(output);
        }
    }
}
