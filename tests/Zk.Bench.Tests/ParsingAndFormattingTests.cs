// The small parsers and formatters of zkbench: /proc/<pid>/stat, connect strings, workload specs, server specs,
// mntr, and the comparison table's ratio column.
using System.Net;
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
