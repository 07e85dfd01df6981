// `zkbench compare`: runs the same workloads against every server in one run, alternating servers per workload so
// that background load hits them alike, then the memory workload on a fresh instance of each; standalone servers,
// ensembles or both in turn, then the fail-over rounds on a fresh ensemble of each kind. Sequential.
using Zk.Bench.Metrics;
using Zk.Bench.Report;
using Zk.Bench.Runner;
using Zk.Bench.Workloads;

namespace Zk.Bench.Compare;

/// <summary>A workload at a given concurrency, written NAME-SESSIONSxWINDOW (read-8x64, write-1x1, ephemeral-churn-8x1).</summary>
public sealed record WorkloadSpec(WorkloadKind Kind, int Sessions, int Window)
{
    public static readonly IReadOnlyList<WorkloadSpec> Default =
    [
        new(WorkloadKind.Read, 8, 64), new(WorkloadKind.Write, 8, 64), new(WorkloadKind.Read, 1, 1), new(WorkloadKind.Write, 1, 1),
    ];

    public string Label => $"{Kind.Name()} {Sessions}x{Window}";

    public static WorkloadSpec Parse(string text)
    {
        var dash = text.LastIndexOf('-');
        var x = dash < 0 ? -1 : text.IndexOf('x', dash);
        if (dash <= 0 || x < 0 || !Workloads.Workloads.TryParse(text[..dash], out var kind)
            || !int.TryParse(text.AsSpan(dash + 1, x - dash - 1), out var sessions) || !int.TryParse(text.AsSpan(x + 1), out var window))
            throw new ArgumentException($"'{text}' is not WORKLOAD-SESSIONSxWINDOW, e.g. read-8x64 (workloads: {string.Join(", ", Workloads.Workloads.All.Select(k => k.Name()))})");
        return new WorkloadSpec(kind, sessions, window);
    }
}

/// <summary>How the started servers run: one process each, or an ensemble of several on loopback.</summary>
public enum CompareMode
{
    Standalone,
    Ensemble,
}

public sealed record CompareOptions
{
    /// <summary>Run in this order, each with fresh servers; ignored for external servers.</summary>
    public IReadOnlyList<CompareMode> Modes { get; init; } = [CompareMode.Standalone];

    public int EnsembleMembers { get; init; } = 3;

    /// <summary>Fail-over rounds per server kind when the modes include ensembles; 0 skips them.</summary>
    public int FailoverRounds { get; init; } = 20;

    public IReadOnlyList<WorkloadSpec> Workloads { get; init; } = WorkloadSpec.Default;

    /// <summary>The settings every workload shares; Workload, Sessions, Window and ConnectString are set per run.</summary>
    public BenchOptions Common { get; init; } = new();

    /// <summary>0 skips the memory workload.</summary>
    public int MemoryZnodes { get; init; } = 1_000_000;

    public int MemoryPayloadBytes { get; init; } = 100;

    /// <summary>Pause before each memory reading, so the server finishes what the load left behind (e.g. snapshots).</summary>
    public TimeSpan MemorySettleTime { get; init; } = TimeSpan.FromSeconds(3);

    public LaunchSettings Launch { get; init; } = new();

    /// <summary>Servers already running (NAME=connect@pids); when empty, ZooKeeper and ZkActors are started here.</summary>
    public IReadOnlyList<RunningServer> External { get; init; } = [];

    public string WorkRoot { get; init; } = Path.Combine(Path.GetTempPath(), "zkbench-compare");

    /// <summary>Where each run's .hgrm percentile distribution goes; null writes none.</summary>
    public string? HgrmDir { get; init; }
}

