// The small parsers and formatters of zkbench: /proc/<pid>/stat, connect strings, workload specs, server specs,
// mntr, srvr modes, percentiles, and the comparison tables (ratio column, ensembles, fail-over) and their JSON.
using System.Net;
using System.Text.Json;
using Zk.Bench.Cli;
using Zk.Bench.Compare;
using Zk.Bench.Report;
using Zk.Bench.Runner;
using Zk.Bench.Workloads;

namespace Zk.Bench.Tests;

public class ParsingAndFormattingTests
{
    [Fact]
    public void Cpu_seconds_are_utime_plus_stime_even_when_the_command_name_has_spaces_and_parentheses()
    {
        // Fields 14 (utime) = 250 and 15 (stime) = 50 ticks of 10 ms.
        const string stat = "4242 (dotnet (x) y) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 30 0 100 1000000 5000";
        Assert.Equal(3.0, ProcessProbe.ParseCpuSeconds(stat));
    }

    [Fact]
    public void Own_process_has_cpu_time_and_rss()
    {
        var pid = Environment.ProcessId;
        Assert.NotNull(ProcessProbe.CpuSeconds(pid));
        Assert.True(ProcessProbe.RssBytes(pid) > 1024 * 1024);
        Assert.Null(ProcessProbe.RssBytes([pid, int.MaxValue]));
    }

