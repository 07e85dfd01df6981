// Starts one real ZkActors process (the built zkactors.dll) on a free loopback port with a temp dataDir for the
// workload tests, through zkbench's own launcher, and stops it by PID when the tests are done.
using System.Reflection;
using Zk.Bench.Compare;

namespace Zk.Bench.Tests;

public sealed class ZkActorsServerFixture : IAsyncLifetime
{
    private RunningServer? _server;

    public RunningServer Server => _server ?? throw new InvalidOperationException("the server is not started");

    public async Task InitializeAsync()
    {
        var settings = new LaunchSettings { ZkActorsDll = LocateServerDll() };
        var workRoot = Path.Combine(Path.GetTempPath(), "zkbench-tests");
        _server = await new ZkActorsLauncher().StartAsync(workRoot, settings, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    /// <summary>src/Zk.Host/bin/&lt;this test's configuration&gt;/net10.0/zkactors.dll, else the other configuration's.</summary>
    private static string LocateServerDll()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Zk.Actors.sln"))) dir = dir.Parent;
        if (dir is null) throw new InvalidOperationException($"no Zk.Actors.sln above {AppContext.BaseDirectory}");
        var own = typeof(ZkActorsServerFixture).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        foreach (var configuration in new[] { own, own == "Release" ? "Debug" : "Release" })
        {
            var dll = Path.Combine(dir.FullName, "src", "Zk.Host", "bin", configuration, "net10.0", "zkactors.dll");
            if (File.Exists(dll)) return dll;
        }
        throw new FileNotFoundException("zkactors.dll is not built; build src/Zk.Host first");
    }
}

[CollectionDefinition(Name)]
public sealed class ZkActorsServerCollection : ICollectionFixture<ZkActorsServerFixture>
{
    public const string Name = "ZkActors server";
}
