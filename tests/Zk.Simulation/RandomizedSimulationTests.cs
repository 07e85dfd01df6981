// The randomized fault-injecting simulation as tests. By default 1,000 seeds run in parallel on every core;
// ZK_SIM_SEEDS=N runs seeds 1..N and ZK_SIM_SEEDS=A-B a range; ZK_SIM_SEED=s replays one seed and prints its
// trace (ZK_SIM_TRACE=N keeps its last N events), and without it the replay runs seed 1, so it is always exercised.
// A failure names the seed and prints a compact trace.
using System.Collections.Concurrent;
using System.Globalization;
using Xunit.Abstractions;
using Zk.Simulation.Workload;

namespace Zk.Simulation;

public sealed class RandomizedSimulationTests(ITestOutputHelper output)
{
    private const int DefaultSeeds = 1000;

    private static (int From, int To) SeedRange()
    {
        var text = Environment.GetEnvironmentVariable("ZK_SIM_SEEDS");
        if (text is null) return (1, DefaultSeeds);
        var parts = text.Split('-');
        return parts.Length == 2
            ? (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture))
            : (1, int.Parse(text, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Every_seed_keeps_every_invariant_under_faults()
    {
        if (Environment.GetEnvironmentVariable("ZK_SIM_SEED") is not null) return;
        var (from, to) = SeedRange();
        var started = DateTime.UtcNow;
        var results = new ConcurrentBag<RunResult>();
        var wall = new ConcurrentBag<(int Seed, double Seconds)>();
        Parallel.For(from, to + 1, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, seed =>
        {
            var t = DateTime.UtcNow;
            results.Add(SimulationRun.Execute(seed));
            wall.Add((seed, (DateTime.UtcNow - t).TotalSeconds));
        });
        output.WriteLine("slowest seeds: " + string.Join(", ", wall.OrderByDescending(w => w.Seconds).Take(5).Select(w => $"{w.Seed} ({w.Seconds:F1} s)")));
        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        output.WriteLine($"{results.Count} seeds in {seconds:F1} s on {Environment.ProcessorCount} cores; per seed on average: " +
            $"{results.Average(r => r.Leaders):F1} leaders, {results.Average(r => r.Faults):F1} faults, {results.Average(r => r.Committed):F0} committed txns, " +
            $"{results.Average(r => r.Ops):F0} client ops, {results.Average(r => r.Steps):F0} actor steps, {results.Average(r => r.VirtualMs):F0} virtual ms; " +
            $"syncs in all: {results.Sum(r => r.Diffs)} DIFF, {results.Sum(r => r.Truncs)} TRUNC, {results.Sum(r => r.Snaps)} SNAP");
        var healed = results.Where(r => r.HealedToStableMs >= 0).Select(r => r.HealedToStableMs).Order().ToList();
        if (healed.Count > 0)
            output.WriteLine($"healed to stable: p50 {healed[healed.Count / 2]} ms, p99 {healed[(int)(healed.Count * 0.99)]} ms, max {healed[^1]} ms");
        var failed = results.Where(r => !r.Ok).OrderBy(r => r.Seed).ToList();
        foreach (var f in failed) output.WriteLine($"seed {f.Seed}: {f.Violations[0]}");
        Assert.True(failed.Count == 0,
            failed.Count == 0 ? "" : $"{failed.Count} of {results.Count} seeds failed: {string.Join(", ", failed.Select(f => f.Seed))}\n{failed[0].Report()}");
    }

    [Fact]
    public void A_replayed_seed_reports_its_run()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ZK_SIM_SEED"), out var given) ? given : 1;
        var r = SimulationRun.Execute(seed);
        output.WriteLine($"seed {seed} ({r.Shape}): {r.Steps} steps, {r.VirtualMs} virtual ms, {r.Proposals} proposals, {r.Committed} committed, " +
            $"{r.Leaders} leaders, {r.Faults} faults, {r.Ops} client ops, trace hash {r.TraceHash:x}");
        Assert.True(r.Ok, r.Report());
    }
}
