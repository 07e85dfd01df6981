// The randomized fault-injecting simulation as tests. Every run checks seeds 1–1,000 (the same each time, so a
// regression shows at once) and, in a second test class that xunit runs in parallel with the first, a block of
// 1,000 fresh seeds drawn at random and printed, so coverage accumulates from run to run. ZK_SIM_SEEDS=N runs seeds
// 1..N and ZK_SIM_SEEDS=A-B a range, instead of both blocks; ZK_SIM_EXPLORE=S makes the fresh block S..S+999 (0
// leaves it out); ZK_SIM_SEED=s replays one seed and prints its trace (ZK_SIM_TRACE=N keeps its last N events), and
// without it the replay runs seed 1, so it is always exercised. A failure names each seed with its replay command.
using System.Globalization;
using Xunit.Abstractions;
using Zk.Simulation.Workload;

namespace Zk.Simulation;

public sealed class RandomizedSimulationTests(ITestOutputHelper output)
{
    private const int DefaultSeeds = 1000;

    internal static (int From, int To)? ChosenSeeds()
    {
        var text = Environment.GetEnvironmentVariable("ZK_SIM_SEEDS");
        if (string.IsNullOrEmpty(text)) return null;
        var parts = text.Split('-');
        return parts.Length == 2
            ? (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture))
            : (1, int.Parse(text, CultureInfo.InvariantCulture));
    }

    internal static bool Replaying => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ZK_SIM_SEED"));

    [Fact]
    public void Every_seed_keeps_every_invariant_under_faults()
    {
        if (Replaying) return;
        var (from, to) = ChosenSeeds() ?? (1, DefaultSeeds);
        SeedBlock.RunAndAssert(from, to, output);
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

/// <summary>The second block: 1,000 seeds no earlier run is likely to have tried (blocks of 1,000 from 1,001 up to
/// about 2e9, one drawn per run; test.sh draws it and prints it in the CI log). A separate class, so xunit runs it
/// alongside seeds 1–1,000.</summary>
public sealed class FreshSeedSimulationTests(ITestOutputHelper output)
{
    private const int BlockSeeds = 1000;

    [Fact]
    public void A_fresh_block_of_seeds_keeps_every_invariant_under_faults()
    {
        // A chosen range or a replay is the whole run: no fresh block beside it.
        if (RandomizedSimulationTests.Replaying || RandomizedSimulationTests.ChosenSeeds() is not null) return;
        var text = Environment.GetEnvironmentVariable("ZK_SIM_EXPLORE");
        var from = string.IsNullOrEmpty(text) ? BlockSeeds * Random.Shared.Next(1, 2_000_000) + 1 : int.Parse(text, CultureInfo.InvariantCulture);
        if (from <= 0) return;
        output.WriteLine($"fresh seeds {from}-{from + BlockSeeds - 1}; ZK_SIM_EXPLORE={from} runs this block again");
        SeedBlock.RunAndAssert(from, from + BlockSeeds - 1, output);
    }
}
