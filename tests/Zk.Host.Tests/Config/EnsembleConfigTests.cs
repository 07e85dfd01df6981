// Server lines, myid, dynamic config files and the cross-checks ZooKeeper makes on an ensemble.
using Zk.Host.Config;
using static Zk.Host.Tests.Config.ConfigTestSupport;

namespace Zk.Host.Tests.Config;

public sealed class EnsembleConfigTests
{
    [Fact]
    public void Three_server_lines_and_a_myid_make_an_ensemble_member()
    {
        var loaded = Load(ThreeServers, MyId(2));
        var config = loaded.Config;
        Assert.True(config.IsDistributed);
        Assert.Equal([1L, 2L, 3L], config.Servers.Select(s => s.Id));
        Assert.Equal(2, config.MyId);
        Assert.Equal(new QuorumServer(2, "zk2", 2888, 3888, PeerType.Participant, null, null), config.Self);
        Assert.Equal(new HostPort("", 2181), config.ClientAddress);
        Assert.Empty(loaded.Warnings);
    }

    [Fact]
    public void Observers_do_not_count_as_voters()
    {
        var config = ConfigOf(ThreeServers + "server.4=zk4:2888:3888:observer\n", MyId(4));
        Assert.Equal(3, config.Voters.Count());
        Assert.Equal([4L], config.Observers.Select(s => s.Id));
        Assert.Equal(PeerType.Observer, config.PeerType);
    }

    [Fact]
    public void The_client_address_in_this_servers_line_is_used_when_clientPort_is_absent()
    {
        var text = "initLimit=10\nsyncLimit=5\ndataDir=/var/zk\n" +
            "server.1=zk1:2888:3888;2181\nserver.2=zk2:2888:3888;zk2:2182\nserver.3=zk3:2888:3888;2183\n";
        Assert.Equal(new HostPort("zk2", 2182), ConfigOf(text, MyId(2)).ClientAddress);
    }

    [Fact]
    public void A_static_clientPort_that_agrees_with_the_server_line_is_fine()
    {
        var text = ThreeServers.Replace("server.2=zk2:2888:3888", "server.2=zk2:2888:3888;2181", StringComparison.Ordinal);
        Assert.Equal(new HostPort("", 2181), ConfigOf(text, MyId(2)).ClientAddress);
    }

    [Fact]
    public void A_static_clientPort_that_contradicts_the_server_line_is_refused()
    {
        var text = ThreeServers.Replace("server.2=zk2:2888:3888", "server.2=zk2:2888:3888;2182", StringComparison.Ordinal);
        Assert.Equal("zoo.cfg line 5: the client address 127.0.0.1:2181 differs from 127.0.0.1:2182 in zoo.cfg line 7",
            Refused(text, MyId(2)).Message);
    }

    [Theory]
    [InlineData(ThreeServers + "server.2=zk9:2888:3888\n", "zoo.cfg line 9: server id 2 is already defined at zoo.cfg line 7")]
    [InlineData(ThreeServers + "server.02=zk9:2888:3888\n", "zoo.cfg line 9: server id 2 is already defined at zoo.cfg line 7")]
    [InlineData("tickTime=2000\ndataDir=/var/zk\nclientPort=2181\nsyncLimit=5\nserver.1=a:1:2\nserver.2=b:1:2\n",
        "zoo.cfg: initLimit is not set; an ensemble needs it")]
    [InlineData("tickTime=2000\ndataDir=/var/zk\nclientPort=2181\ninitLimit=5\nserver.1=a:1:2\nserver.2=b:1:2\n",
        "zoo.cfg: syncLimit is not set; an ensemble needs it")]
    [InlineData(Preamble + "server.1=a:1:2:observer\nserver.2=b:1:2:observer\n",
        "zoo.cfg: observers are listed but no participant: an ensemble needs voters")]
    public void An_inconsistent_ensemble_stops_start_up(string text, string message)
    {
        Assert.Equal(message, Refused(text, MyId(1)).Message);
    }

    [Fact]
    public void An_ensemble_member_without_myid_is_refused_naming_the_file()
    {
        Assert.Equal("/var/zk/myid is missing: each ensemble member needs its server id there", Refused(ThreeServers).Message);
    }

    [Fact]
    public void A_myid_missing_from_the_server_lines_is_refused()
    {
        Assert.Equal("/var/zk/myid: myid 9 is not among the servers listed (1, 2, 3)", Refused(ThreeServers, MyId(9)).Message);
    }

