// The differential test: the same seeded random operations from three clients against Apache ZooKeeper 3.8 and
// against ZkActors, each its own process; every result, error, Stat field (but zxids and times), sorted child
// list and per-client watch event sequence must match. ZK_DIFF_SEED / ZK_DIFF_STEPS run other seeds and lengths.
using System.Globalization;
using Zk.Compat.Infrastructure;

namespace Zk.Compat.Differential;

public sealed class DifferentialFixture : PairFixture
{
    // extendedTypesEnabled for TTL nodes; a reaper interval longer than any run, so that no container or TTL
    // node disappears at a time that depends on the clock.
    protected override IReadOnlyDictionary<string, string> Config => new Dictionary<string, string>
    {
        ["extendedTypesEnabled"] = "true",
        ["znode.container.checkIntervalMs"] = "3600000",
        ["maxSessionTimeout"] = "60000",
    };
}

public sealed class DifferentialTests(DifferentialFixture servers, ITestOutputHelper output) : CompatTest(output), IClassFixture<DifferentialFixture>
{
    public static TheoryData<int> Seeds()
    {
        if (Environment.GetEnvironmentVariable("ZK_DIFF_SEED") is { Length: > 0 } s) return new TheoryData<int> { int.Parse(s, CultureInfo.InvariantCulture) };
        return new TheoryData<int> { 20251122, 7 };
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task The_same_random_operations_give_the_same_results_and_events_as_Apache_ZooKeeper(int seed)
    {
        Watch(servers.ZkActors);
        Watch(servers.Apache);
        var steps = int.Parse(Environment.GetEnvironmentVariable("ZK_DIFF_STEPS") ?? "3000", CultureInfo.InvariantCulture);
        var runs = await Task.WhenAll(
            DiffRunner.RunAsync(servers.Apache, seed, steps),
            DiffRunner.RunAsync(servers.ZkActors, seed, steps));
        if (Environment.GetEnvironmentVariable("ZK_DIFF_DUMP") is { Length: > 0 } dump)
        {
            await File.WriteAllLinesAsync(Path.Combine(dump, $"apache-{seed}.txt"), runs[0]);
            await File.WriteAllLinesAsync(Path.Combine(dump, $"zkactors-{seed}.txt"), runs[1]);
        }
        Output.WriteLine($"seed {seed}, {steps} steps, {runs[0].Count} transcript lines (apache {DiffRunner.Digest(runs[0])}, zkactors {DiffRunner.Digest(runs[1])})");

        // The workload must have reached the interesting cases, or equal transcripts prove little.
        var apache = string.Join('\n', runs[0]);
        foreach (var expected in new[] { "-> NodeExists", "-> NoNode", "-> BadVersion", "-> NotEmpty", "-> NoChildrenForEphemerals", "-> InvalidAcl", "-> NoAuth", "-> BadArguments", " event NodeCreated ", " event NodeDeleted ", " event NodeDataChanged ", " event NodeChildrenChanged ", "Error NoNode", "-> Ok {", "-> NoWatcher", "removeWatches" })
            Assert.True(apache.Contains(expected, StringComparison.Ordinal), $"the Apache run never produced '{expected}' (seed {seed})");

        TextDiff.AssertSame(runs[0], runs[1], $"apache (seed {seed})", $"zkactors (seed {seed})");
    }
}
