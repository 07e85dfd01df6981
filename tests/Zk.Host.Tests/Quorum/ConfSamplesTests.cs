// The zoo.cfg samples in conf/ load without warnings, and each pseudo-cluster gives every node its own client
// port, quorum and election ports and data directory, all on loopback.
using System.Globalization;
using Zk.Host.Config;

namespace Zk.Host.Tests.Quorum;

public sealed class ConfSamplesTests
{
    private static string ConfDir
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Zk.Actors.sln"))) return Path.Combine(dir.FullName, "conf");
            throw new DirectoryNotFoundException("no Zk.Actors.sln above " + AppContext.BaseDirectory);
        }
    }

    [Fact]
    public void The_standalone_sample_is_a_standalone_server_on_loopback()
    {
        var loaded = ServerConfigLoader.Parse(File.ReadAllText(Path.Combine(ConfDir, "zoo.cfg")), "zoo.cfg", _ => null);
        Assert.Empty(loaded.Warnings);
        Assert.False(loaded.Config.IsDistributed);
        Assert.Equal(new HostPort("127.0.0.1", 2181), loaded.Config.ClientAddress);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void Every_node_of_a_pseudo_cluster_has_its_own_ports_and_data(int nodes)
    {
        var configs = Enumerable.Range(1, nodes).Select(i =>
        {
            var path = Path.Combine(ConfDir, $"{nodes}-node", $"zoo{i}.cfg");
            var loaded = ServerConfigLoader.Parse(File.ReadAllText(path), path,
                p => Path.GetFileName(p) == "myid" ? i.ToString(CultureInfo.InvariantCulture) : null);
            Assert.Empty(loaded.Warnings);
            return loaded.Config;
        }).ToArray();

        Assert.All(configs, c => Assert.True(c.IsDistributed));
        Assert.All(configs, c => Assert.Equal(nodes, c.Voters.Count()));
        Assert.All(configs, c => Assert.Equal(configs[0].Servers.ToArray(), c.Servers.ToArray()));
        Assert.Equal(nodes, configs.Select(c => c.ClientAddress!.Port).Distinct().Count());
        Assert.Equal(nodes, configs.Select(c => c.DataDir).Distinct().Count());
        Assert.All(configs, c => Assert.Equal("127.0.0.1", c.ClientAddress!.Host));
        var serverPorts = configs[0].Servers.SelectMany(s => new[] { s.QuorumPort, s.ElectionPort }).ToArray();
        Assert.Equal(serverPorts.Length, serverPorts.Distinct().Count());
        Assert.Empty(serverPorts.Intersect(configs.Select(c => c.ClientAddress!.Port)));
        Assert.All(configs[0].Servers, s => Assert.Equal("127.0.0.1", s.Host));
    }
}
