// The server every test of a collection shares, started once per collection. By default the suite runs twice: its
// test classes are abstract, and each has one subclass in an Apache ZooKeeper 3.8 collection and one in a ZkActors
// collection. ZK_TEST_SERVER=apache | zkactors | external (with ZK_TEST_CONNECT=host:port) | command (with
// ZK_TEST_SERVER_COMMAND) points every collection at that one server instead. Tests isolate themselves under a
// unique root path, so they may run while other collections run.
namespace Zk.Client.Tests.Infrastructure;

public abstract class ServerFixture : IAsyncLifetime
{
    private ITestServer? _server;

    /// <summary>"apache" or "zkactors": the server this fixture starts unless ZK_TEST_SERVER names another.</summary>
    protected abstract string DefaultKind { get; }

    public ITestServer Server => _server ?? throw new InvalidOperationException("the server has not started");

    public string ConnectString => Server.ConnectString;

    public async Task InitializeAsync() => _server = await StartServerAsync(
        Environment.GetEnvironmentVariable("ZK_TEST_SERVER")?.Trim().ToLowerInvariant() is { Length: > 0 } kind ? kind : DefaultKind).ConfigureAwait(false);

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task<ITestServer> StartServerAsync(string kind) => kind switch
    {
        "apache" => await ProcessTestServer.StartApacheAsync().ConfigureAwait(false),
        "zkactors" => await ProcessTestServer.StartZkActorsAsync().ConfigureAwait(false),
        "external" => new ExternalServer(Environment.GetEnvironmentVariable("ZK_TEST_CONNECT")
                                         ?? throw new InvalidOperationException("ZK_TEST_SERVER=external needs ZK_TEST_CONNECT=host:port")),
        "command" => await ProcessTestServer.StartCommandAsync(Environment.GetEnvironmentVariable("ZK_TEST_SERVER_COMMAND")
                                         ?? throw new InvalidOperationException("ZK_TEST_SERVER=command needs ZK_TEST_SERVER_COMMAND")).ConfigureAwait(false),
        _ => throw new InvalidOperationException($"unknown ZK_TEST_SERVER '{kind}' (apache, zkactors, external, command)"),
    };

    /// <summary>A client of the shared server, connected; chroot and configure may change the connect string.</summary>
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

public sealed class ApacheFixture : ServerFixture
{
    protected override string DefaultKind => "apache";
}

public sealed class ZkActorsFixture : ServerFixture
{
    protected override string DefaultKind => "zkactors";
}

// One server per collection and kind: client operations, recipes and the shell run side by side on their own servers.

[CollectionDefinition(Apache)]
public sealed class ClientCollection : ICollectionFixture<ApacheFixture>
{
    public const string Apache = "client (apache)";
    public const string ZkActors = "client (zkactors)";
}

[CollectionDefinition(ClientCollection.ZkActors)]
public sealed class ClientCollectionOnZkActors : ICollectionFixture<ZkActorsFixture>;

[CollectionDefinition(Apache)]
public sealed class RecipeCollection : ICollectionFixture<ApacheFixture>
{
    public const string Apache = "recipes (apache)";
    public const string ZkActors = "recipes (zkactors)";
}

[CollectionDefinition(RecipeCollection.ZkActors)]
public sealed class RecipeCollectionOnZkActors : ICollectionFixture<ZkActorsFixture>;

[CollectionDefinition(Apache)]
public sealed class CliCollection : ICollectionFixture<ApacheFixture>
{
    public const string Apache = "cli (apache)";
    public const string ZkActors = "cli (zkactors)";
}

[CollectionDefinition(CliCollection.ZkActors)]
public sealed class CliCollectionOnZkActors : ICollectionFixture<ZkActorsFixture>;
