// The entry point's configs run for real: three nodes generated as the compose file would (ZOO_SERVERS, ZOO_MY_ID),
// with hosts rewritten to 127.0.0.1 and distinct ports, started as local processes. A lone node is not ready; the
// three elect one leader, a write through one node is read from another, and the leader's metrics and the ensemble
// view show its followers.
using System.Globalization;
using System.Text;
using System.Text.Json;
using Zk.Client;
using Zk.Ops.Tests.Infrastructure;

namespace Zk.Ops.Tests.Docker;

public sealed class GeneratedEnsembleTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("zkops-ensemble-").FullName;
    private readonly List<ZkActorsProcess> _servers = [];

    [Fact]
    public async Task Three_nodes_from_generated_configs_elect_one_leader_and_replicate_a_write()
    {
        var ports = Enumerable.Range(0, 3).Select(_ => FreePort.Next(4)).ToArray(); // quorum, election, client, admin
        string P(int node, int which) => ports[node - 1][which].ToString(CultureInfo.InvariantCulture);
        var servers = string.Join(' ', Enumerable.Range(1, 3).Select(i => $"server.{i}=127.0.0.1:{P(i, 0)}:{P(i, 1)};{P(i, 2)}"));
        var peers = string.Join(' ', Enumerable.Range(1, 3).Select(i => $"admin.peerUrl.{i}=http://127.0.0.1:{P(i, 3)}"));
        for (var i = 1; i <= 3; i++)
        {
            var cfg = await Entrypoint.GenerateAsync(Path.Combine(_dir, $"node{i}"), new Dictionary<string, string>
            {
                ["ZOO_MY_ID"] = i.ToString(CultureInfo.InvariantCulture),
                ["ZOO_SERVERS"] = servers,
                ["ZOO_TICK_TIME"] = "500",
                ["ZOO_INIT_LIMIT"] = "10",
                ["ZOO_SYNC_LIMIT"] = "5",
                ["ZOO_STANDALONE_ENABLED"] = "false",
                ["ZOO_4LW_COMMANDS_WHITELIST"] = "*",
                ["ZOO_MAX_CLIENT_CNXNS"] = "0",
                // Loopback only on this machine; a container would keep the 0.0.0.0 defaults.
                ["ZOO_CLIENT_PORT_ADDRESS"] = "127.0.0.1",
                ["ZOO_ADMIN_SERVER_ADDRESS"] = "127.0.0.1",
                ["ZOO_ADMIN_SERVER_PORT"] = P(i, 3),
                ["ZOO_CFG_EXTRA"] = peers,
            });
            var keys = Entrypoint.ReadConfig(cfg);
            Assert.Equal($"127.0.0.1:{P(i, 0)}:{P(i, 1)};127.0.0.1:{P(i, 2)}", keys[$"server.{i}"]);
            Assert.Equal(P(i, 2), keys["clientPort"]);
            var node = ZkActorsProcess.FromConfigFile($"node{i}", cfg);
            Assert.Equal((int.Parse(P(i, 2), CultureInfo.InvariantCulture), int.Parse(P(i, 3), CultureInfo.InvariantCulture)), (node.ClientPort, node.AdminPort));
            _servers.Add(node);
        }

        // A lone node has no quorum: its admin port answers, but it is not ready.
        await _servers[0].SpawnAsync();
        await WaitForAsync(async () => (await TryGetAsync(_servers[0], "/health")).Status == 200, "node1's admin port");
        Assert.Equal(503, (await TryGetAsync(_servers[0], "/ready")).Status);

        await _servers[1].SpawnAsync();
        await _servers[2].SpawnAsync();
        foreach (var s in _servers) await s.WaitForModeAsync(TimeSpan.FromSeconds(60));
        var modes = new List<string>();
        foreach (var s in _servers) modes.Add(await s.ModeAsync());
        Assert.Equal(1, modes.Count(m => m == "leader"));
        Assert.Equal(2, modes.Count(m => m == "follower"));

        await using (var writer = await ZooKeeperClient.ConnectAsync(_servers[0].ConnectString, TimeSpan.FromSeconds(10)))
            await writer.CreateAsync("/compose-test", Encoding.UTF8.GetBytes("written through node 1"));
        await using (var reader = await ZooKeeperClient.ConnectAsync(_servers[2].ConnectString, TimeSpan.FromSeconds(10)))
        {
            await reader.SyncAsync("/compose-test");
            var read = await reader.GetDataAsync("/compose-test");
            Assert.Equal("written through node 1", Encoding.UTF8.GetString(read.Data!));
        }

        var leader = _servers[modes.IndexOf("leader")];
        // Each follower shows up in the leader's metrics with its first ACK after the leader was established.
        PrometheusDocument metrics = null!;
        await WaitForAsync(async () =>
        {
            metrics = await PrometheusText.ParseAsync(await leader.Admin.GetStringAsync("/metrics"));
            return metrics.Samples("zk_follower_lag_txns").Count == 2;
        }, "both followers' ACKs at the leader");
        Assert.Equal(1, metrics.Value("zk_zab_role", ("role", "leader")));
        Assert.Equal(2, metrics.Value("zk_synced_followers"));
        Assert.Equal(2, metrics.Samples("zk_follower_lag_txns").Count);
        Assert.True(metrics.Value("zk_commits_total") >= 2);
        foreach (var s in _servers)
        {
            var m = await PrometheusText.ParseAsync(await s.Admin.GetStringAsync("/metrics"));
            Assert.True(m.Value("zk_elections_total") >= 1, $"{s.Name} counted no election");
            Assert.True(m.Value("zk_election_duration_seconds_count") >= 1);
            Assert.True(m.Value("zk_zab_epoch") >= 1);
            Assert.Equal(200, (await TryGetAsync(s, "/ready")).Status);
        }

        var follower = _servers[modes.IndexOf("follower")];
        using var ensemble = JsonDocument.Parse(await follower.Admin.GetStringAsync("/api/ensemble"));
        var rows = ensemble.RootElement.GetProperty("servers").EnumerateArray().ToList();
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.True(r.GetProperty("reachable").GetBoolean(), r.ToString()));
        Assert.Single(rows, r => r.GetProperty("mode").GetString() == "leader");
        Assert.All(rows, r => Assert.Equal(JsonValueKind.Number, r.GetProperty("lag_txns").ValueKind));
        using var votingView = JsonDocument.Parse(await leader.Admin.GetStringAsync("/commands/voting_view"));
        Assert.Equal(3, votingView.RootElement.GetProperty("current_config").EnumerateObject().Count());
    }

    private static async Task<(int Status, string Body)> TryGetAsync(ZkActorsProcess s, string path)
    {
        try
        {
            using var r = await s.Admin.GetAsync(path);
            return ((int)r.StatusCode, await r.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException)
        {
            return (0, "");
        }
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what} did not come up");
            await Task.Delay(100);
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var s in _servers)
        {
            s.WriteLogTo(output);
            await s.DisposeAsync();
        }
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS.
        }
    }
}
