// docker-compose.yml (3 nodes) and docker-compose.5-node.yml brought up for real with the image under test, driven
// only through their published 127.0.0.1 ports and the docker CLI: the ensemble forms with one leader; zkCli.sh and
// kazoo write and read; `docker kill` of the leader's container fails over while a writer runs, and nothing it had
// acknowledged is lost; the killed container, started again, rejoins as a follower; a crashed member is restarted by
// the restart policy; members without a quorum turn unhealthy and healthy again once it is back; `docker-compose stop`
// ends every member with exit code 0, and `down` then `up` keeps the data in the volumes.
using System.Globalization;
using Zk.Docker.Tests.Infrastructure;

namespace Zk.Docker.Tests;

[Collection("docker")]
public sealed class ComposeEnsembleTests(DockerImage image, ITestOutputHelper output)
{
    private static readonly TimeSpan QuorumTimeout = TimeSpan.FromSeconds(90);
    // The compose files check every 5 s and need 2 failures in a row; a start period of 60 s delays nothing once a check passes.
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(60);
    private const string Acked = "/compose/acked";

    [Theory]
    [InlineData("docker-compose.yml", 3)]
    [InlineData("docker-compose.5-node.yml", 5)]
    public async Task The_ensemble_forms_fails_over_without_losing_acknowledged_writes_rejoins_reports_health_and_keeps_its_volumes(
        string file, int size)
    {
        output.WriteLine($"image {image.Tag}, built in {image.BuildTime.TotalSeconds:F0} s\n{image.BuildLog}");
        await using var ensemble = new ComposeEnsemble(file, size, image, output);
        try
        {
            var leader = await FormAsync(ensemble);
            await WriteAndReadWithZkCliAndKazooAsync(ensemble);
            var (newLeader, acked) = await KillTheLeaderWhileWritingAsync(ensemble, leader);
            await RestartTheKilledLeaderAsync(ensemble, leader, newLeader, acked);
            await CrashAFollowerAsync(ensemble, newLeader);
            await LoseAndRegainTheQuorumAsync(ensemble);
            await StopDownAndUpAgainAsync(ensemble, acked);
        }
        catch
        {
            await ensemble.WriteLogsAsync();
            throw;
        }
        var left = await ensemble.RemoveEverythingAsync();
        Assert.True(left.Count == 0, "left behind: " + string.Join(", ", left));
        ensemble.Log("containers, network and volumes removed");
    }

    private static async Task<int> FormAsync(ComposeEnsemble e)
    {
        await e.UpAsync();
        var leader = await e.WaitForQuorumAsync([.. e.Ids], QuorumTimeout);
        await e.WaitForHealthAsync(e.Ids, "healthy", HealthTimeout);
        // Still one leader, and the others follow it, now that all are healthy.
        var modes = await Task.WhenAll(e.Ids.Select(e.ModeAsync));
        Assert.Single(modes, m => m == "leader");
        Assert.Equal(e.Size - 1, modes.Count(m => m == "follower"));
        // Only local traffic: ports published on loopback alone, members on the file's own network alone.
        foreach (var id in e.Ids)
        {
            Assert.Equal($"127.0.0.1:{e.ClientPort(id)}", await DockerCli.RunAsync("port", e.Container(id), "2181/tcp"));
            Assert.Equal($"127.0.0.1:{e.AdminPorts[id - 1]}", await DockerCli.RunAsync("port", e.Container(id), "8080/tcp"));
            Assert.Equal(e.Network, await DockerCli.InspectAsync(e.Container(id), "{{range $name, $_ := .NetworkSettings.Networks}}{{$name}}{{end}}"));
        }
        return leader;
    }