public sealed class CompareRunner(CompareOptions options, TextWriter log)
{
    public async Task<CompareReport> RunAsync(CancellationToken ct)
    {
        var loadAtStart = MachineInfo.LoadAverage();
        var comparisons = new List<WorkloadComparison>();
        var memory = new List<MemoryRun>();
        var failover = new List<FailoverRun>();
        IReadOnlyList<string> names;
        if (options.External.Count > 0)
        {
            names = options.External.Select(s => s.Name).ToList();
            await RunWorkloadsAsync(options.External, comparisons, ct).ConfigureAwait(false);
            if (options.MemoryZnodes > 0)
                foreach (var server in options.External) memory.Add(await RunMemoryAsync(server, ct).ConfigureAwait(false));
        }
        else
        {
            var launchers = ServerLauncher.Standalone();
            names = launchers.Select(l => l.Name).ToList();
            Directory.CreateDirectory(options.WorkRoot);
            await log.WriteLineAsync($"both servers: {ServerLauncher.SettingsSummary(options.Launch.TickTimeMs)}").ConfigureAwait(false);
            foreach (var mode in options.Modes)
                await RunModeAsync(launchers, mode == CompareMode.Standalone ? 1 : options.EnsembleMembers, comparisons, memory, ct).ConfigureAwait(false);
            if (options.Modes.Contains(CompareMode.Ensemble) && options.FailoverRounds > 0)
            {
                var runner = new FailoverRunner(new FailoverOptions { Rounds = options.FailoverRounds, Members = options.EnsembleMembers }, log);
                foreach (var launcher in launchers)
                    failover.Add(await runner.RunAsync(launcher, options.Launch, options.WorkRoot, ct).ConfigureAwait(false));
            }
        }
        return new CompareReport(MachineInfo.Read(loadAtStart), names, options.Common.Warmup.TotalSeconds,
            options.Common.Duration.TotalSeconds, options.Common.PayloadBytes, options.Common.Znodes, comparisons, memory)
        {
            ServerSettings = options.External.Count > 0 ? null : ServerLauncher.SettingsSummary(options.Launch.TickTimeMs),
            Failover = failover,
        };
    }

    // Every workload on one set of servers started for this mode, then the memory workload on fresh ones.
    private async Task RunModeAsync(IReadOnlyList<ServerLauncher> launchers, int members, List<WorkloadComparison> comparisons,
        List<MemoryRun> memory, CancellationToken ct)
    {
        if (options.Workloads.Count > 0)
        {
            var servers = await StartAllAsync(launchers, members, ct).ConfigureAwait(false);
            try
            {
                await RunWorkloadsAsync(servers, comparisons, ct).ConfigureAwait(false);
            }
            finally
            {
                await StopAllAsync(servers).ConfigureAwait(false);
            }
        }
        if (options.MemoryZnodes > 0)
            foreach (var launcher in launchers) memory.Add(await RunMemoryOnFreshAsync(launcher, members, ct).ConfigureAwait(false));
    }

    private async Task RunWorkloadsAsync(IReadOnlyList<RunningServer> servers, List<WorkloadComparison> comparisons, CancellationToken ct)
    {
        foreach (var spec in options.Workloads)
        {
            var runs = new List<ServerRun>();
            foreach (var server in servers) runs.Add(await RunWorkloadAsync(server, spec, ct).ConfigureAwait(false));
            comparisons.Add(new WorkloadComparison(spec.Label, runs) { Members = servers[0].Members });
        }
    }

