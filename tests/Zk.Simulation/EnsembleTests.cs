// Whole ensembles on the deterministic simulator: election, replication through followers, leader failover
// without losing an acknowledged write; the cluster checker watches every step of each.
using Zk.Actors.Server;
using Zk.Protocol;
using Zk.Protocol.Records;
using Zk.Simulation.Harness;
using Zk.Core.Storage;

namespace Zk.Simulation;

public sealed class EnsembleTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    private static SimClient Connect(SimCluster c, int server)
    {
        var client = new SimClient(c, server);
        Assert.True(c.RunUntil(() => client.Connected is not null || client.Closed, Long), "handshake did not complete");
        Assert.NotNull(client.Connected);
        Assert.True(client.Connected!.TimeoutMs > 0);
        return client;
    }

    private static SimReply Do(SimCluster c, SimClient client, OpCode op, Request body)
    {
        var r = client.Send(op, body);
        Assert.True(c.RunUntil(() => r.Done, Long), $"{op} got no reply");
        return r;
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 3)]
    [InlineData(3, 5)]
    public void A_fresh_ensemble_elects_one_leader_and_all_servers_serve(int seed, int size)
    {
        var c = new SimCluster(seed, size);
        c.StartAll();
        Assert.True(c.RunUntilStable(Long), "ensemble did not stabilise");
        Assert.Single(c.Live, s => s.Mode == ServerMode.Leader);
        Assert.Equal(size - 1, c.Live.Count(s => s.Mode == ServerMode.Follower));
        Assert.All(c.Live, s => Assert.Equal(1, s.Node!.State.Epoch));
        Assert.Empty(c.Checker.Violations);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void A_write_through_a_follower_is_visible_on_every_server(int seed)
    {
        var c = new SimCluster(seed, 3);
        c.StartAll();
        Assert.True(c.RunUntilStable(Long));
        var follower = c.Live.First(s => s.Mode == ServerMode.Follower).Id;
        var client = Connect(c, follower);
        var create = Do(c, client, OpCode.Create, new CreateRequest("/a", [1, 2, 3], Acl.OpenAclUnsafe, 0));
        Assert.Equal(KeeperErrorCode.Ok, create.Err);
        foreach (var s in c.Live)
        {
            var reader = Connect(c, s.Id);
            Do(c, reader, OpCode.Sync, new SyncRequest("/a"));
            var get = Do(c, reader, OpCode.GetData, new GetDataRequest("/a", false));
            Assert.Equal(KeeperErrorCode.Ok, get.Err);
            Assert.Equal(new byte[] { 1, 2, 3 }, ((GetDataResponse)get.Body!).Data);
        }
        Assert.Empty(c.Checker.Violations);
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    public void After_the_leader_crashes_a_new_leader_has_every_acknowledged_write(int seed)
    {
        var c = new SimCluster(seed, 3);
        c.StartAll();
        Assert.True(c.RunUntilStable(Long));
        var oldLeader = c.Leader!.Id;
        var follower = c.Live.First(s => s.Mode == ServerMode.Follower).Id;
        var client = Connect(c, follower);
        var acked = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var r = Do(c, client, OpCode.Create, new CreateRequest($"/n{i}", null, Acl.OpenAclUnsafe, 0));
            if (r.Err == KeeperErrorCode.Ok) acked.Add($"/n{i}");
        }
        Assert.Equal(20, acked.Count);
        c.Crash(oldLeader);
        Assert.True(c.RunUntil(() => c.Leader is { } l && l.Id != oldLeader && c.Live.All(s => s.Serving), Long), "no new leader");
        var survivor = c.Live.First().Id;
        var reader = Connect(c, survivor);
        foreach (var path in acked)
            Assert.Equal(KeeperErrorCode.Ok, Do(c, reader, OpCode.Exists, new ExistsRequest(path, false)).Err);
        c.Start(oldLeader);
        Assert.True(c.RunUntilStable(Long), "old leader did not rejoin");
        var back = Connect(c, oldLeader);
        Do(c, back, OpCode.Sync, new SyncRequest("/"));
        var children = Do(c, back, OpCode.GetChildren, new GetChildrenRequest("/", false));
        Assert.Equal(21, ((GetChildrenResponse)children.Body!).Children.Count);
        Assert.Empty(c.Checker.Violations);
    }
}