    private static async Task WriteAndReadWithZkCliAndKazooAsync(ComposeEnsemble e)
    {
        var created = await ZkCli.RunAsync(e.Hosts(1), "create /compose", "create /compose/zkcli written-by-zkCli.sh");
        Assert.Contains("Created /compose/zkcli", created, StringComparison.Ordinal);
        var read = await Kazoo.RunAsync(e.Hosts(e.Size), "get", ["/compose/zkcli"]);
        Assert.Contains("DATA written-by-zkCli.sh", read, StringComparison.Ordinal);

        await Kazoo.RunAsync(e.Hosts(2), "put", ["/compose/kazoo", "written-by-kazoo"]);
        var got = await ZkCli.RunAsync(e.Hosts(e.Size), "sync /compose/kazoo", "get /compose/kazoo");
        Assert.Contains("written-by-kazoo", got.Split('\n').Select(l => l.Trim()));
        e.Log($"zkCli.sh wrote through zoo1, kazoo read it through zoo{e.Size}; kazoo wrote through zoo2, zkCli.sh read it through zoo{e.Size}");
    }

    private async Task<(int NewLeader, List<int> Acked)> KillTheLeaderWhileWritingAsync(ComposeEnsemble e, int leader)
    {
        await using var writer = Kazoo.Start(e.Hosts(), "writer", Acked);
        await writer.ReadUntilAsync(l => l == "STARTED", TimeSpan.FromSeconds(60));
        await Eventually.HoldsAsync(() => Task.FromResult(Acks(writer).Count >= 50), TimeSpan.FromSeconds(60),
            () => "50 acknowledged writes before the kill: " + writer.Transcript);

        await e.KillAsync(leader);
        var killedAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        e.Log($"docker kill of the leader zoo{leader} returned");
        var survivors = e.Ids.Where(id => id != leader).ToList();
        var newLeader = await e.WaitForQuorumAsync(survivors, QuorumTimeout);
        Assert.NotEqual(leader, newLeader);
        await Eventually.HoldsAsync(() => Task.FromResult(Acks(writer).Count(a => a.AtMs > killedAtMs) >= 50), TimeSpan.FromSeconds(60),
            () => "50 writes acknowledged after the kill: " + writer.Transcript[^Math.Min(writer.Transcript.Length, 2000)..]);
        await writer.WriteLinesAsync("stop");
        await writer.ReadUntilAsync(l => l.StartsWith("STOPPED", StringComparison.Ordinal), TimeSpan.FromSeconds(60));

        var acks = Acks(writer);
        var failed = writer.TranscriptLines.Count(l => l.StartsWith("ERR ", StringComparison.Ordinal));
        var firstAfter = acks.First(a => a.AtMs > killedAtMs).AtMs - killedAtMs;
        var longestGap = acks.Zip(acks.Skip(1), (a, b) => b.AtMs - a.AtMs).Max();
        e.Log($"failover: zoo{newLeader} leads; first write acknowledged {firstAfter} ms after docker kill returned; " +
            $"longest pause between acknowledged writes {longestGap} ms; {acks.Count} acknowledged, {failed} failed (not retried)");
        output.WriteLine($"FAILOVER {e.Size} nodes: first write {firstAfter} ms after the kill, longest pause {longestGap} ms");

        var acked = acks.Select(a => a.N).ToList();
        await CheckAckedAsync(e, survivors.ToArray(), acked);
        e.Log($"every acknowledged write is there, read through the survivors");
        return (newLeader, acked);
    }

    private static async Task RestartTheKilledLeaderAsync(ComposeEnsemble e, int killed, int leader, List<int> acked)
    {
        await e.StartAsync(killed);
        Assert.Equal(leader, await e.WaitForQuorumAsync([.. e.Ids], QuorumTimeout));
        Assert.Equal("follower", await e.ModeAsync(killed));
        await e.WaitForHealthAsync([killed], "healthy", HealthTimeout);
        // Read through the returning member alone: it has caught up.
        await CheckAckedAsync(e, [killed], acked);
        e.Log($"zoo{killed} started again, follows zoo{leader} and serves every acknowledged write");
    }

    private static async Task CrashAFollowerAsync(ComposeEnsemble e, int leader)
    {
        var victim = e.Ids.First(id => id != leader);
        var restarts = await e.RestartCountAsync(victim);
        await e.CrashAsync(victim);
        await Eventually.HoldsAsync(async () => await e.RestartCountAsync(victim) > restarts && await e.ModeAsync(victim) == "follower",
            QuorumTimeout, () => $"zoo{victim} restarted by the restart policy and following");
        e.Log($"zoo{victim}'s server was SIGKILLed; restart: unless-stopped brought it back as a follower");
    }

