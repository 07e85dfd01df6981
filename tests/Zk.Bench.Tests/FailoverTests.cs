// The fail-over measurement against a real 3-node ZkActors ensemble: one round kills the leader, times the first
// acknowledged write of a client on a follower, restarts the killed member and leaves all three serving again.
// No assertion on how long it takes.
using Zk.Bench.Compare;

namespace Zk.Bench.Tests;

public class FailoverTests
{
    [Fact]
    public async Task One_round_kills_the_leader_times_the_first_write_and_restores_three_serving_members()
    {
        var workRoot = Directory.CreateTempSubdirectory("zkbench-failover-").FullName;
        try
        {
            var settings = new LaunchSettings { ZkActorsDll = TestPaths.ZkActorsDll, TickTimeMs = 500 };
            var server = await new ZkActorsLauncher().StartEnsembleAsync(workRoot, settings, 3, CancellationToken.None);
            await using (server)
            {
                var leaderBefore = await EnsembleProbe.WaitUntilAllServeAsync(server, TimeSpan.FromSeconds(30), CancellationToken.None);
                var killedPid = server.Pids[leaderBefore];
                var runner = new FailoverRunner(new FailoverOptions { Rounds = 1 }, TextWriter.Null);

                var round = await runner.RunRoundAsync(server, settings, 1, CancellationToken.None);

                Assert.Equal(1, round.Round);
                Assert.Equal(leaderBefore + 1, round.KilledMyId);
                Assert.NotEqual(round.KilledMyId, round.ClientMyId);
                Assert.NotEqual(round.KilledMyId, round.AcknowledgedByMyId);
                Assert.True(round.FailoverMs > 0, $"fail-over took {round.FailoverMs} ms");
                Assert.True(round.Attempts >= 1);
                Assert.False(Directory.Exists($"/proc/{killedPid}"), "the killed leader still runs");
                Assert.NotEqual(killedPid, server.Pids[leaderBefore]);
                var modes = await EnsembleProbe.ModesAsync(server.Endpoints, CancellationToken.None);
                Assert.All(modes, m => Assert.Contains(m, new[] { "leader", "follower" }));
                Assert.NotNull(EnsembleProbe.StableLeader(modes));
            }
        }
        finally
        {
            TestPaths.TryDelete(workRoot);
        }
    }
}
