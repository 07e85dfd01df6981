// The server every test of a collection shares, chosen by ZK_TEST_SERVER (apache by default), started once per
// collection. Tests isolate themselves under a unique root path, so they may run while other collections run.
namespace Zk.Client.Tests.Infrastructure;

public sealed class ServerFixture : IAsyncLifetime
{
    private ITestServer? _server;

    public ITestServer Server => _server ?? throw new InvalidOperationException("the server has not started");

    public string ConnectString => Server.ConnectString;

    public async Task InitializeAsync() => _server = await StartServerAsync().ConfigureAwait(false);

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// ZK_TEST_SERVER=apache (default) | zkactors | external (with ZK_TEST_CONNECT=host:port) | command (with
    /// ZK_TEST_SERVER_COMMAND, a command line using {cfg}, {port}, {dataDir}). Another kind is one more case.
    /// </summary>
    public static async Task<ITestServer> StartServerAsync()
    {
        var kind = Environment.GetEnvironmentVariable("ZK_TEST_SERVER")?.Trim().ToLowerInvariant() ?? "apache";
        return kind switch
        {
            "apache" => await ZooCfgServer.StartApacheAsync().ConfigureAwait(false),
            // The ZkActors host reads the same zoo.cfg: zkactors [path/to/zoo.cfg].
            "zkactors" => await ZooCfgServer.StartAsync("zkactors", "dotnet",
                ["run", "--project", Path.Combine(ZooCfgServer.RepoRoot(), "src", "Zk.Host"), "--", "{cfg}"]).ConfigureAwait(false),
            "external" => new ExternalServer(Environment.GetEnvironmentVariable("ZK_TEST_CONNECT")
                                             ?? throw new InvalidOperationException("ZK_TEST_SERVER=external needs ZK_TEST_CONNECT=host:port")),
            "command" => await ZooCfgServer.StartAsync("command", "/bin/sh",
                ["-c", "exec " + (Environment.GetEnvironmentVariable("ZK_TEST_SERVER_COMMAND")
                                  ?? throw new InvalidOperationException("ZK_TEST_SERVER=command needs ZK_TEST_SERVER_COMMAND"))]).ConfigureAwait(false),
            _ => throw new InvalidOperationException($"unknown ZK_TEST_SERVER '{kind}' (apache, zkactors, external, command)"),
        };
    }

    /// <summary>A client of the shared server, connected; connectSuffix may add more hosts or a chroot.</summary>
    public Task<ZooKeeperClient> ConnectAsync(TimeSpan? sessionTimeout = null, string chroot = "",
        Action<ZooKeeperClientOptions>? configure = null)
    {
        var options = Options(ConnectString + chroot, sessionTimeout);
        configure?.Invoke(options);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return ZooKeeperClient.ConnectAsync(options, cts.Token);
    }

    public static ZooKeeperClientOptions Options(string connectString, TimeSpan? sessionTimeout = null) => new(connectString)
    {
        SessionTimeout = sessionTimeout ?? TimeSpan.FromSeconds(15),
        // Tests reconnect often; ZooKeeper's up-to-1-second jitter would only slow them down.
        ReconnectDelayMax = TimeSpan.FromMilliseconds(50),
        HostListSpinDelay = TimeSpan.FromMilliseconds(100),
    };

    /// <summary>A fresh path under which one test keeps all its nodes.</summary>
    public static string NewRoot(string name) => $"/{name}-{Guid.NewGuid().ToString("N")[..12]}";

    /// <summary>A short session for tests that wait for expiry: a few ticks of the server, at least its minimum.</summary>
    public TimeSpan ShortSession => TimeSpan.FromTicks(Math.Max(Server.TickTime.Ticks * 4, TimeSpan.FromMilliseconds(500).Ticks));
}

[CollectionDefinition(Name)]
public sealed class ClientCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "client";
}

[CollectionDefinition(Name)]
public sealed class RecipeCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "recipes";
}

[CollectionDefinition(Name)]
public sealed class CliCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "cli";
}