    private async Task<List<RunningServer>> StartAllAsync(IReadOnlyList<ServerLauncher> launchers, int members, CancellationToken ct)
    {
        var started = new List<RunningServer>();
        try
        {
            foreach (var launcher in launchers)
            {
                started.Add(await StartAsync(launcher, members, "", ct).ConfigureAwait(false));
            }
            return started;
        }
        catch
        {
            await StopAllAsync(started).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<RunningServer> StartAsync(ServerLauncher launcher, int members, string purpose, CancellationToken ct)
    {
        var what = members > 1 ? $"a {members}-node {launcher.Name} ensemble" : launcher.Name;
        await log.WriteLineAsync($"starting {what}{purpose} …").ConfigureAwait(false);
        var server = members > 1
            ? await launcher.StartEnsembleAsync(options.WorkRoot, options.Launch, members, ct).ConfigureAwait(false)
            : await launcher.StartAsync(options.WorkRoot, options.Launch, ct).ConfigureAwait(false);
        await log.WriteLineAsync($"{server.Name} serves on {server.ConnectString} (pid {string.Join(',', server.Pids)}, dir {server.WorkDir})").ConfigureAwait(false);
        return server;
    }

    private static async Task StopAllAsync(IEnumerable<RunningServer> servers)
    {
        foreach (var s in servers) await s.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<ServerRun> RunWorkloadAsync(RunningServer server, WorkloadSpec spec, CancellationToken ct)
    {
        var bench = options.Common with
        {
            ConnectString = server.ConnectString,
            Workload = spec.Kind,
            Sessions = spec.Sessions,
            Window = spec.Window,
            RunTag = Guid.NewGuid().ToString("N")[..8],
        };
        var cpu = new CpuObserver(server.Pids);
        var runner = new BenchRunner(bench, log, TimeSpan.FromSeconds(5), cpu);
        var result = await runner.RunAsync(ct).ConfigureAwait(false);
        await log.WriteLineAsync($"{server.Name,-14} {spec.Label,-22} {TableFormat.Count(result.OpsPerS),10} ops/s  p50 {TableFormat.Latency(result.LatencyUs.P50Us)}  p99 {TableFormat.Latency(result.LatencyUs.P99Us)}  errors {result.Errors}").ConfigureAwait(false);
        if (options.HgrmDir is { } dir && result.LatencyHistogram is { } latency)
        {
            Directory.CreateDirectory(dir);
            var mode = server.Members > 1 ? $"{server.Members}-node" : "standalone";
            await Latency.WriteHgrmFileAsync(latency, Path.Combine(dir, HgrmFileName(mode, server.Name, spec.Label)), ct).ConfigureAwait(false);
        }
        var per100k = result.Completed > 0 ? 100_000.0 / result.Completed : (double?)null;
        return new ServerRun(server.Name, result, Round(cpu.ServerCpuS), Round(cpu.ServerCpuS * per100k), cpu.ServerRssBytes,
            Round(cpu.ClientCpuS * (per100k ?? 0)) ?? 0);
    }

    private async Task<MemoryRun> RunMemoryOnFreshAsync(ServerLauncher launcher, int members, CancellationToken ct)
    {
        var server = await StartAsync(launcher, members, " for the memory workload", ct).ConfigureAwait(false);
        await using (server.ConfigureAwait(false))
        {
            return await RunMemoryAsync(server, ct).ConfigureAwait(false);
        }
    }

    // RSS is read before the forced GC (what an operator sees after the load), the heap after it (what is live).
    private async Task<MemoryRun> RunMemoryAsync(RunningServer server, CancellationToken ct)
    {
        var n = options.MemoryZnodes;
        await Task.Delay(options.MemorySettleTime, ct).ConfigureAwait(false);
        var heapBefore = server.Launcher is null ? null : await server.Launcher.HeapBytesAfterGcAsync(server, ct).ConfigureAwait(false);
        var rssBefore = ProcessProbe.RssBytes(server.Pids);
        var bench = options.Common with
        {
            ConnectString = server.ConnectString,
            Workload = WorkloadKind.Create,
            Sessions = 8,
            Window = 64,
            PayloadBytes = options.MemoryPayloadBytes,
            Warmup = TimeSpan.Zero,
            MaxOps = n,
            DrainTimeout = TimeSpan.FromMinutes(2),
        };
        var populate = await new BenchRunner(bench, log, TimeSpan.FromSeconds(5)).RunAsync(ct).ConfigureAwait(false);
        await Task.Delay(options.MemorySettleTime, ct).ConfigureAwait(false);
        var rssAfter = ProcessProbe.RssBytes(server.Pids);
        var heapAfter = server.Launcher is null ? null : await server.Launcher.HeapBytesAfterGcAsync(server, ct).ConfigureAwait(false);
        var created = Math.Max(1, populate.Completed);
        await log.WriteLineAsync($"{server.Name,-14} memory: {TableFormat.Count(created)} znodes, RSS {Show(rssBefore)} -> {Show(rssAfter)}, heap {Show(heapBefore)} -> {Show(heapAfter)}").ConfigureAwait(false);
        return new MemoryRun(server.Name, n, options.MemoryPayloadBytes, rssBefore, rssAfter,
            PerZnode(rssBefore, rssAfter, created), heapBefore, heapAfter, PerZnode(heapBefore, heapAfter, created), populate)
        {
            Members = server.Members,
        };
    }

    /// <summary>"standalone", "ZkActors", "write 8x64" → standalone-zkactors-write-8x64.hgrm.</summary>
    public static string HgrmFileName(string mode, string server, string workload) =>
        string.Join('-', new[] { mode, server, workload }.Select(p => p.ToLowerInvariant().Replace(' ', '-'))) + ".hgrm";

    private static double? PerZnode(long? before, long? after, long znodes) =>
        before is null || after is null ? null : Math.Round((after.Value - before.Value) / (double)znodes, 1);

    private static double? Round(double? v) => v is null ? null : Math.Round(v.Value, 3);

    private static string Show(long? bytes) => bytes is null ? "?" : TableFormat.Bytes(bytes.Value);
}
