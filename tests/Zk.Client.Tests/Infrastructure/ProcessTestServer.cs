// A server the suite started as a child process (Apache ZooKeeper, ZkActors or a command line), with the zoo.cfg
// every run of the suite uses: a short tickTime so sessions expire quickly, TTL nodes on and a fast container/TTL
// reaper. Disposing it kills the process by PID.
using System.Globalization;

namespace Zk.Client.Tests.Infrastructure;

public sealed class ProcessTestServer : ITestServer
{
    private const int TickMs = 250;
    private const int ReaperMs = 250;

    private readonly ServerProcess _process;

    private ProcessTestServer(ServerProcess process, bool supportsTtl, TimeSpan? reaperInterval)
    {
        _process = process;
        SupportsTtl = supportsTtl;
        ReaperInterval = reaperInterval;
    }

    public string Name => _process.Name;

    public string ConnectString => _process.ConnectString;

    public TimeSpan TickTime => TimeSpan.FromMilliseconds(TickMs);

    public bool SupportsTtl { get; }

    public TimeSpan? ReaperInterval { get; }

    /// <summary>The zoo.cfg keys of every server this suite starts (on top of the test defaults).</summary>
    public static IReadOnlyDictionary<string, string> Config { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["tickTime"] = TickMs.ToString(CultureInfo.InvariantCulture),
        ["minSessionTimeout"] = "500",
        ["maxSessionTimeout"] = "60000",
        ["extendedTypesEnabled"] = "true",
        ["znode.container.checkIntervalMs"] = ReaperMs.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Apache ZooKeeper 3.8's standalone main, with TTL nodes and a fast container/TTL reaper.</summary>
    public static Task<ITestServer> StartApacheAsync() => StartAsync(
        new ApacheZooKeeperProcess(Config, new Dictionary<string, string> { ["zookeeper.extendedTypesEnabled"] = "true" }, "apache"),
        supportsTtl: true, TimeSpan.FromMilliseconds(ReaperMs));

    /// <summary>ZkActors (the built zkactors.dll), configured like Apache ZooKeeper.</summary>
    public static Task<ITestServer> StartZkActorsAsync() =>
        StartAsync(new ZkActorsProcess(Config, "zkactors"), supportsTtl: true, TimeSpan.FromMilliseconds(ReaperMs));

    /// <summary>Any zoo.cfg-driven server; what it supports comes from the environment (OtherServerTraits).</summary>
    public static Task<ITestServer> StartCommandAsync(string commandLine) =>
        StartAsync(new CommandServerProcess(Config, commandLine), OtherServerTraits.SupportsTtl, OtherServerTraits.ReaperInterval);

    private static async Task<ITestServer> StartAsync(ServerProcess process, bool supportsTtl, TimeSpan? reaperInterval) =>
        new ProcessTestServer(await ServerProcess.StartOrDisposeAsync(process).ConfigureAwait(false), supportsTtl, reaperInterval);

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
