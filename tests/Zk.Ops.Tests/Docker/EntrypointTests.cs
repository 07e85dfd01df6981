// docker/docker-entrypoint.sh run on the host (no Docker): the official image's variables become a zoo.cfg that this
// server's own loader accepts without a warning, with the container's addresses written explicitly, and a myid.
using Zk.Host.Config;

namespace Zk.Ops.Tests.Docker;

public sealed class EntrypointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("zkops-entrypoint-").FullName;

    [Fact]
    public async Task The_official_variables_become_zoo_cfg_and_myid()
    {
        var cfg = await Entrypoint.GenerateAsync(_dir, new Dictionary<string, string>
        {
            ["ZOO_MY_ID"] = "2",
            ["ZOO_SERVERS"] = "server.1=zoo1:2888:3888;2181 server.2=zoo2:2888:3888;2181 server.3=zoo3:2888:3888;2181 server.4=zoo4:2888:3888:observer;2181",
            ["ZOO_TICK_TIME"] = "3000",
            ["ZOO_INIT_LIMIT"] = "7",
            ["ZOO_SYNC_LIMIT"] = "3",
            ["ZOO_4LW_COMMANDS_WHITELIST"] = "srvr,ruok,mntr",
            ["ZOO_MAX_CLIENT_CNXNS"] = "42",
            ["ZOO_STANDALONE_ENABLED"] = "false",
            ["ZOO_ADMINSERVER_ENABLED"] = "true",
            ["ZOO_AUTOPURGE_PURGEINTERVAL"] = "2",
            ["ZOO_AUTOPURGE_SNAPRETAINCOUNT"] = "4",
            ["ZOO_CFG_EXTRA"] = "snapCount=5000 forceSync=yes",
        });
        var keys = Entrypoint.ReadConfig(cfg);
        Assert.Equal("3000", keys["tickTime"]);
        Assert.Equal("7", keys["initLimit"]);
        Assert.Equal("3", keys["syncLimit"]);
        Assert.Equal("42", keys["maxClientCnxns"]);
        Assert.Equal("srvr,ruok,mntr", keys["4lw.commands.whitelist"]);
        Assert.Equal("0.0.0.0", keys["clientPortAddress"]);
        Assert.Equal("0.0.0.0", keys["admin.serverAddress"]);
        Assert.Equal("8080", keys["admin.serverPort"]);
        Assert.Equal("zoo1:2888:3888;0.0.0.0:2181", keys["server.1"]);
        Assert.Equal("zoo4:2888:3888:observer;0.0.0.0:2181", keys["server.4"]);
        Assert.Equal("5000", keys["snapCount"]);
        Assert.Equal("2", File.ReadAllText(Path.Combine(_dir, "data", "myid")).Trim());

        var loaded = ServerConfigLoader.LoadFile(cfg);
        Assert.Empty(loaded.Warnings);
        var c = loaded.Config;
        Assert.Equal(2, c.MyId);
        Assert.True(c.IsDistributed);
        Assert.Equal(3000, c.TickTimeMs);
        Assert.Equal(7, c.InitLimitTicks);
        Assert.Equal(42, c.MaxClientCnxns);
        Assert.Equal(4, c.SnapRetainCount);
        Assert.Equal(2 * 3_600_000L, c.PurgeIntervalMs);
        Assert.Equal(new HostPort("0.0.0.0", 2181), c.ClientAddress);
        Assert.Equal("0.0.0.0", c.AdminServerAddress);
        Assert.Equal(3, c.Voters.Count());
        Assert.Single(c.Observers);
        Assert.Equal(Path.Combine(_dir, "datalog"), c.DataLogDir);
    }

    [Fact]
    public async Task Without_servers_it_writes_a_standalone_config_whose_health_check_word_is_allowed()
    {
        var cfg = await Entrypoint.GenerateAsync(_dir, new Dictionary<string, string>());
        var keys = Entrypoint.ReadConfig(cfg);
        Assert.Equal("localhost:2888:3888;0.0.0.0:2181", keys["server.1"]);
        Assert.Equal("srvr,ruok", keys["4lw.commands.whitelist"]);
        Assert.Equal("2000", keys["tickTime"]);
        var loaded = ServerConfigLoader.LoadFile(cfg);
        Assert.False(loaded.Config.IsDistributed);
        Assert.Equal(new HostPort("0.0.0.0", 2181), loaded.Config.ClientAddress);
    }

    [Fact]
    public async Task An_existing_zoo_cfg_and_myid_are_left_alone()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "conf"));
        Directory.CreateDirectory(Path.Combine(_dir, "data"));
        await File.WriteAllTextAsync(Path.Combine(_dir, "conf", "zoo.cfg"), "tickTime=1234\n");
        await File.WriteAllTextAsync(Path.Combine(_dir, "data", "myid"), "7\n");
        var cfg = await Entrypoint.GenerateAsync(_dir, new Dictionary<string, string> { ["ZOO_MY_ID"] = "3", ["ZOO_TICK_TIME"] = "99" });
        Assert.Equal("tickTime=1234\n", File.ReadAllText(cfg));
        Assert.Equal("7", File.ReadAllText(Path.Combine(_dir, "data", "myid")).Trim());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
