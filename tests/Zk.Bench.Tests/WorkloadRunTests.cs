// Short runs of every workload against a real ZkActors process: each measured request is either completed or
// failed, and a healthy server fails none. No assertion on timing.
using Zk.Bench.Compare;
using Zk.Bench.Report;
using Zk.Bench.Runner;
using Zk.Bench.Workloads;

namespace Zk.Bench.Tests;

[Collection(ZkActorsServerCollection.Name)]
public class WorkloadRunTests(ZkActorsServerFixture fixture)
{
    private BenchOptions Short(WorkloadKind kind, int sessions = 4, int window = 16) => new()
    {
        ConnectString = fixture.Server.ConnectString,
        Workload = kind,
        Sessions = sessions,
        Window = window,
        Znodes = 100,
        PayloadBytes = 64,
        Warmup = TimeSpan.FromMilliseconds(300),
        Duration = TimeSpan.FromSeconds(1),
    };

    [Theory]
    [InlineData(WorkloadKind.Read)]
    [InlineData(WorkloadKind.Write)]
    [InlineData(WorkloadKind.Mixed)]
    [InlineData(WorkloadKind.CreateDelete)]
    [InlineData(WorkloadKind.Create)]
    [InlineData(WorkloadKind.EphemeralChurn)]
    public async Task Workload_counts_add_up_with_no_errors(WorkloadKind kind)
    {
        var result = await new BenchRunner(Short(kind)).RunAsync(CancellationToken.None);
        AssertClean(result);
    }

    [Fact]
    public async Task Watch_workload_delivers_notifications_to_the_watching_sessions()
    {
        var result = await new BenchRunner(Short(WorkloadKind.Watch)).RunAsync(CancellationToken.None);
        AssertClean(result);
        Assert.True(result.WatchEvents > 0, "no watch notification arrived");
    }

    [Fact]
    public async Task A_single_session_with_one_request_in_flight_works()
    {
        var result = await new BenchRunner(Short(WorkloadKind.Write, sessions: 1, window: 1)).RunAsync(CancellationToken.None);
        AssertClean(result);
    }

    [Fact]
    public async Task With_an_operation_budget_exactly_that_many_operations_are_measured()
    {
        var options = Short(WorkloadKind.Create) with { MaxOps = 2_000, Warmup = TimeSpan.Zero };
        var result = await new BenchRunner(options).RunAsync(CancellationToken.None);
        AssertClean(result);
        Assert.Equal(2_000, result.Issued);
    }

    [Fact]
    public async Task Progress_line_reports_while_the_run_goes_on()
    {
        var progress = new StringWriter();
        var options = Short(WorkloadKind.Read) with { Duration = TimeSpan.FromSeconds(1.5) };
        var result = await new BenchRunner(options, progress, TimeSpan.FromMilliseconds(200)).RunAsync(CancellationToken.None);
        AssertClean(result);
        Assert.Contains("ops/s", progress.ToString());
        Assert.Contains("p99", progress.ToString());
    }

    [Fact]
    public async Task Compare_against_a_running_server_samples_its_cpu_and_memory_and_writes_each_latency_distribution()
    {
        var server = RunningServer.ParseExternal($"zkactors={fixture.Server.ConnectString}@{fixture.Server.Pid}");
        var hgrmDir = Directory.CreateTempSubdirectory("zkbench-hgrm-").FullName;
        var options = new CompareOptions
        {
            HgrmDir = hgrmDir,
            Workloads = [new WorkloadSpec(WorkloadKind.Read, 2, 8)],
            Common = Short(WorkloadKind.Read) with { Duration = TimeSpan.FromSeconds(1) },
            MemoryZnodes = 1_000,
            MemorySettleTime = TimeSpan.FromMilliseconds(100),
            External = [server],
        };
        var report = await new CompareRunner(options, TextWriter.Null).RunAsync(CancellationToken.None);
        Assert.True(report.AllClean);
        var run = Assert.Single(Assert.Single(report.Workloads).Runs);
        Assert.NotNull(run.ServerCpuSPer100kOps);
        Assert.True(run.ServerRssBytes > 0);
        var memory = Assert.Single(report.Memory);
        Assert.Equal(1_000, memory.Populate.Completed);
        Assert.True(memory.RssAfterBytes > 0);
        Assert.Contains("zkactors", CompareTable.Render(report));
        // The distribution's last row is the 100th percentile with every measured request counted.
        var last = File.ReadAllLines(Path.Combine(hgrmDir, "standalone-zkactors-read-2x8.hgrm"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).Last().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("1.000000000000", last[1]);
        Assert.Equal(run.Result.Completed.ToString(System.Globalization.CultureInfo.InvariantCulture), last[2]);
        Directory.Delete(hgrmDir, recursive: true);
    }

    [Fact]
    public async Task Every_measured_latency_is_in_the_merged_histogram()
    {
        var result = await new BenchRunner(Short(WorkloadKind.Mixed)).RunAsync(CancellationToken.None);
        AssertClean(result);
        Assert.NotNull(result.LatencyHistogram);
        Assert.Equal(result.Completed, result.LatencyHistogram.TotalCount);
        Assert.True(result.LatencyUs.P50Us > 0 && result.LatencyUs.P50Us <= result.LatencyUs.P99Us && result.LatencyUs.P99Us <= result.LatencyUs.MaxUs);
    }

    private static void AssertClean(BenchResult result)
    {
        Assert.True(result.Issued > 0, "nothing was issued");
        Assert.Equal(result.Issued, result.Completed + result.Errors);
        Assert.True(result.Errors == 0, $"errors: {string.Join(", ", result.ErrorsByKind.Select(kv => $"{kv.Key}={kv.Value}"))}");
        Assert.Equal(result.Completed, result.LatencyUs.Count);
    }
}
