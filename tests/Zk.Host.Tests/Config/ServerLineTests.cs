// The "server.N" line in every form ZooKeeper accepts, and the ones it (and we) reject.
using Zk.Host.Config;

namespace Zk.Host.Tests.Config;

public sealed class ServerLineTests
{
    private static QuorumServer Parse(string value, string key = "server.1") =>
        ServerLine.Parse(new ConfigEntry(key, value, "zoo.cfg", 7));

    [Fact]
    public void Host_quorum_port_and_election_port_make_a_participant()
    {
        Assert.Equal(new QuorumServer(1, "zk1", 2888, 3888, PeerType.Participant, null, null), Parse("zk1:2888:3888"));
    }

    [Theory]
    [InlineData("zk1:2888:3888:observer", PeerType.Observer)]
    [InlineData("zk1:2888:3888:OBSERVER", PeerType.Observer)]
    [InlineData("zk1:2888:3888:participant", PeerType.Participant)]
    public void The_fourth_field_is_the_peer_type(string value, PeerType type)
    {
        Assert.Equal(type, Parse(value).Type);
    }

    [Theory]
    [InlineData("zk1:2888:3888;2181", "", 2181)]
    [InlineData("zk1:2888:3888:participant;10.0.0.5:2181", "10.0.0.5", 2181)]
    [InlineData("zk1:2888:3888;[fe80::1]:2182", "fe80::1", 2182)]
    [InlineData("zk1:2888:3888; 2181 ", "", 2181)]
    public void After_a_semicolon_comes_the_client_address(string value, string host, int port)
    {
        Assert.Equal(new HostPort(host, port), Parse(value).ClientAddress);
    }

    [Fact]
    public void A_third_part_is_the_secure_client_address()
    {
        var server = Parse("zk1:2888:3888;2181;zk1:2281");
        Assert.Equal(new HostPort("", 2181), server.ClientAddress);
        Assert.Equal(new HostPort("zk1", 2281), server.SecureClientAddress);
        var secureOnly = Parse("zk1:2888:3888;;2281");
        Assert.Null(secureOnly.ClientAddress);
        Assert.Equal(2281, secureOnly.SecureClientAddress!.Port);
    }

    [Fact]
    public void An_IPv6_host_is_written_in_brackets()
    {
        var server = Parse("[2001:db8::7]:2888:3888:observer;[2001:db8::7]:2181");
        Assert.Equal("2001:db8::7", server.Host);
        Assert.Equal(2888, server.QuorumPort);
        Assert.Equal(3888, server.ElectionPort);
        Assert.Equal(PeerType.Observer, server.Type);
        Assert.Equal("[2001:db8::7]:2181", server.ClientAddress!.ToString());
    }

    [Theory]
    [InlineData("server.0", 0)]
    [InlineData("server.3", 3)]
    [InlineData("server.255", 255)]
    [InlineData("server.007", 7)]
    public void The_key_names_the_server_id(string key, long id)
    {
        Assert.Equal(id, Parse("h:1:2", key).Id);
    }

    [Theory]
    [InlineData("server.1", "zk1:2888", "is not host:quorumPort:electionPort")]
    [InlineData("server.1", "zk1:2888:3888:observer:extra", "is not host:quorumPort:electionPort")]
    [InlineData("server.1", "zk1:2888:2888", "same port")]
    [InlineData("server.1", "zk1:abc:3888", "quorum port 'abc'")]
    [InlineData("server.1", "zk1:2888:70000", "election port '70000'")]
    [InlineData("server.1", ":2888:3888", "empty host")]
    [InlineData("server.1", "zk1:2888:3888:leader", "peer type 'leader'")]
    [InlineData("server.1", "zk1:2888:3888;abc", "client port 'abc'")]
    [InlineData("server.1", "zk1:2888:3888;a:b:c", "not [host:]port")]
    [InlineData("server.1", "zk1:2888:3888;1;2;3", "more than three")]
    [InlineData("server.1", "[::1:2888:3888", "closing ']'")]
    [InlineData("server.1", "zk1:2888:3888|zk1b:2888:3888", "several addresses")]
    [InlineData("server.x", "zk1:2888:3888", "does not name a server id")]
    [InlineData("server.256", "zk1:2888:3888", "between 0 and 255")]
    [InlineData("server.-1", "zk1:2888:3888", "does not name a server id")]
    public void A_malformed_line_is_refused_with_file_line_and_reason(string key, string value, string reason)
    {
        var error = Assert.Throws<ConfigException>(() => Parse(value, key));
        Assert.StartsWith("zoo.cfg line 7: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
