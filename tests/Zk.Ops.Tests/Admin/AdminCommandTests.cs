// Every admin command over HTTP against a real server process: the JSON ZooKeeper's AdminServer would return (its key
// names, "command" and "error"), aliases, unknown commands, and the health and readiness probes.
using System.Net;
using System.Text.Json;

namespace Zk.Ops.Tests.Admin;

public sealed class AdminCommandTests(AdminServerFixture fx, ITestOutputHelper output) : IClassFixture<AdminServerFixture>, IDisposable
{
    public static TheoryData<string, string, string[]> Commands => new()
    {
        { "ruok", "ruok", [] },
        { "srvr", "server_stats", ["version", "read_only", "server_stats", "node_count"] },
        { "server_stats", "server_stats", ["server_stats"] },
        { "stat", "stats", ["server_stats", "connections"] },
        { "mntr", "monitor", ["znode_count", "watch_count", "ephemerals_count", "global_sessions", "num_alive_connections", "server_state", "last_zxid"] },
        { "monitor", "monitor", ["avg_latency"] },
        { "conf", "configuration", ["client_port", "data_dir", "data_dir_size", "tick_time", "max_client_cnxns", "server_id"] },
        { "configuration", "configuration", ["admin_server_port"] },
        { "cons", "connections", ["connections"] },
        { "dirs", "dirs", ["datadir_size", "logdir_size"] },
        { "envi", "environment", ["zookeeper.version", "host.name", "os.name"] },
        { "environment", "environment", ["user.dir"] },
        { "sysp", "system_properties", ["process.id"] },
        { "wchs", "watch_summary", ["num_connections", "num_paths", "num_total_watches"] },
        { "wchc", "watches", ["session_id_to_watched_paths"] },
        { "wchp", "watches_by_path", ["path_to_session_ids"] },
        { "dump", "dump", ["expiry_time_to_session_ids", "session_id_to_ephemeral_paths"] },
        { "hash", "digests", ["digests"] },
        { "isro", "is_read_only", ["read_only"] },
        { "gtmk", "get_trace_mask", ["tracemask"] },
        { "lead", "leader", ["is_leader", "leader_id", "leader_ip"] },
        { "voting_view", "voting_view", ["current_config"] },
        { "icfg", "initial_configuration", ["initial_configuration"] },
        { "zabstate", "zabstate", ["voting", "zabstate"] },
        { "lsnp", "last_snapshot", ["zxid", "timestamp"] },
        { "fols", "followers", ["followers"] },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Each_command_answers_json_with_its_name_no_error_and_zookeepers_keys(string asked, string canonical, string[] keys)
    {
        var (status, json) = await fx.GetJsonAsync($"/commands/{asked}");
        Assert.Equal(200, status);
        Assert.Equal(canonical, json.GetProperty("command").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("error").ValueKind);
        foreach (var key in keys) Assert.True(json.TryGetProperty(key, out _), $"{asked}: no key {key} in {json}");
    }

    [Fact]
    public async Task Stat_and_mntr_report_the_tree_the_client_built()
    {
        var (_, srvr) = await fx.GetJsonAsync("/commands/srvr");
        Assert.Equal("standalone", srvr.GetProperty("server_stats").GetProperty("server_state").GetString());
        Assert.True(srvr.GetProperty("node_count").GetInt32() >= 9);
        var (_, mntr) = await fx.GetJsonAsync("/commands/mntr");
        Assert.Equal(1, mntr.GetProperty("ephemerals_count").GetInt64());
        Assert.True(mntr.GetProperty("watch_count").GetInt64() >= 2);
        Assert.True(mntr.GetProperty("global_sessions").GetInt64() >= 1);
        var (_, dump) = await fx.GetJsonAsync("/commands/dump");
        var ephemerals = dump.GetProperty("session_id_to_ephemeral_paths").EnumerateObject().Single().Value;
        Assert.StartsWith("/ops/lock-", ephemerals[0].GetString(), StringComparison.Ordinal);
        var (_, wchp) = await fx.GetJsonAsync("/commands/wchp");
        Assert.True(wchp.GetProperty("path_to_session_ids").TryGetProperty("/ops/config", out _));
        var (_, cons) = await fx.GetJsonAsync("/commands/cons");
        Assert.Contains(cons.GetProperty("connections").EnumerateArray(), c => c.GetProperty("session_id").GetString() == $"0x{fx.Client.SessionId:x}");
    }

    [Fact]
    public async Task A_snapshot_was_taken_and_last_snapshot_names_its_zxid()
    {
        var (_, lsnp) = await fx.GetJsonAsync("/commands/last_snapshot");
        Assert.StartsWith("0x", lsnp.GetProperty("zxid").GetString(), StringComparison.Ordinal);
        Assert.True(lsnp.GetProperty("timestamp").GetInt64() > 1_600_000_000);
    }

    [Fact]
    public async Task The_command_list_names_every_command()
    {
        var (status, json) = await fx.GetJsonAsync("/commands");
        Assert.Equal(200, status);
        var names = json.GetProperty("commands").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        foreach (var (_, canonical, _) in Commands.Select(r => ((string)r[0], (string)r[1], (string[])r[2]))) Assert.Contains(canonical, names);
    }

    [Fact]
    public async Task An_unknown_command_is_a_404_with_an_error()
    {
        var (status, json) = await fx.GetJsonAsync("/commands/no_such_thing");
        Assert.Equal(404, status);
        Assert.Equal("Unknown command: no_such_thing", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Health_is_ok_and_ready_says_serving()
    {
        var (health, h) = await fx.GetJsonAsync("/health");
        Assert.Equal(200, health);
        Assert.Equal("ok", h.GetProperty("status").GetString());
        var (ready, r) = await fx.GetJsonAsync("/ready");
        Assert.Equal(200, ready);
        Assert.True(r.GetProperty("ready").GetBoolean());
        Assert.Equal("standalone", r.GetProperty("mode").GetString());
    }

    [Fact]
    public async Task Srst_resets_the_server_counters()
    {
        await fx.Client.ExistsAsync("/ops");
        var (_, reset) = await fx.GetJsonAsync("/commands/srst");
        Assert.Equal("stat_reset", reset.GetProperty("command").GetString());
        var (_, srvr) = await fx.GetJsonAsync("/commands/srvr");
        Assert.True(srvr.GetProperty("server_stats").GetProperty("packets_received").GetInt64() < 5);
    }

    [Fact]
    public async Task Crst_resets_each_connections_counters()
    {
        for (var i = 0; i < 20; i++) await fx.Client.ExistsAsync("/ops");
        Assert.True(await MyPacketsReceivedAsync() >= 20);
        var (status, reset) = await fx.GetJsonAsync("/commands/crst");
        Assert.Equal(200, status);
        Assert.Equal("connection_stat_reset", reset.GetProperty("command").GetString());
        Assert.Equal(JsonValueKind.Null, reset.GetProperty("error").ValueKind);
        Assert.True(await MyPacketsReceivedAsync() < 5);
    }

    private async Task<long> MyPacketsReceivedAsync()
    {
        var (_, cons) = await fx.GetJsonAsync("/commands/cons");
        var mine = cons.GetProperty("connections").EnumerateArray().Single(c => c.GetProperty("session_id").GetString() == $"0x{fx.Client.SessionId:x}");
        return mine.GetProperty("packets_received").GetInt64();
    }

    [Fact]
    public async Task The_root_redirects_to_the_dashboard_which_is_served_from_the_assembly()
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false };
        using var http = new HttpClient(handler) { BaseAddress = fx.Http.BaseAddress };
        using var root = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/dashboard/", root.Headers.Location?.ToString());
        foreach (var (file, type) in new[] { ("", "text/html"), ("app.js", "text/javascript"), ("style.css", "text/css") })
        {
            using var r = await http.GetAsync($"/dashboard/{file}");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.StartsWith(type, r.Content.Headers.ContentType?.ToString() ?? "", StringComparison.Ordinal);
        }
    }

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("ZKOPS_SHOW_LOGS") is not null) fx.Server.WriteLogTo(output);
    }
}
