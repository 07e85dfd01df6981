// A simulation is a function of its seed: the same seed schedules every actor step, timer and fault identically,
// so a failure replays exactly (the trace hash covers every step's actor and virtual time, and every event).
using Zk.Simulation.Workload;

namespace Zk.Simulation;

public sealed class DeterminismTests
{
    [Theory]
    [InlineData(7)]
    [InlineData(42)]
    [InlineData(1234)]
    public void The_same_seed_gives_the_same_trace_twice(int seed)
    {
        var first = SimulationRun.Execute(seed);
        var second = SimulationRun.Execute(seed);
        Assert.True(first.Ok, first.Report());
        Assert.Equal(first.TraceHash, second.TraceHash);
        Assert.Equal(first.Steps, second.Steps);
        Assert.Equal(first.VirtualMs, second.VirtualMs);
        Assert.Equal(first.Committed, second.Committed);
        Assert.Equal(first.Ops, second.Ops);
    }

    [Fact]
    public void Runs_in_parallel_threads_do_not_disturb_each_other()
    {
        var seeds = Enumerable.Range(500, 40).ToList();
        var sequential = seeds.Select(s => SimulationRun.Execute(s).TraceHash).ToList();
        var parallel = new ulong[seeds.Count];
        Parallel.For(0, seeds.Count, i => parallel[i] = SimulationRun.Execute(seeds[i]).TraceHash);
        Assert.Equal(sequential, parallel);
    }

    [Fact]
    public void Different_seeds_give_different_runs()
    {
        var hashes = Enumerable.Range(100, 5).Select(s => SimulationRun.Execute(s).TraceHash).ToList();
        Assert.Equal(hashes.Count, hashes.Distinct().Count());
    }
}
