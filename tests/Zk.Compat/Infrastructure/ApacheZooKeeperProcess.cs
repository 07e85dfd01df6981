// Apache ZooKeeper 3.8 from the Debian packages as a child process: ZooKeeperServerMain for a standalone config,
// QuorumPeerMain when the config lists server.N lines. Java system properties (extendedTypesEnabled, jute.maxbuffer,
// the container reaper interval) are passed with -D, because ZooKeeper reads several of them only from there.
using System.Diagnostics;

namespace Zk.Compat.Infrastructure;

public sealed class ApacheZooKeeperProcess : ServerProcess
{
    // zoo.cfg keys ZooKeeper reads as plain system properties (no "zookeeper." prefix) rather than from the file.
    private static readonly string[] UnprefixedProperties = ["jute.maxbuffer", "znode.container.checkIntervalMs", "znode.container.maxPerMinute", "znode.container.maxNeverUsedIntervalMs"];

    private readonly Dictionary<string, string> _systemProperties;

    public ApacheZooKeeperProcess(
        IReadOnlyDictionary<string, string>? config = null,
        IReadOnlyDictionary<string, string>? systemProperties = null,
        string name = "apache-zk",
        string? directory = null,
        int? myId = null)
        : base(name, WithAdminServerOff(config), directory, myId)
    {
        _systemProperties = new Dictionary<string, string>(systemProperties ?? new Dictionary<string, string>(), StringComparer.Ordinal);
    }

    public static async Task<ApacheZooKeeperProcess> LaunchAsync(
        IReadOnlyDictionary<string, string>? config = null,
        IReadOnlyDictionary<string, string>? systemProperties = null,
        string name = "apache-zk")
    {
        var server = new ApacheZooKeeperProcess(config, systemProperties, name);
        try
        {
            await server.StartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    protected override ProcessStartInfo BuildStartInfo(string configPath)
    {
        var psi = new ProcessStartInfo(CompatPaths.Java);
        var props = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["zookeeper.log.dir"] = WorkDir,
            ["zookeeper.root.logger"] = "INFO,CONSOLE",
            ["zookeeper.admin.enableServer"] = "false",
        };
        foreach (var key in UnprefixedProperties)
        {
            if (Config.TryGetValue(key, out var v)) props[key] = v;
        }
        foreach (var (k, v) in _systemProperties) props[k] = v;
        foreach (var arg in new[] { "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1" }) psi.ArgumentList.Add(arg);
        foreach (var (k, v) in props) psi.ArgumentList.Add($"-D{k}={v}");
        psi.ArgumentList.Add("-cp");
        psi.ArgumentList.Add(CompatPaths.ZooKeeperClassPath);
        psi.ArgumentList.Add(IsEnsembleMember ? "org.apache.zookeeper.server.quorum.QuorumPeerMain" : "org.apache.zookeeper.server.ZooKeeperServerMain");
        psi.ArgumentList.Add(configPath);
        return psi;
    }

    protected override bool ExitedBecausePortWasTaken(int exitCode, string log) =>
        log.Contains("Address already in use", StringComparison.Ordinal);

    private static Dictionary<string, string> WithAdminServerOff(IReadOnlyDictionary<string, string>? config)
    {
        var c = new Dictionary<string, string>(StringComparer.Ordinal) { ["admin.enableServer"] = "false" };
        foreach (var (k, v) in config ?? new Dictionary<string, string>()) c[k] = v;
        return c;
    }
}
