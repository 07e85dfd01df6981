// Counter roll-over (zab.md §1, §12.6, ZOOKEEPER-1277): a leader never proposes counter 0xffffffff of its epoch; it
// steps down and a new election starts a new epoch, without losing or reordering an acknowledged write. Leaders
// start their epochs at counter 0xfffffff0 through a test hook, so every epoch rolls over after a few writes.
using Zk.Protocol;
using Zk.Protocol.Records;
using Zk.Simulation.Harness;

namespace Zk.Simulation;

public sealed class RolloverTests
{
    private const uint FirstCounter = 0xfffffff0;

    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 3)]
    [InlineData(3, 5)]
    [InlineData(4, 5)]
    public void A_leader_whose_counter_runs_out_hands_over_to_a_new_epoch_without_losing_writes(int seed, int voters)
    {
        var c = new SimCluster(seed, voters, configure: o => o with { FirstZxidCounter = FirstCounter });
        c.StartAll();
        Assert.True(c.RunUntilStable(TimeSpan.FromSeconds(10)));
        var acked = new List<(string Path, long Zxid)>();
        SimClient? client = null;
        for (var i = 0; i < 60; i++)
        {
            if (client is null || client.Closed) client = Reconnect(c, client);
            var r = client.Send(OpCode.Create, new CreateRequest($"/n{i:D3}", [(byte)i], Acl.OpenAclUnsafe, 0));
            Assert.True(c.RunUntil(() => r.Done, TimeSpan.FromSeconds(10)), $"create /n{i:D3} got no reply");
            if (r.Err == KeeperErrorCode.Ok) acked.Add(($"/n{i:D3}", r.Zxid));
        }
        Assert.Empty(c.Checker.Violations);
        var epochs = acked.Select(a => new Zxid(a.Zxid).Epoch).Distinct().ToList();
        Assert.True(epochs.Count >= 3, $"writes spanned only epochs {string.Join(",", epochs)}");
        Assert.All(acked, a => Assert.NotEqual(uint.MaxValue, new Zxid(a.Zxid).Counter));
        Assert.DoesNotContain(c.Checker.Sequence, t => new Zxid(t.Zxid).Counter == uint.MaxValue);
        Assert.Equal(acked.Select(a => a.Zxid).Order(), acked.Select(a => a.Zxid));

        Assert.True(c.RunUntil(() => c.IsStable() && c.Checker.Converged(c.Live.Select(s => s.Id).ToList(), report: false), TimeSpan.FromSeconds(10)));
        c.Checker.Converged(c.Live.Select(s => s.Id).ToList(), report: true);
        Assert.Empty(c.Checker.Violations);
        var tree = c.Checker.TreeOf(c.Leader!.Id)!;
        foreach (var (path, zxid) in acked)
        {
            Assert.True(tree.TryGetStat(path, out var stat), $"{path} (acknowledged at 0x{zxid:x}) is missing");
            Assert.Equal(zxid, stat.Czxid);
        }
    }

    [Theory]
    [InlineData(11, 3)]
    [InlineData(12, 3)]
    [InlineData(13, 5)]
    [InlineData(14, 5)]
    public void Concurrent_writes_across_a_roll_over_are_never_applied_unless_committed(int seed, int voters)
    {
        var c = new SimCluster(seed, voters, configure: o => o with { FirstZxidCounter = FirstCounter });
        c.StartAll();
        Assert.True(c.RunUntilStable(TimeSpan.FromSeconds(10)));
        var clients = new SimClient?[4];
        var pending = new List<SimReply>();
        var acked = new List<long>();
        for (var round = 0; round < 30; round++)
        {
            for (var k = 0; k < clients.Length; k++)
            {
                if (clients[k] is null || clients[k]!.Closed) clients[k] = Reconnect(c, clients[k]);
                // Several writes in one batch: the counter runs out in the middle of a proposal batch.
                for (var j = 0; j < 3; j++)
                    pending.Add(clients[k]!.Send(OpCode.Create, new CreateRequest($"/c{k}-", null, Acl.OpenAclUnsafe, (int)CreateMode.PersistentSequential)));
            }
            Assert.True(c.RunUntil(() => pending.All(p => p.Done), TimeSpan.FromSeconds(10)), "writes got no reply");
            acked.AddRange(pending.Where(p => p.Err == KeeperErrorCode.Ok).Select(p => p.Zxid));
            pending.Clear();
            Assert.Empty(c.Checker.Violations);
        }
        Assert.True(acked.Select(z => new Zxid(z).Epoch).Distinct().Count() >= 3);
        Assert.True(c.RunUntil(() => c.IsStable() && c.Checker.Converged(c.Live.Select(s => s.Id).ToList(), report: false), TimeSpan.FromSeconds(10)));
        c.Checker.Converged(c.Live.Select(s => s.Id).ToList(), report: true);
        Assert.Empty(c.Checker.Violations);
    }

    private static SimClient Reconnect(SimCluster c, SimClient? previous)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            c.RunUntil(c.IsStable, TimeSpan.FromSeconds(5));
            var server = c.Live.ElementAt(attempt % c.Live.Count()).Id;
            var client = new SimClient(c, server, lastZxid: previous?.LastZxid ?? 0);
            if (c.RunUntil(() => client.Connected is not null || client.Closed, TimeSpan.FromSeconds(5)) && !client.Closed) return client;
        }
        throw new InvalidOperationException("no server accepted a session");
    }
}
