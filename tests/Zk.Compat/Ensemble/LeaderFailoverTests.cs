// Kill -9 of the leader, again and again, under a write load from kazoo connected to every server: every write
// that was acknowledged survives on every server, and all servers end in the same state (zxid and tree digest).
using System.Text.Json;

namespace Zk.Compat.Ensemble;

[Collection(EnsembleCollection.Name)]
public sealed class LeaderFailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Three_servers_keep_every_acknowledged_write_while_the_leader_is_killed_four_times()
    {
        await using var ensemble = await ProcessEnsemble.StartAsync(voters: 3);
        try
        {
            await KillLeadersUnderLoadAsync(ensemble, rounds: 4, killsPerRound: 1);
        }
        finally
        {
            ensemble.WriteLogsTo(output);
        }
    }

    [Fact]
    public async Task Five_servers_keep_every_acknowledged_write_while_two_leaders_in_a_row_are_killed()
    {
        await using var ensemble = await ProcessEnsemble.StartAsync(voters: 5);
        try
        {
            await KillLeadersUnderLoadAsync(ensemble, rounds: 2, killsPerRound: 2);
        }
        finally
        {
            ensemble.WriteLogsTo(output);
        }
    }

    /// <summary>Each round kills <paramref name="killsPerRound"/> successive leaders (a quorum always survives), lets
    /// the load go on under the new leader, then restarts the dead servers and waits until they rejoin.</summary>
    private async Task KillLeadersUnderLoadAsync(ProcessEnsemble ensemble, int rounds, int killsPerRound)
    {
        await using var writer = await KazooAgent.ConnectAsync(ensemble.ConnectString);
        await writer.OkAsync(new { op = "ensure", path = "/load" });
        await writer.OkAsync(new { op = "load_start", prefix = "/load", threads = 4 });
        for (var round = 0; round < rounds; round++)
        {
            var killed = new List<int>();
            for (var k = 0; k < killsPerRound; k++)
            {
                await WaitForProgressAsync(writer, 50);
                var leader = await ensemble.LeaderAsync();
                await ensemble.KillAsync(leader);
                killed.Add(leader);
                var next = await ensemble.LeaderAsync();
                output.WriteLine($"round {round}: killed leader {leader}; server {next} leads now");
            }
            await WaitForProgressAsync(writer, 50);
            foreach (var id in killed) await ensemble.RestartAsync(id);
        }
        await WaitForProgressAsync(writer, 50);
        var load = await writer.OkAsync(new { op = "load_stop" }, TimeSpan.FromSeconds(60));
        var acked = load.GetProperty("acked").EnumerateArray().Select(e => e.GetString()!).ToHashSet();
        output.WriteLine($"{acked.Count} writes acknowledged, {load.GetProperty("failed").GetInt32()} not");
        Assert.True(acked.Count > 200, $"the load made too little progress: {acked.Count} writes");

        var agreed = await ensemble.WaitForAgreementAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"all servers at `hash` {agreed}");
        await AssertEveryServerHoldsAsync(ensemble, acked);
    }

    /// <summary>Reads /load through each server alone, after a sync: same children and data everywhere, and every
    /// acknowledged write among them.</summary>
    internal static async Task AssertEveryServerHoldsAsync(ProcessEnsemble ensemble, IReadOnlySet<string> acked)
    {
        string? digest = null;
        foreach (var id in ensemble.Running)
        {
            await using var reader = await KazooAgent.ConnectAsync(ensemble[id].ConnectString);
            var tree = await reader.OkAsync(new { op = "tree", path = "/load" }, TimeSpan.FromSeconds(120));
            var children = tree.GetProperty("children").EnumerateArray().Select(e => "/load/" + e.GetString()).ToHashSet();
            var missing = acked.Where(p => !children.Contains(p)).ToArray();
            Assert.True(missing.Length == 0, $"server {id} lost {missing.Length} acknowledged writes, e.g. {string.Join(", ", missing.Take(5))}");
            var d = tree.GetProperty("digest").GetString();
            digest ??= d;
            Assert.True(digest == d, $"server {id} holds a different /load than the first server read");
        }
    }

    private static async Task WaitForProgressAsync(KazooAgent writer, int moreWrites)
    {
        var start = (await writer.OkAsync(new { op = "load_progress" })).GetProperty("acked").GetInt32();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var now = (await writer.OkAsync(new { op = "load_progress" })).GetProperty("acked").GetInt32();
            if (now >= start + moreWrites) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the write load is stuck at {now} acknowledged writes\n{writer.Stderr}");
            await Task.Delay(20);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class EnsembleCollection
{
    /// <summary>Ensemble tests run one at a time: each starts up to five server processes on a two-core machine.</summary>
    public const string Name = "ensembles of real processes";
}
