// Apache ZooKeeper 3.8 from the Debian packages as a child process: ZooKeeperServerMain for a standalone config,
// QuorumPeerMain when the config lists server.N lines. Java system properties (jute.maxbuffer, the container reaper
// interval, the admin server) are passed with -D, because ZooKeeper reads several of them only from there.
using System.Diagnostics;

namespace Zk.TestSupport;

public sealed class ApacheZooKeeperProcess : ServerProcess
{
    // zoo.cfg keys ZooKeeper reads as plain system properties (no "zookeeper." prefix) rather than from the file.
    private static readonly string[] UnprefixedProperties = ["jute.maxbuffer", "znode.container.checkIntervalMs", "znode.container.maxPerMinute", "znode.container.maxNeverUsedIntervalMs"];

    // zoo.cfg keys of the admin server, which reads them as "zookeeper."-prefixed system properties.
    private static readonly string[] AdminProperties = ["admin.enableServer", "admin.serverAddress", "admin.serverPort"];

    private readonly Dictionary<string, string> _systemProperties;

    public ApacheZooKeeperProcess(
        IReadOnlyDictionary<string, string>? config = null,
        IReadOnlyDictionary<string, string>? systemProperties = null,
        string name = "apache-zk",
        string? directory = null,
        int? myId = null)
        : base(name, config, directory, myId)
    {
        _systemProperties = new Dictionary<string, string>(systemProperties ?? new Dictionary<string, string>(), StringComparer.Ordinal);
    }

    /// <summary>Creates and starts a server; disposes it if it does not come up.</summary>
    public static Task<ApacheZooKeeperProcess> LaunchAsync(
        IReadOnlyDictionary<string, string>? config = null,
        IReadOnlyDictionary<string, string>? systemProperties = null,
        string name = "apache-zk") =>
        StartOrDisposeAsync(new ApacheZooKeeperProcess(config, systemProperties, name));

    protected override ProcessStartInfo BuildStartInfo(string configPath)
    {
        var psi = new ProcessStartInfo(TestPaths.Java);
        var props = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["zookeeper.log.dir"] = WorkDir,
            ["zookeeper.root.logger"] = "INFO,CONSOLE",
        };
        foreach (var key in UnprefixedProperties)
        {
            if (Config.TryGetValue(key, out var v)) props[key] = v;
        }
        foreach (var key in AdminProperties)
        {
            if (Config.TryGetValue(key, out var v)) props["zookeeper." + key] = v;
        }
        foreach (var (k, v) in _systemProperties) props[k] = v;
        foreach (var arg in new[] { "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1" }) psi.ArgumentList.Add(arg);
        foreach (var (k, v) in props) psi.ArgumentList.Add($"-D{k}={v}");
        psi.ArgumentList.Add("-cp");
        psi.ArgumentList.Add(TestPaths.ZooKeeperClassPath);
        psi.ArgumentList.Add(IsEnsembleMember ? "org.apache.zookeeper.server.quorum.QuorumPeerMain" : "org.apache.zookeeper.server.ZooKeeperServerMain");
        psi.ArgumentList.Add(configPath);
        return psi;
    }

    protected override bool ExitedBecausePortWasTaken(int exitCode, string log) =>
        log.Contains("Address already in use", StringComparison.Ordinal);
}
