// Election latency as a checked property in virtual time (zab.md §11, §13): after a clean kill of the leader of a
// stable ensemble on a LAN-like network (0.05–0.5 ms per message), a new leader is established quickly. Measured
// from the crash to the new leader's NEWLEADER quorum and to every survivor serving. Disks are instantaneous in the
// simulator, so these are protocol latencies: timeouts, round trips and waits, not fsync time.
using Xunit.Abstractions;
using Zk.Protocol;
using Zk.Protocol.Records;
using Zk.Simulation.Harness;

namespace Zk.Simulation;

public sealed class ElectionLatencyTests(ITestOutputHelper output)
{
    private const int Seeds = 200;
    private const double BoundMs = 200;

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void After_a_clean_leader_crash_a_new_leader_is_established_within_200_ms_at_p99(int voters)
    {
        var established = new List<double>();
        var serving = new List<double>();
        for (var seed = 1; seed <= Seeds; seed++)
        {
            var (e, s) = MeasureFailover(seed, voters);
            established.Add(e);
            serving.Add(s);
        }
        output.WriteLine($"{voters} voters, {Seeds} seeds: established p50 {P(established, 50):F2} ms, p99 {P(established, 99):F2} ms, max {established.Max():F2} ms; " +
            $"all serving p50 {P(serving, 50):F2} ms, p99 {P(serving, 99):F2} ms, max {serving.Max():F2} ms");
        Assert.True(P(established, 99) <= BoundMs, $"p99 election latency {P(established, 99):F1} ms exceeds {BoundMs} ms");
    }

    private static (double EstablishedMs, double ServingMs) MeasureFailover(int seed, int voters)
    {
        var c = new SimCluster(seed, voters);
        c.StartAll();
        Assert.True(c.RunUntilStable(TimeSpan.FromSeconds(10)), $"seed {seed}: no first leader");
        var client = new SimClient(c, c.Leader!.Id);
        Assert.True(c.RunUntil(() => client.Connected is not null, TimeSpan.FromSeconds(5)), $"seed {seed}: no session");
        for (var i = 0; i < 20; i++)
        {
            var r = client.Send(OpCode.Create, new CreateRequest($"/n{i}", [1], Acl.OpenAclUnsafe, 0));
            Assert.True(c.RunUntil(() => r.Done, TimeSpan.FromSeconds(5)) && r.Err == KeeperErrorCode.Ok, $"seed {seed}: write failed");
        }
        c.Sim.RunFor(TimeSpan.FromMilliseconds(50 + seed % 100));
        var old = c.Leader!.Id;
        long? establishedAt = null;
        c.Checker.OnEstablished = (_, _) => establishedAt ??= c.Sim.Time.GetTimestamp();
        var crashAt = c.Sim.Time.GetTimestamp();
        c.Crash(old);
        Assert.True(c.RunUntil(() => c.Leader is { } l && l.Id != old && c.IsStable(), TimeSpan.FromSeconds(10)), $"seed {seed}: no new leader");
        Assert.Empty(c.Checker.Violations);
        return (Ms(establishedAt!.Value - crashAt), Ms(c.Sim.Time.GetTimestamp() - crashAt));
    }

    private static double Ms(long ticks) => ticks / (double)TimeSpan.TicksPerMillisecond;

    private static double P(List<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }
}