    private async Task LoseAndRegainTheQuorumAsync(ComposeEnsemble e)
    {
        var quorum = e.Size / 2 + 1;
        var killed = e.Ids.Take(e.Size - quorum + 1).ToList();
        var left = e.Ids.Except(killed).ToList();
        await Task.WhenAll(killed.Select(e.KillAsync));
        e.Log($"killed {string.Join(',', killed.Select(id => "zoo" + id))}: {left.Count} of {e.Size} left, fewer than a quorum");
        await Eventually.HoldsAsync(async () => (await Task.WhenAll(left.Select(e.ModeAsync))).All(m => m is null), QuorumTimeout,
            () => "the members left to stop serving");
        await e.WaitForHealthAsync(left, "unhealthy", HealthTimeout);
        var healthLog = await e.HealthLogAsync(left[0]);
        output.WriteLine($"zoo{left[0]} health checks: {healthLog}");
        Assert.Contains("not currently serving", healthLog, StringComparison.Ordinal);

        foreach (var id in killed) await e.StartAsync(id);
        await e.WaitForQuorumAsync([.. e.Ids], QuorumTimeout);
        await e.WaitForHealthAsync(e.Ids, "healthy", HealthTimeout);
    }

    private static async Task StopDownAndUpAgainAsync(ComposeEnsemble e, List<int> acked)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await e.StopAsync();
        e.Log($"docker-compose stop took {clock.Elapsed.TotalSeconds:F1} s");
        foreach (var id in e.Ids)
        {
            // Docker's stop timeout is 10 s; a member still running then is SIGKILLed and exits 137.
            Assert.Equal("0", await DockerCli.InspectAsync(e.Container(id), "{{.State.ExitCode}}"));
        }

        await e.DownAsync();
        foreach (var id in e.Ids) Assert.False(await DockerCli.ExistsAsync("container", e.Container(id)), e.Container(id));
        Assert.False(await DockerCli.ExistsAsync("network", e.Network), e.Network);
        foreach (var volume in e.Volumes) Assert.True(await DockerCli.ExistsAsync("volume", volume), $"{volume} is gone after down");

        await e.UpAsync();
        await e.WaitForQuorumAsync([.. e.Ids], QuorumTimeout);
        await e.WaitForHealthAsync(e.Ids, "healthy", HealthTimeout);
        await CheckAckedAsync(e, [.. e.Ids], acked);
        var read = await Kazoo.RunAsync(e.Hosts(1), "get", ["/compose/kazoo"]);
        Assert.Contains("DATA written-by-kazoo", read, StringComparison.Ordinal);
        var cli = await ZkCli.RunAsync(e.Hosts(e.Size), "get /compose/zkcli");
        Assert.Contains("written-by-zkCli.sh", cli.Split('\n').Select(l => l.Trim()));
        e.Log($"after down and up, new containers serve all {acked.Count} acknowledged writes from the volumes");
    }

    private static async Task CheckAckedAsync(ComposeEnsemble e, int[] through, List<int> acked)
    {
        var checkedOut = await Kazoo.RunAsync(e.Hosts(through), "check", [Acked, acked.Count.ToString(CultureInfo.InvariantCulture)],
            stdin: string.Join('\n', acked));
        Assert.Contains($"OK {acked.Count}", checkedOut, StringComparison.Ordinal);
    }

    private sealed record Ack(int N, long AtMs);

    private static List<Ack> Acks(InteractiveProcess writer) =>
    [
        .. writer.TranscriptLines.Where(l => l.StartsWith("ACK ", StringComparison.Ordinal)).Select(l => l.Split(' '))
            .Select(p => new Ack(int.Parse(p[1], CultureInfo.InvariantCulture), long.Parse(p[2], CultureInfo.InvariantCulture))),
    ];
}
