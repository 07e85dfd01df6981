// The servers the suite can run against besides the two it starts by default: one already running somewhere
// (ZK_TEST_SERVER=external, ZK_TEST_CONNECT=host:port), or any zoo.cfg-driven server started from a command line
// (ZK_TEST_SERVER=command, ZK_TEST_SERVER_COMMAND with {cfg}, {port} and {dataDir}). What they support is told
// through ZK_TEST_TICK_MS, ZK_TEST_TTL=1 and ZK_TEST_REAPER_MS.
using System.Diagnostics;
using System.Globalization;

namespace Zk.Client.Tests.Infrastructure;

public sealed class ExternalServer(string connectString) : ITestServer
{
    public string Name => "external";

    public string ConnectString { get; } = connectString;

    // Unknown: ZooKeeper's sample defaults (tickTime 2000, TTL off, reaper every minute) unless told otherwise.
    public TimeSpan TickTime { get; } = TimeSpan.FromMilliseconds(
        int.TryParse(Environment.GetEnvironmentVariable("ZK_TEST_TICK_MS"), out var ms) ? ms : 2000);

    public bool SupportsTtl => OtherServerTraits.SupportsTtl;

    public TimeSpan? ReaperInterval => OtherServerTraits.ReaperInterval;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>A server started by a shell command line that reads the zoo.cfg written for it; killed by PID.</summary>
public sealed class CommandServerProcess(IReadOnlyDictionary<string, string> config, string commandLine)
    : ServerProcess("command", config, directory: null, myId: null)
{
    protected override ProcessStartInfo BuildStartInfo(string configPath)
    {
        var command = commandLine
            .Replace("{cfg}", configPath, StringComparison.Ordinal)
            .Replace("{port}", ClientPort.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{dataDir}", DataDir, StringComparison.Ordinal);
        // From the repository root, so the command may name projects and files relative to it.
        return new ProcessStartInfo("/bin/sh", ["-c", "exec " + command]) { WorkingDirectory = TestPaths.RepoRoot };
    }

    protected override bool ExitedBecausePortWasTaken(int exitCode, string log) => false;
}

/// <summary>What a server the suite did not configure itself supports, as the environment says.</summary>
public static class OtherServerTraits
{
    public static bool SupportsTtl => Environment.GetEnvironmentVariable("ZK_TEST_TTL") == "1";

    public static TimeSpan? ReaperInterval =>
        int.TryParse(Environment.GetEnvironmentVariable("ZK_TEST_REAPER_MS"), out var ms) ? TimeSpan.FromMilliseconds(ms) : null;
}