    [Fact]
    public void A_single_participant_runs_standalone_with_a_warning()
    {
        var loaded = Load(Preamble + "server.1=zk1:2888:3888\n");
        Assert.False(loaded.Config.IsDistributed);
        Assert.Contains("zoo.cfg: only one participant is listed; running standalone", loaded.Warnings);
    }

    [Fact]
    public void A_single_participant_with_standalone_disabled_is_an_ensemble_of_one()
    {
        var config = ConfigOf("initLimit=10\nsyncLimit=5\nstandaloneEnabled=false\n" + Preamble + "server.1=zk1:2888:3888\n", MyId(1));
        Assert.True(config.IsDistributed);
    }

    [Theory]
    [InlineData("server.4=zk4:2888:3888\n", "zoo.cfg: 4 participants tolerate no more failures than 3; prefer an odd number")]
    [InlineData("", "")]
    public void An_even_number_of_voters_earns_a_warning(string extra, string warning)
    {
        var warnings = Load(ThreeServers + extra, MyId(1)).Warnings;
        if (warning.Length == 0)
            Assert.Empty(warnings);
        else
            Assert.Contains(warning, warnings);
    }

    [Fact]
    public void A_peerType_that_disagrees_with_the_server_line_yields_to_it_with_a_warning()
    {
        var loaded = Load("peerType=observer\n" + ThreeServers, MyId(1));
        Assert.Equal(PeerType.Participant, loaded.Config.PeerType);
        Assert.Contains("zoo.cfg line 1: peerType=observer disagrees with server.1; the server line wins", loaded.Warnings);
    }

    [Fact]
    public void The_quorum_port_of_this_server_may_not_be_its_client_port()
    {
        var text = ThreeServers.Replace("server.1=zk1:2888:3888", "server.1=zk1:2181:3888", StringComparison.Ordinal);
        Assert.Equal("zoo.cfg: clientPort 127.0.0.1:2181 and server.1 quorum port zk1:2181 would listen on the same port",
            Refused(text, MyId(1)).Message);
    }

    private const string DynamicStatic = "tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=/var/zk\nclientPort=2181\n" +
        "dynamicConfigFile=/etc/zk/zoo.cfg.dynamic.100000000\n";

    [Fact]
    public void Server_lines_come_from_the_dynamic_config_file()
    {
        var files = MyId(3);
        files["/etc/zk/zoo.cfg.dynamic.100000000"] = "server.1=zk1:2888:3888:participant;2181\n" +
            "server.2=zk2:2888:3888:participant;2181\nserver.3=zk3:2888:3888:participant;2181\n";
        var config = ConfigOf(DynamicStatic, files);
        Assert.Equal("/etc/zk/zoo.cfg.dynamic.100000000", config.DynamicConfigFile);
        Assert.Equal(3, config.Servers.Length);
        Assert.Equal(3, config.Self!.Id);
    }

    [Fact]
    public void Server_lines_in_zoo_cfg_alongside_a_dynamic_file_are_refused()
    {
        var error = Refused(DynamicStatic + "server.1=zk1:2888:3888\n", MyId(1));
        Assert.Equal("zoo.cfg line 7: server.1 must be in the dynamic config file /etc/zk/zoo.cfg.dynamic.100000000, not in zoo.cfg", error.Message);
    }

    [Fact]
    public void A_missing_dynamic_file_is_refused()
    {
        Assert.Equal("zoo.cfg line 6: dynamicConfigFile=/etc/zk/zoo.cfg.dynamic.100000000 names a file that does not exist",
            Refused(DynamicStatic, MyId(1)).Message);
    }

    [Theory]
    [InlineData("version=100000000\n", "zoo.cfg.dynamic.100000000 line 1: a dynamic config file may not contain a version")]
    [InlineData("tickTime=1\n", "zoo.cfg.dynamic.100000000 line 1: tickTime cannot appear in a dynamic config file")]
    [InlineData("server.1=zk1:2888\n", "zoo.cfg.dynamic.100000000 line 1: server.1=zk1:2888 is not host:quorumPort:electionPort")]
    public void A_dynamic_file_holds_only_valid_server_lines(string content, string message)
    {
        var files = MyId(1);
        files["/etc/zk/zoo.cfg.dynamic.100000000"] = content;
        Assert.StartsWith(message, Refused(DynamicStatic, files).Message, StringComparison.Ordinal);
    }
}
