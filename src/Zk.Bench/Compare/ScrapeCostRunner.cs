// `zkbench scrape-cost`: what scraping /metrics every second costs a loaded ZkActors server. One standalone server with
// its admin port; each workload runs in pairs, once without a scraper and once with one, the order swapped every round
// so that a drift in the machine's load hits both sides alike. The report keeps every run; its figure is the median over
// the rounds of each pair's ratio. Sequential: one run at a time.
using Zk.Bench.Report;
using Zk.Bench.Runner;
using Zk.Bench.Workloads;

namespace Zk.Bench.Compare;

public sealed record ScrapeCostOptions
{
    public static readonly IReadOnlyList<WorkloadSpec> DefaultWorkloads =
        [new(WorkloadKind.Write, 8, 64), new(WorkloadKind.Read, 8, 64), new(WorkloadKind.Write, 1, 1)];

    public IReadOnlyList<WorkloadSpec> Workloads { get; init; } = DefaultWorkloads;

    /// <summary>Pairs (one run without, one with the scraper) per workload.</summary>
    public int Rounds { get; init; } = 5;

    public TimeSpan ScrapeInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The settings every run shares; Workload, Sessions, Window, ConnectString and ScrapeUrl are set per run.</summary>
    public BenchOptions Common { get; init; } = new();

    public LaunchSettings Launch { get; init; } = new();

    public string WorkRoot { get; init; } = Path.Combine(Path.GetTempPath(), "zkbench-scrape-cost");
}

/// <summary>One run of a pair: with the scraper or without, and the server's CPU over its measured phase.</summary>
public sealed record ScrapeCostRun(int Round, bool Scraping, BenchResult Result, double? ServerCpuSPer100kOps);

public sealed record ScrapeCostWorkload(string Workload, IReadOnlyList<ScrapeCostRun> Runs)
{
    public double? MedianOpsPerSWithout => Percentiles.Median(Side(false).Select(r => r.Result.OpsPerS));

    public double? MedianOpsPerSWith => Percentiles.Median(Side(true).Select(r => r.Result.OpsPerS));

    /// <summary>Each round's throughput with the scraper over without it.</summary>
    public IReadOnlyList<double> PairRatios =>
        [.. Side(false).Join(Side(true), r => r.Round, r => r.Round, (off, on) => on.Result.OpsPerS / off.Result.OpsPerS)];

    public double? MedianPairRatio => Percentiles.Median(PairRatios);

    public double? MedianCpuPer100kWithout => Percentiles.Median(Side(false).Select(r => r.ServerCpuSPer100kOps).OfType<double>());

    public double? MedianCpuPer100kWith => Percentiles.Median(Side(true).Select(r => r.ServerCpuSPer100kOps).OfType<double>());

    public long Scrapes => Side(true).Sum(r => r.Result.Scrapes?.Scrapes ?? 0);

    public long ScrapeFailures => Side(true).Sum(r => r.Result.Scrapes?.Failures ?? 0);

    private IEnumerable<ScrapeCostRun> Side(bool scraping) => Runs.Where(r => r.Scraping == scraping);
}

public sealed record ScrapeCostReport(MachineInfo Machine, double ScrapeIntervalS, double WarmupS, double DurationS, IReadOnlyList<ScrapeCostWorkload> Workloads)
{
    /// <summary>Every run counted what it issued and had no error, and every scrape succeeded.</summary>
    public bool AllClean => Workloads.All(w => w.ScrapeFailures == 0 && w.Runs.All(r => r.Result.CountsAddUp && r.Result.Errors == 0));
}

public sealed class ScrapeCostRunner(ScrapeCostOptions options, TextWriter log)
{
    public async Task<ScrapeCostReport> RunAsync(CancellationToken ct)
    {
        var loadAtStart = MachineInfo.LoadAverage();
        Directory.CreateDirectory(options.WorkRoot);
        await log.WriteLineAsync("starting ZkActors with its admin port …").ConfigureAwait(false);
        var server = await new ZkActorsLauncher().StartAsync(options.WorkRoot, options.Launch with { AdminServer = true }, ct).ConfigureAwait(false);
        await using (server.ConfigureAwait(false))
        {
            var metrics = new Uri($"http://127.0.0.1:{server.AdminPort}/metrics");
            await log.WriteLineAsync($"ZkActors serves on {server.ConnectString}, {metrics} (pid {server.Process?.Id})").ConfigureAwait(false);
            var workloads = new List<ScrapeCostWorkload>();
            foreach (var spec in options.Workloads)
            {
                var runs = new List<ScrapeCostRun>();
                for (var round = 1; round <= options.Rounds; round++)
                {
                    // Odd rounds run without the scraper first, even ones with it first.
                    foreach (var scraping in round % 2 == 1 ? new[] { false, true } : [true, false])
                        runs.Add(await RunAsync(server, spec, round, scraping ? metrics : null, ct).ConfigureAwait(false));
                }
                workloads.Add(new ScrapeCostWorkload(spec.Label, runs));
            }
            return new ScrapeCostReport(MachineInfo.Read(loadAtStart), options.ScrapeInterval.TotalSeconds, options.Common.Warmup.TotalSeconds,
                options.Common.Duration.TotalSeconds, workloads);
        }
    }

    private async Task<ScrapeCostRun> RunAsync(RunningServer server, WorkloadSpec spec, int round, Uri? scrape, CancellationToken ct)
    {
        var bench = options.Common with
        {
            ConnectString = server.ConnectString,
            Workload = spec.Kind,
            Sessions = spec.Sessions,
            Window = spec.Window,
            ScrapeUrl = scrape,
            ScrapeInterval = options.ScrapeInterval,
            RunTag = Guid.NewGuid().ToString("N")[..8],
        };
        var cpu = new CpuObserver(server.Pids);
        var result = await new BenchRunner(bench, observer: cpu).RunAsync(ct).ConfigureAwait(false);
        var cpuPer100k = cpu.ServerCpuS is { } s && result.Completed > 0 ? Math.Round(s * 100_000 / result.Completed, 3) : (double?)null;
        var scrapes = result.Scrapes is { } sc ? $"  scrapes {TableFormat.Scrapes(sc)}" : "";
        await log.WriteLineAsync($"{spec.Label,-14} round {round} {(scrape is null ? "without" : "with   ")} scraper  {TableFormat.Count(result.OpsPerS),10} ops/s  p99 {TableFormat.Latency(result.LatencyUs.P99Us)}  errors {result.Errors}{scrapes}").ConfigureAwait(false);
        return new ScrapeCostRun(round, scrape is not null, result, cpuPer100k);
    }
}
