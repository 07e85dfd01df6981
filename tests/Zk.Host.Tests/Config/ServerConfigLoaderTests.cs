// zoo.cfg keys, ZooKeeper's defaults and value rules, table by table; ensembles are in EnsembleConfigTests.
using Zk.Host.Config;
using static Zk.Host.Tests.Config.ConfigTestSupport;

namespace Zk.Host.Tests.Config;

public sealed class ServerConfigLoaderTests
{
    [Fact]
    public void The_sample_zoo_cfg_of_the_Debian_package_loads_without_warnings()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Config", "Fixtures", "debian-zoo.cfg");
        var loaded = ServerConfigLoader.Parse(File.ReadAllText(path), path, _ => null);
        var config = loaded.Config;
        Assert.Empty(loaded.Warnings);
        Assert.Equal(2000, config.TickTimeMs);
        Assert.Equal(10, config.InitLimitTicks);
        Assert.Equal(5, config.SyncLimitTicks);
        Assert.Equal("/tmp/zookeeper", config.DataDir);
        Assert.Equal("/tmp/zookeeper", config.DataLogDir);
        Assert.Equal(new HostPort("", 2181), config.ClientAddress);
        Assert.Equal(60, config.MaxClientCnxns);
        Assert.Equal(4000, config.MinSessionTimeoutMs);
        Assert.Equal(40000, config.MaxSessionTimeoutMs);
        Assert.False(config.IsDistributed);
        Assert.Null(config.MyId);
    }

    [Fact]
    public void Unset_keys_take_ZooKeepers_defaults()
    {
        var config = ConfigOf(Preamble);
        Assert.Equal(3000, config.TickTimeMs);
        Assert.Equal(6000, config.MinSessionTimeoutMs);
        Assert.Equal(60000, config.MaxSessionTimeoutMs);
        Assert.Equal("/var/zk", config.DataLogDir);
        Assert.True(config.ForceSync);
        Assert.Equal(100_000, config.SnapCount);
        Assert.Equal(1048575, config.JuteMaxBufferBytes);
        Assert.Equal(3, config.SnapRetainCount);
        Assert.Equal(60, config.MaxClientCnxns);
        Assert.Equal(1000, config.GlobalOutstandingLimit);
        Assert.Equal(["srvr"], config.FourLetterWordWhitelist);
        Assert.True(config.AdminEnableServer);
        Assert.Equal(8080, config.AdminServerPort);
        Assert.Equal("127.0.0.1", config.AdminServerAddress);
        Assert.False(config.ExtendedTypesEnabled);
        Assert.False(config.SkipAcl);
        Assert.Null(config.SuperDigest);
        Assert.True(config.StandaloneEnabled);
        Assert.False(config.ReconfigEnabled);
        Assert.Equal(60_000, config.ContainerCheckIntervalMs);
        Assert.Equal(10_000, config.ContainerMaxPerMinute);
        Assert.Equal(300_000, config.ContainerMaxNeverUsedIntervalMs);
        Assert.Equal(PeerType.Participant, config.PeerType);
        Assert.True(config.ClientTls.IsEmpty);
        Assert.Empty(config.OtherProperties);
    }

    [Fact]
    public void Retention_is_on_by_default_and_zero_turns_it_off()
    {
        Assert.Equal(3_600_000, ConfigOf(Preamble).PurgeIntervalMs);
        Assert.Equal(0, ConfigOf(Preamble + "autopurge.purgeInterval=0").PurgeIntervalMs);
    }

    [Fact]
    public void The_standalone_default_listens_on_loopback_2181_with_the_sample_timing()
    {
        var config = ServerConfig.StandaloneDefault;
        Assert.Equal(new HostPort("127.0.0.1", 2181), config.ClientAddress);
        Assert.Equal("./data", config.DataDir);
        Assert.Equal("./data", config.DataLogDir);
        Assert.Equal(2000, config.TickTimeMs);
        Assert.Equal(4000, config.MinSessionTimeoutMs);
        Assert.Equal(40000, config.MaxSessionTimeoutMs);
        Assert.False(config.IsDistributed);
    }

    public static TheoryData<string, Func<ServerConfig, object?>, object?> Values => new()
    {
        { "tickTime=500", c => c.TickTimeMs, 500 },
        { "tickTime=500", c => c.MinSessionTimeoutMs, 1000 },
        { "tickTime=500", c => c.MaxSessionTimeoutMs, 10000 },
        { "minSessionTimeout=1500", c => c.MinSessionTimeoutMs, 1500 },
        { "maxSessionTimeout=90000", c => c.MaxSessionTimeoutMs, 90000 },
        { "dataLogDir=/fast/log", c => c.DataLogDir, "/fast/log" },
        { "maxClientCnxns=0", c => c.MaxClientCnxns, 0 },
        { "clientPortAddress=127.0.0.1", c => c.ClientAddress, new HostPort("127.0.0.1", 2181) },
        { "clientPortAddress=[::1]", c => c.ClientAddress, new HostPort("::1", 2181) },
        { "secureClientPort=2281", c => c.SecureClientAddress, new HostPort("", 2281) },
        { "forceSync=no", c => c.ForceSync, false },
        { "forceSync=YES", c => c.ForceSync, true },
        { "skipACL=yes", c => c.SkipAcl, true },
        { "snapCount=50000", c => c.SnapCount, 50000 },
        { "snapCount=0x100", c => c.SnapCount, 256 },
        { "jute.maxbuffer=4194304", c => c.JuteMaxBufferBytes, 4194304 },
        { "jute.maxbuffer=0xfffff", c => c.JuteMaxBufferBytes, 0xfffff },
        { "jute.maxbuffer=#ff", c => c.JuteMaxBufferBytes, 255 },
        { "jute.maxbuffer=010", c => c.JuteMaxBufferBytes, 8 },   // Java's Integer.decode reads a leading 0 as octal
        { "globalOutstandingLimit=5000", c => c.GlobalOutstandingLimit, 5000 },
        { "extendedTypesEnabled=true", c => c.ExtendedTypesEnabled, true },
        { "extendedTypesEnabled=False", c => c.ExtendedTypesEnabled, false },
        { "standaloneEnabled=false", c => c.StandaloneEnabled, false },
        { "reconfigEnabled=true", c => c.ReconfigEnabled, true },
        { "peerType=observer", c => c.PeerType, PeerType.Observer },
        { "DigestAuthenticationProvider.superDigest=super:D/InIHSb7yEEbrWz8b9l71RjZJU=", c => c.SuperDigest, "super:D/InIHSb7yEEbrWz8b9l71RjZJU=" },
        { "znode.container.checkIntervalMs=1000", c => c.ContainerCheckIntervalMs, 1000 },
        { "znode.container.maxPerMinute=100", c => c.ContainerMaxPerMinute, 100 },
        { "znode.container.maxNeverUsedIntervalMs=0", c => c.ContainerMaxNeverUsedIntervalMs, 0L },
        { "autopurge.snapRetainCount=10", c => c.SnapRetainCount, 10 },
        { "autopurge.purgeInterval=24", c => c.PurgeIntervalMs, 86_400_000L },
        { "autopurge.purgeInterval=30m", c => c.PurgeIntervalMs, 1_800_000L },
        { "autopurge.purgeInterval=90s", c => c.PurgeIntervalMs, 90_000L },
        { "autopurge.purgeInterval=500ms", c => c.PurgeIntervalMs, 500L },
        { "autopurge.purgeInterval=2d", c => c.PurgeIntervalMs, 172_800_000L },
        { "admin.enableServer=false", c => c.AdminEnableServer, false },
        { "admin.serverPort=9090", c => c.AdminServerPort, 9090 },
        { "admin.serverAddress=127.0.0.1", c => c.AdminServerAddress, "127.0.0.1" },
        { "4lw.commands.whitelist=stat, ruok ,conf,", c => string.Join(",", c.FourLetterWordWhitelist), "conf,ruok,stat" },
        { "4lw.commands.whitelist=*", c => c.IsFourLetterWordEnabled("mntr"), true },
        { "4lw.commands.whitelist=ruok", c => c.IsFourLetterWordEnabled("srvr"), false },
        { "electionAlg=3", c => c.TickTimeMs, 3000 },
        { "ssl.keyStore.location=/etc/zk/key.jks", c => c.ClientTls.KeyStoreLocation, "/etc/zk/key.jks" },
        { "ssl.keyStore.password=s3cret", c => c.ClientTls.KeyStorePassword, "s3cret" },
        { "ssl.trustStore.location=/etc/zk/trust.jks", c => c.ClientTls.TrustStoreLocation, "/etc/zk/trust.jks" },
        { "ssl.trustStore.password=t0ken", c => c.ClientTls.TrustStorePassword, "t0ken" },
        { "ssl.trustStore.type=PEM", c => c.ClientTls.TrustStoreType, "PEM" },
        { "ssl.protocol=TLSv1.3", c => c.ClientTls.Other["protocol"], "TLSv1.3" },
        { "ssl.quorum.keyStore.location=/etc/zk/q.jks", c => c.QuorumTls.KeyStoreLocation, "/etc/zk/q.jks" },
        { "ssl.quorum.keyStore.location=/etc/zk/q.jks", c => c.ClientTls.KeyStoreLocation, null },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void A_key_sets_its_value(string line, Func<ServerConfig, object?> read, object? expected)
    {
        Assert.Equal(expected, read(ConfigOf(Preamble + line)));
    }

    [Theory]
    [InlineData("tickTime=abc", "zoo.cfg line 3: tickTime=abc is not a positive integer")]
    [InlineData("tickTime=0", "zoo.cfg line 3: tickTime=0 is not a positive integer")]
    [InlineData("tickTime=-2000", "zoo.cfg line 3: tickTime=-2000 is not a positive integer")]
    [InlineData("initLimit=ten", "zoo.cfg line 3: initLimit=ten is not a non-negative integer")]
    [InlineData("clientPort=70000", "zoo.cfg line 3: clientPort=70000 is not a port number (1-65535)")]
    [InlineData("clientPort=0", "zoo.cfg line 3: clientPort=0 is not a port number (1-65535)")]
    [InlineData("admin.serverPort=http", "zoo.cfg line 3: admin.serverPort=http is not a port number (1-65535)")]
    [InlineData("maxClientCnxns=-1", "zoo.cfg line 3: maxClientCnxns=-1 is not a non-negative integer")]
    [InlineData("maxSessionTimeout=1.5", "zoo.cfg line 3: maxSessionTimeout=1.5 is not a positive integer")]
    [InlineData("forceSync=false", "zoo.cfg line 3: forceSync=false is not yes or no")]
    [InlineData("skipACL=true", "zoo.cfg line 3: skipACL=true is not yes or no")]
    [InlineData("standaloneEnabled=yes", "zoo.cfg line 3: standaloneEnabled=yes is not true or false")]
    [InlineData("admin.enableServer=1", "zoo.cfg line 3: admin.enableServer=1 is not true or false")]
    [InlineData("peerType=leader", "zoo.cfg line 3: peerType=leader has peer type 'leader', not participant or observer")]
    [InlineData("snapCount=lots", "zoo.cfg line 3: snapCount=lots is not a positive integer")]
    [InlineData("jute.maxbuffer=0x", "zoo.cfg line 3: jute.maxbuffer=0x is not a positive integer")]
    [InlineData("jute.maxbuffer=09", "zoo.cfg line 3: jute.maxbuffer=09 is not a positive integer")]
    [InlineData("autopurge.purgeInterval=2w", "zoo.cfg line 3: autopurge.purgeInterval=2w is not a time interval")]
    [InlineData("autopurge.snapRetainCount=many", "zoo.cfg line 3: autopurge.snapRetainCount=many is not an integer")]
    [InlineData("electionAlg=1", "zoo.cfg line 3: electionAlg=1 is not 3")]
    [InlineData("DigestAuthenticationProvider.superDigest=abc", "zoo.cfg line 3: DigestAuthenticationProvider.superDigest=abc is not user:base64-sha1-digest")]
    [InlineData("dataLogDir=", "zoo.cfg line 3: dataLogDir= is empty")]
    [InlineData("group.1=1:2:3", "zoo.cfg line 3: group.1: hierarchical quorums")]
    [InlineData("weight.1=1", "zoo.cfg line 3: weight.1: hierarchical quorums")]
    public void An_invalid_value_stops_start_up_naming_file_line_key_and_value(string line, string message)
    {
        Assert.StartsWith(message, Refused(Preamble + line).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_end_of_line_comment_gets_a_hint()
    {
        var error = Refused(Preamble + "tickTime=2000 # two seconds");
        Assert.Contains("no end-of-line comments", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("autopurge.snapRetainCount=1", "autopurge.snapRetainCount=1 is below the minimum; using 3")]
    [InlineData("snapCount=1", "snapCount=1 is below the minimum; using 2")]
    public void A_value_below_ZooKeepers_floor_is_raised_with_a_warning(string line, string warning)
    {
        var loaded = Load(Preamble + line);
        Assert.Contains(loaded.Warnings, w => w == $"zoo.cfg line 3: {warning}");
    }

    [Fact]
    public void An_unknown_key_is_kept_and_reported_as_a_warning()
    {
        var loaded = Load(Preamble + "tickTme=2000\nmetricsProvider.className=org.Foo\npreAllocSize=65536");
        Assert.Equal(["zoo.cfg line 3: unknown key tickTme; ignored",
            "zoo.cfg line 4: metricsProvider.className is a ZooKeeper option that ZkActors does not use; ignored",
            "zoo.cfg line 5: preAllocSize is a ZooKeeper option that ZkActors does not use; ignored"], loaded.Warnings);
        Assert.Equal("2000", loaded.Config.OtherProperties["tickTme"]);
        Assert.Equal("65536", loaded.Config.OtherProperties["preAllocSize"]);
    }

    [Fact]
    public void A_repeated_key_warns_and_the_later_value_wins()
    {
        var loaded = Load(Preamble + "tickTime=1000\ntickTime=4000");
        Assert.Equal(4000, loaded.Config.TickTimeMs);
        Assert.Contains("zoo.cfg line 4: tickTime repeats line 3; the later value wins", loaded.Warnings);
    }

    [Fact]
    public void A_relative_dataDir_is_accepted_with_a_warning()
    {
        var loaded = Load("dataDir=data\nclientPort=2181");
        Assert.Equal("data", loaded.Config.DataDir);
        Assert.Contains(loaded.Warnings, w => w.StartsWith("zoo.cfg: dataDir=data is relative", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("clientPort=2181", "zoo.cfg: dataDir is not set")]
    [InlineData("dataDir=/var/zk", "zoo.cfg: clientPort is not set")]
    [InlineData("dataDir=/var/zk\nclientPortAddress=127.0.0.1", "zoo.cfg line 2: clientPortAddress is set but clientPort is not")]
    [InlineData("dataDir=/var/zk\nclientPort=1\nsecureClientPortAddress=::1", "zoo.cfg line 3: secureClientPortAddress is set but secureClientPort is not")]
    [InlineData(Preamble + "minSessionTimeout=30000\nmaxSessionTimeout=20000",
        "zoo.cfg: minSessionTimeout 30000 ms (line 3) is larger than maxSessionTimeout 20000 ms (line 4)")]
    [InlineData(Preamble + "tickTime=2000\nminSessionTimeout=50000",
        "zoo.cfg: minSessionTimeout 50000 ms (line 4) is larger than maxSessionTimeout 40000 ms (default 20 × tickTime)")]
    [InlineData(Preamble + "admin.serverPort=2181", "zoo.cfg: clientPort 127.0.0.1:2181 and admin.serverPort 127.0.0.1:2181 would listen on the same port")]
    [InlineData(Preamble + "secureClientPort=2181", "zoo.cfg: clientPort 127.0.0.1:2181 and secureClientPort 127.0.0.1:2181 would listen on the same port")]
    public void Keys_that_contradict_each_other_stop_start_up(string text, string message)
    {
        Assert.StartsWith(message, Refused(text).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_admin_port_may_equal_the_client_port_when_the_admin_server_is_off()
    {
        Assert.False(ConfigOf(Preamble + "admin.serverPort=2181\nadmin.enableServer=false").AdminEnableServer);
    }

    [Fact]
    public void Tls_passwords_never_appear_in_the_printed_config()
    {
        var config = ConfigOf(Preamble + "ssl.keyStore.password=s3cret\nssl.trustStore.password=t0ken");
        var printed = config.ToString();
        Assert.DoesNotContain("s3cret", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("t0ken", printed, StringComparison.Ordinal);
        Assert.Contains("****", printed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_myid_file_is_read_from_dataDir()
    {
        Assert.Equal(7, ConfigOf(Preamble, MyId(7)).MyId);
    }

    [Theory]
    [InlineData("replace this text with the cluster-unique zookeeper's instance id (1-255)")]
    [InlineData("-1")]
    [InlineData("300")]
    [InlineData("")]
    public void A_myid_that_is_not_a_server_id_stops_start_up_naming_the_file(string content)
    {
        var error = Refused(Preamble, new Dictionary<string, string> { ["/var/zk/myid"] = content });
        Assert.StartsWith("/var/zk/myid: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFile_reads_zoo_cfg_and_myid_from_disk()
    {
        using var dir = new Storage.TempDirectory("zk-config-");
        var dataDir = dir.Combine("data");
        Directory.CreateDirectory(dataDir);
        File.WriteAllText(Path.Combine(dataDir, "myid"), "2\n");
        var cfg = dir.Combine("zoo.cfg");
        File.WriteAllText(cfg, $"tickTime=2000\ninitLimit=5\nsyncLimit=2\ndataDir={dataDir}\nclientPort=2181\n" +
            "server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2889:3889\nserver.3=127.0.0.1:2890:3890\n");
        var loaded = ServerConfigLoader.LoadFile(cfg);
        Assert.Equal(2, loaded.Config.MyId);
        Assert.True(loaded.Config.IsDistributed);
        Assert.Equal(cfg, loaded.Config.SourceFile);
    }

    [Fact]
    public void LoadFile_of_a_missing_file_names_it()
    {
        var error = Assert.Throws<ConfigException>(() => ServerConfigLoader.LoadFile("/nonexistent/zoo.cfg"));
        Assert.StartsWith("/nonexistent/zoo.cfg: ", error.Message, StringComparison.Ordinal);
    }
}
