// Loads zoo.cfg text against an in-memory set of files (dynamic config, myid) for the config specifications.
using Zk.Host.Config;

namespace Zk.Host.Tests.Config;

internal static class ConfigTestSupport
{
    public const string SourcePath = "/etc/zk/zoo.cfg";

    /// <summary>Two lines every standalone config needs, so the line under test is line 3.</summary>
    public const string Preamble = "dataDir=/var/zk\nclientPort=2181\n";

    public static LoadedConfig Load(string text, IReadOnlyDictionary<string, string>? files = null) =>
        ServerConfigLoader.Parse(text, SourcePath, path => files?.GetValueOrDefault(path));

    public static ServerConfig ConfigOf(string text, IReadOnlyDictionary<string, string>? files = null) => Load(text, files).Config;

    public static ConfigException Refused(string text, IReadOnlyDictionary<string, string>? files = null) =>
        Assert.Throws<ConfigException>(() => Load(text, files));

    public static Dictionary<string, string> MyId(long id, string dataDir = "/var/zk") => new() { [$"{dataDir}/myid"] = $"{id}\n" };

    public const string ThreeServers =
        "tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=/var/zk\nclientPort=2181\n" +
        "server.1=zk1:2888:3888\nserver.2=zk2:2888:3888\nserver.3=zk3:2888:3888\n";
}