    [Fact]
    public void Connect_string_lists_every_server_in_order()
    {
        var servers = BenchRunner.ParseConnectString("127.0.0.1:2181, localhost:2182,[::1]:2183");
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 2181), servers[0]);
        Assert.Equal(new DnsEndPoint("localhost", 2182), servers[1]);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 2183), servers[2]);
        Assert.Throws<ArgumentException>(() => BenchRunner.ParseConnectString("127.0.0.1"));
        Assert.Throws<ArgumentException>(() => BenchRunner.ParseConnectString(""));
    }

    [Theory]
    [InlineData("read-8x64", WorkloadKind.Read, 8, 64)]
    [InlineData("write-1x1", WorkloadKind.Write, 1, 1)]
    [InlineData("create-delete-4x16", WorkloadKind.CreateDelete, 4, 16)]
    [InlineData("ephemeral-churn-8x1", WorkloadKind.EphemeralChurn, 8, 1)]
    public void Workload_spec_names_kind_sessions_and_window(string text, WorkloadKind kind, int sessions, int window)
    {
        Assert.Equal(new WorkloadSpec(kind, sessions, window), WorkloadSpec.Parse(text));
    }

    [Theory]
    [InlineData("read")]
    [InlineData("read-8")]
    [InlineData("scan-8x64")]
    public void Malformed_workload_spec_is_refused(string text) =>
        Assert.Throws<ArgumentException>(() => WorkloadSpec.Parse(text));

    [Fact]
    public void External_server_spec_has_name_connect_string_and_pids()
    {
        var s = RunningServer.ParseExternal("ensemble=127.0.0.1:2181,127.0.0.1:2182@10,11");
        Assert.Equal("ensemble", s.Name);
        Assert.Equal("127.0.0.1:2181,127.0.0.1:2182", s.ConnectString);
        Assert.Equal([10, 11], s.Pids);
        Assert.Empty(RunningServer.ParseExternal("zk=127.0.0.1:2181").Pids);
    }

    [Fact]
    public void Mntr_lines_become_a_dictionary()
    {
        var mntr = FourLetterWordClient.ParseMntr("zk_version\t3.8.0\nzk_znode_count\t5\nzk_dotnet_heap_bytes\t123456\n");
        Assert.Equal(5, FourLetterWordClient.MntrLong(mntr, "zk_znode_count"));
        Assert.Equal(123456, FourLetterWordClient.MntrLong(mntr, ZkActorsLauncher.HeapMntrKey));
        Assert.Null(FourLetterWordClient.MntrLong(mntr, "zk_version"));
    }

    [Fact]
    public void Both_servers_get_the_same_config_apart_from_data_dir_and_port()
    {
        var cfg = ServerLauncher.ZooCfg(2000, "/tmp/x", 12345);
        Assert.Contains("forceSync=yes\n", cfg);
        Assert.Contains("clientPortAddress=127.0.0.1\n", cfg);
        Assert.Contains("clientPort=12345\n", cfg);
        Assert.Contains("tickTime=2000\n", cfg);
    }

    [Fact]
    public void Comparison_table_has_a_column_per_server_and_their_ratio()
    {
        var report = new CompareReport(
            new MachineInfo("cpu", 2, 1L << 30, "6.1", "0.1 0.1 0.1", "0.2 0.2 0.2", ".NET"),
            ["A", "B"], 3, 10, 100, 1000,
            [new WorkloadComparison("read 8x64", [Run("A", 40_000, 2.0), Run("B", 80_000, 1.0)])],
            []);
        var text = CompareTable.Render(report);
        var throughput = text.Split('\n').Single(l => l.Contains("throughput", StringComparison.Ordinal));
        Assert.Contains("40,000", throughput);
        Assert.Contains("80,000", throughput);
        Assert.EndsWith("2.00", throughput.TrimEnd());
        var cpu = text.Split('\n').Single(l => l.Contains("server CPU", StringComparison.Ordinal));
        Assert.EndsWith("0.50", cpu.TrimEnd());
        Assert.True(report.AllClean);
    }

    [Fact]
    public void Ensemble_members_share_the_config_and_list_every_member()
    {
        var cfg = ServerLauncher.EnsembleZooCfg(2000, "/tmp/n1", 12345, ["server.1=127.0.0.1:1:2", "server.2=127.0.0.1:3:4", "server.3=127.0.0.1:5:6"]);
        Assert.StartsWith(ServerLauncher.ZooCfg(2000, "/tmp/n1", 12345), cfg, StringComparison.Ordinal);
        Assert.Contains("syncLimit=5\n", cfg);
        Assert.EndsWith("server.1=127.0.0.1:1:2\nserver.2=127.0.0.1:3:4\nserver.3=127.0.0.1:5:6\n", cfg, StringComparison.Ordinal);
        Assert.Equal(6, ServerLauncher.FreeLoopbackPorts(6).Distinct().Count());
    }

    [Fact]
    public void Srvr_mode_line_gives_the_role_and_one_leader_among_serving_members_is_stable()
    {
        Assert.Equal("leader", EnsembleProbe.ParseMode("Zookeeper version: 3.8.0\nLatency min/avg/max: 0/0.0/0\nMode: leader\nNode count: 5\n"));
        Assert.Equal("follower", EnsembleProbe.ParseMode("Mode: follower\r\n"));
        Assert.Null(EnsembleProbe.ParseMode("This ZooKeeper instance is not currently serving requests\n"));
        Assert.Equal(1, EnsembleProbe.StableLeader(["follower", "leader", "follower"]));
        Assert.Null(EnsembleProbe.StableLeader(["follower", "leader", null]));
        Assert.Null(EnsembleProbe.StableLeader(["follower", "follower", "follower"]));
    }

    [Fact]
    public void Median_averages_the_middle_pair_and_p90_is_the_nearest_rank()
    {
        double[] twenty = [.. Enumerable.Range(1, 20).Select(i => i * 10.0)];
        Assert.Equal(105, Percentiles.Median(twenty));
        Assert.Equal(180, Percentiles.NearestRank(twenty, 90));
        Assert.Equal(30, Percentiles.Median([50, 10, 30]));
        Assert.Null(Percentiles.Median([]));
    }

    [Theory]
    [InlineData(null, false, new[] { CompareMode.Standalone })]
    [InlineData(null, true, new[] { CompareMode.Ensemble })]
    [InlineData("standalone,ensemble", false, new[] { CompareMode.Standalone, CompareMode.Ensemble })]
    [InlineData("ensemble", false, new[] { CompareMode.Ensemble })]
    public void Modes_default_to_standalone_unless_an_ensemble_size_is_given(string? text, bool ensembleGiven, CompareMode[] expected) =>
        Assert.Equal(expected, BenchCommands.ParseModes(text, ensembleGiven));

    [Fact]
    public void Unknown_mode_is_refused() => Assert.Throws<ArgumentException>(() => BenchCommands.ParseModes("cluster", false));

    [Fact]
    public void Report_has_an_ensemble_table_and_a_fail_over_section_in_text_and_json()
    {
        var report = new CompareReport(
            new MachineInfo("cpu", 2, 1L << 30, "6.1", "0.1 0.1 0.1", "0.2 0.2 0.2", ".NET"),
            ["A", "B"], 3, 10, 100, 1000,
            [
                new WorkloadComparison("write 1x1", [Run("A", 1_000, 20), Run("B", 2_000, 10)]),
                new WorkloadComparison("write 1x1", [Run("A", 500, 40), Run("B", 1_500, 20)]) { Members = 3 },
            ],
            [])
        {
            ServerSettings = ServerLauncher.SettingsSummary(2000),
            Failover = [Failover("A", 400, 300, 500), Failover("B", 100, 80, 120)],
        };

        var text = CompareTable.Render(report);
        var lines = text.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("standalone servers", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("3-node ensembles", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("fail-over, 3-node ensembles", StringComparison.Ordinal));
        Assert.Contains("tickTime=2000 ms, initLimit=10, syncLimit=5, forceSync=yes", text, StringComparison.Ordinal);
        Assert.Equal(2, lines.Count(l => l.Contains("throughput", StringComparison.Ordinal)));
        var rounds = lines.Single(l => l.Contains(" rounds ", StringComparison.Ordinal));
        Assert.EndsWith("1.00", rounds.TrimEnd());
        // A: 300, 400, 500 ms; B: 80, 100, 120 ms.
        var median = lines.Single(l => l.Contains(" median ", StringComparison.Ordinal) && !l.Contains("serves again", StringComparison.Ordinal));
        Assert.Contains("400 ms", median);
        Assert.Contains("100 ms", median);
        Assert.EndsWith("0.25", median.TrimEnd());
        Assert.EndsWith("0.24", lines.Single(l => l.Contains(" max ", StringComparison.Ordinal)).TrimEnd());
        Assert.Contains("500 ms", lines.Single(l => l.Contains(" p90 ", StringComparison.Ordinal)));
        Assert.Equal(3, lines.Count(l => l.Contains(" round ", StringComparison.Ordinal)));

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(report, BenchJsonContext.Default.CompareReport));
        var failover = json.RootElement.GetProperty("failover");
        Assert.Equal(2, failover.GetArrayLength());
        var b = failover[1];
        Assert.Equal("B", b.GetProperty("server").GetString());
        Assert.Equal(3, b.GetProperty("members").GetInt32());
        Assert.Equal(100, b.GetProperty("medianMs").GetDouble());
        Assert.Equal(120, b.GetProperty("p90Ms").GetDouble());
        Assert.Equal(120, b.GetProperty("maxMs").GetDouble());
        Assert.Equal(3, b.GetProperty("rounds").GetArrayLength());
        Assert.Equal(80, b.GetProperty("rounds")[1].GetProperty("failoverMs").GetDouble());
        Assert.Equal(3, json.RootElement.GetProperty("workloads")[1].GetProperty("members").GetInt32());
        Assert.StartsWith("tickTime=2000", json.RootElement.GetProperty("serverSettings").GetString(), StringComparison.Ordinal);
    }

    private static FailoverRun Failover(string server, params double[] ms) => new(server, 3,
        [.. ms.Select((t, i) => new FailoverRound(i + 1, 1, 2, 3, t, 4, 2, false, 900, new Dictionary<string, int> { ["BenchProtocolException"] = 2 }))]);

    private static ServerRun Run(string server, double opsPerS, double cpuPer100k) => new(server, new BenchResult
    {
        Workload = "read",
        ConnectString = "127.0.0.1:1",
        Sessions = 8,
        Window = 64,
        PayloadBytes = 100,
        Znodes = 1000,
        WarmupS = 3,
        MeasuredS = 10,
        Issued = (long)opsPerS * 10,
        Completed = (long)opsPerS * 10,
        Errors = 0,
        ErrorsByKind = new Dictionary<string, long>(),
        OpsPerS = opsPerS,
        LatencyUs = new LatencySummary(10, 100, 200, 300, 400, 500, 120, (long)opsPerS * 10),
    }, cpuPer100k * opsPerS / 10_000, cpuPer100k, 100 << 20, 1.0);
}
