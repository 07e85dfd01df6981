// The reference the ensemble tests hold ZkActors to: Apache ZooKeeper 3.8 started as a 3-server ensemble by the
// same launcher (QuorumPeerMain, loopback ports, a myid per member) elects one leader, replicates a write from one
// member to another, and elects a new leader when the old one is killed with SIGKILL, keeping the write.
namespace Zk.Compat.Ensemble;

[Collection(EnsembleCollection.Name)]
public sealed class ApacheEnsembleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Three_Apache_servers_elect_one_leader_replicate_a_write_and_survive_the_leaders_death()
    {
        await using var ensemble = await ProcessEnsemble.StartAsync(voters: 3, members: ProcessEnsemble.Apache);
        try
        {
            var leader = await ensemble.LeaderAsync();
            var followers = ensemble.Voters.Where(id => id != leader).ToList();
            Assert.Equal(["follower", "follower"], await Task.WhenAll(followers.Select(async id => (await ensemble.RoleAsync(id))!.Mode)));

            await using (var writer = await KazooAgent.ConnectAsync(ensemble[followers[0]].ConnectString))
                await writer.OkAsync(new { op = "create", path = "/replicated", data = "from a follower" });
            await ensemble.KillAsync(leader);
            var next = await ensemble.LeaderAsync(TimeSpan.FromSeconds(60));

            Assert.NotEqual(leader, next);
            await using var reader = await KazooAgent.ConnectAsync(ensemble[followers[1]].ConnectString);
            await reader.OkAsync(new { op = "sync", path = "/" });
            Assert.Equal("from a follower", (await reader.OkAsync(new { op = "get", path = "/replicated" })).GetProperty("data").GetString());
        }
        finally
        {
            ensemble.WriteLogsTo(output);
        }
    }
}
