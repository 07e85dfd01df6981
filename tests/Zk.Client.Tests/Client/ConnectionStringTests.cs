// Connect-string parsing, chroot mapping and the host order, without a server.
using Zk.Client.Internal;

namespace Zk.Client.Tests.Client;

public sealed class ConnectionStringTests
{
    [Fact]
    public void Hosts_ports_and_chroot_are_parsed_like_ZooKeeper()
    {
        var cs = ConnectionString.Parse("a:1, b ,[::1]:3,c:/app/x");

        Assert.Equal([new HostEndpoint("a", 1), new HostEndpoint("b", 2181), new HostEndpoint("::1", 3), new HostEndpoint("c", 2181)], cs.Hosts);
        Assert.Equal("/app/x", cs.Chroot);
        Assert.Null(ConnectionString.Parse("a:1/").Chroot);
        Assert.Throws<ArgumentException>(() => ConnectionString.Parse("a:1/bad/"));
    }

    [Fact]
    public void Chroot_maps_paths_both_ways_and_leaves_foreign_paths_alone()
    {
        var cs = ConnectionString.Parse("h/app");

        Assert.Equal("/app", cs.ToServerPath("/"));
        Assert.Equal("/app/a", cs.ToServerPath("/a"));
        Assert.Equal("/", cs.ToClientPath("/app"));
        Assert.Equal("/a", cs.ToClientPath("/app/a"));
        Assert.Equal("/apple", cs.ToClientPath("/apple"));
    }

    [Fact]
    public void Host_provider_visits_every_host_once_per_cycle_in_a_seeded_random_order()
    {
        var hosts = Enumerable.Range(1, 5).Select(i => new HostEndpoint("h", i)).ToList();
        var provider = new HostProvider(hosts, new Random(7));

        var firstCycle = Enumerable.Range(0, 5).Select(_ => provider.Next()).ToList();
        var (again, cycled) = provider.Next();

        Assert.Equal(hosts.ToHashSet(), firstCycle.Select(n => n.Host).ToHashSet());
        Assert.All(firstCycle, n => Assert.False(n.CycleCompleted));
        Assert.True(cycled);
        Assert.Equal(firstCycle[0].Host, again);
        Assert.Equal(firstCycle.Select(n => n.Host), new HostProvider(hosts, new Random(7)) is var p2
            ? Enumerable.Range(0, 5).Select(_ => p2.Next().Host) : []);
    }
}
