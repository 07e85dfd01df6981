// Runs a block of simulation seeds on every core and reports it: throughput, what the faults exercised, the
// slowest seeds, and each failing seed with the command that replays it. With ZK_SIM_REPORT=file it also appends
// one tab-separated line per seed as it finishes (seed, ok, wall ms, actor steps, virtual ms, first violation),
// which scripts/sim-soak.sh merges into its summary. Thread-safe: seeds run in parallel, each on its own cluster.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Zk.Simulation.Workload;

internal static class SeedBlock
{
    private static readonly Lock ReportLock = new();

    public static string ReplayCommand(int seed) =>
        $"ZK_SIM_SEED={seed} dotnet test tests/Zk.Simulation -c Release --filter FullyQualifiedName~A_replayed_seed_reports_its_run";

    /// <summary>Runs seeds <paramref name="from"/>..<paramref name="to"/> and fails with every failing seed, each
    /// with its replay command, and the full report of the first.</summary>
    public static void RunAndAssert(int from, int to, ITestOutputHelper output)
    {
        var started = Stopwatch.StartNew();
        var results = new ConcurrentBag<(RunResult Result, double Seconds)>();
        using var report = OpenReport();
        Parallel.For(from, (long)to + 1, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, s =>
        {
            var seed = (int)s;
            var wall = Stopwatch.StartNew();
            var r = SimulationRun.Execute(seed);
            results.Add((r, wall.Elapsed.TotalSeconds));
            if (report is not null) Append(report, r, wall.Elapsed.TotalMilliseconds);
        });
        var runs = results.Select(x => x.Result).ToList();
        output.WriteLine($"seeds {from}-{to}: {runs.Count} in {started.Elapsed.TotalSeconds:F1} s on {Environment.ProcessorCount} cores " +
            $"({runs.Count * 60 / Math.Max(0.001, started.Elapsed.TotalSeconds):F0} seeds/min)");
        output.WriteLine("slowest seeds: " + string.Join(", ", results.OrderByDescending(x => x.Seconds).Take(5).Select(x => $"{x.Result.Seed} ({x.Seconds:F1} s)")));
        output.WriteLine($"per seed on average: {runs.Average(r => r.Leaders):F1} leaders, {runs.Average(r => r.Faults):F1} faults, " +
            $"{runs.Average(r => r.Committed):F0} committed txns, {runs.Average(r => r.Ops):F0} client ops, {runs.Average(r => r.Steps):F0} actor steps, " +
            $"{runs.Average(r => r.VirtualMs):F0} virtual ms; syncs in all: {runs.Sum(r => r.Diffs)} DIFF, {runs.Sum(r => r.Truncs)} TRUNC, {runs.Sum(r => r.Snaps)} SNAP");
        var healed = runs.Where(r => r.HealedToStableMs >= 0).Select(r => r.HealedToStableMs).Order().ToList();
        if (healed.Count > 0)
            output.WriteLine($"healed to stable: p50 {healed[healed.Count / 2]} ms, p99 {healed[(int)(healed.Count * 0.99)]} ms, max {healed[^1]} ms");
        var failed = runs.Where(r => !r.Ok).OrderBy(r => r.Seed).ToList();
        var lines = failed.Select(f => $"seed {f.Seed}: {f.Violations[0]}\n  replay: {ReplayCommand(f.Seed)}").ToList();
        foreach (var line in lines) output.WriteLine(line);
        Assert.True(failed.Count == 0,
            failed.Count == 0 ? "" : $"{failed.Count} of {runs.Count} seeds failed:\n{string.Join("\n", lines)}\n\n{failed[0].Report()}");
    }

    private static StreamWriter? OpenReport()
    {
        var path = Environment.GetEnvironmentVariable("ZK_SIM_REPORT");
        return string.IsNullOrEmpty(path) ? null : new StreamWriter(path, append: true) { AutoFlush = true };
    }

    private static void Append(StreamWriter report, RunResult r, double wallMs)
    {
        var violation = r.Ok ? "" : r.Violations[0].ReplaceLineEndings(" ").Replace('\t', ' ');
        var line = string.Join('\t', r.Seed.ToString(CultureInfo.InvariantCulture), r.Ok ? "1" : "0",
            wallMs.ToString("F0", CultureInfo.InvariantCulture), r.Steps.ToString(CultureInfo.InvariantCulture),
            r.VirtualMs.ToString(CultureInfo.InvariantCulture), violation);
        lock (ReportLock) report.WriteLine(line);
    }
}
