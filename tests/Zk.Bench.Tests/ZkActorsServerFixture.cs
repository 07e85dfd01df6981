// One real ZkActors process (a private copy of the built zkactors.dll) on a free loopback port with a temp dataDir,
// shared by the workload tests and killed by PID when they are done.
namespace Zk.Bench.Tests;

public sealed class ZkActorsServerFixture : IAsyncLifetime
{
    private ZkActorsProcess? _server;

    public ZkActorsProcess Server => _server ?? throw new InvalidOperationException("the server is not started");

    public async Task InitializeAsync() => _server = await ZkActorsProcess.LaunchAsync(name: "zkbench-target");

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ZkActorsServerCollection : ICollectionFixture<ZkActorsServerFixture>
{
    public const string Name = "ZkActors server";
}
