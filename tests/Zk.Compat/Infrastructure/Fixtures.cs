// xunit fixtures that share one server process per test class, and the base class that copies the servers'
// logs to a test's output (xunit shows it when the test fails). Subclass a fixture to change its zoo.cfg.
namespace Zk.Compat.Infrastructure;

public class ZkActorsFixture : IAsyncLifetime
{
    private ZkActorsProcess? _server;

    public ZkActorsProcess Server => _server ?? throw new InvalidOperationException("fixture not initialised");

    /// <summary>zoo.cfg keys on top of the ServerProcess defaults.</summary>
    protected virtual IReadOnlyDictionary<string, string> Config => new Dictionary<string, string>();

    public async Task InitializeAsync() => _server = await ZkActorsProcess.LaunchAsync(Config);

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}

public class ApacheZooKeeperFixture : IAsyncLifetime
{
    private ApacheZooKeeperProcess? _server;

    public ApacheZooKeeperProcess Server => _server ?? throw new InvalidOperationException("fixture not initialised");

    protected virtual IReadOnlyDictionary<string, string> Config => new Dictionary<string, string>();

    protected virtual IReadOnlyDictionary<string, string> SystemProperties => new Dictionary<string, string>();

    public async Task InitializeAsync() => _server = await ApacheZooKeeperProcess.LaunchAsync(Config, SystemProperties);

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}

/// <summary>ZkActors and Apache ZooKeeper side by side with the same settings, for comparisons.</summary>
public class PairFixture : IAsyncLifetime
{
    private ZkActorsProcess? _zkActors;
    private ApacheZooKeeperProcess? _apache;

    public ZkActorsProcess ZkActors => _zkActors ?? throw new InvalidOperationException("fixture not initialised");

    public ApacheZooKeeperProcess Apache => _apache ?? throw new InvalidOperationException("fixture not initialised");

    protected virtual IReadOnlyDictionary<string, string> Config => new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        var both = await Task.WhenAll(
            Start(() => ZkActorsProcess.LaunchAsync(Config)),
            Start(() => ApacheZooKeeperProcess.LaunchAsync(Config)));
        _zkActors = (ZkActorsProcess?)both[0];
        _apache = (ApacheZooKeeperProcess?)both[1];
        if (_zkActors is null || _apache is null)
        {
            await DisposeAsync();
            throw new InvalidOperationException("one of the two servers did not start; see the inner failures in the log");
        }
    }

    public async Task DisposeAsync()
    {
        if (_zkActors is not null) await _zkActors.DisposeAsync();
        if (_apache is not null) await _apache.DisposeAsync();
    }

    private static async Task<ServerProcess?> Start<T>(Func<Task<T>> start) where T : ServerProcess => await start();
}

/// <summary>Base of compatibility tests: servers handed to <see cref="Watch"/> get their log since the test began
/// appended to the test output when the test ends.</summary>
public abstract class CompatTest(ITestOutputHelper output) : IDisposable
{
    private readonly List<(ServerProcess Server, int Mark)> _watched = [];

    protected ITestOutputHelper Output { get; } = output;

    protected T Watch<T>(T server) where T : ServerProcess
    {
        _watched.Add((server, server.LogMark));
        return server;
    }

    public void Dispose()
    {
        foreach (var (server, mark) in _watched) server.WriteLogTo(Output, mark);
        GC.SuppressFinalize(this);
    }
}
