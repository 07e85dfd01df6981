// The real clients the docker scenarios drive through the published 127.0.0.1 ports: Apache's zkCli.sh (Debian's
// zookeeper package) fed a script on stdin, and kazoo (Debian's python3-kazoo) through ensemble_client.py. Thread-safe.
namespace Zk.Docker.Tests.Infrastructure;

public static class ZkCli
{
    private static readonly Dictionary<string, string> Environment = new()
    {
        ["CLIENT_JVMFLAGS"] = "-Xshare:auto -XX:TieredStopAtLevel=1 -Dzookeeper.root.logger=WARN,CONSOLE",
    };

    /// <summary>Runs the commands in one zkCli.sh session against <paramref name="hosts"/>; returns what it printed.</summary>
    public static async Task<string> RunAsync(string hosts, params string[] commands)
    {
        var result = await ExternalTool.RunAsync(TestPaths.ZkCli, ["-server", hosts, "-waitforconnection"],
            stdin: string.Join('\n', [.. commands, "quit"]) + "\n", timeout: TimeSpan.FromSeconds(120), environment: Environment,
            mergeStderr: true);
        Assert.True(result.ExitCode == 0, $"zkCli.sh -server {hosts} exited {result.ExitCode}:\n{result.Stdout}");
        return result.Stdout;
    }
}

public static class Kazoo
{
    private static readonly Dictionary<string, string> Environment = new() { ["PYTHONDONTWRITEBYTECODE"] = "1", ["PYTHONUNBUFFERED"] = "1" };

    private static string Script => TestPaths.TestFile("ensemble_client.py");

    /// <summary>Runs one ensemble_client.py command to completion; fails the test unless it exits 0.</summary>
    public static async Task<string> RunAsync(string hosts, string command, string[] args, string? stdin = null)
    {
        var result = await ExternalTool.RunAsync(TestPaths.Python, [Script, hosts, command, .. args], stdin: stdin,
            timeout: TimeSpan.FromSeconds(120), environment: Environment);
        Assert.True(result.ExitCode == 0, $"kazoo {command} {string.Join(' ', args)} against {hosts} exited {result.ExitCode}:\n{result.Combined}");
        return result.Stdout;
    }

    /// <summary>A long-running command (writer, hold), talked to over stdin and read line by line.</summary>
    public static InteractiveProcess Start(string hosts, string command, params string[] args) =>
        InteractiveProcess.Start(TestPaths.Python, [Script, hosts, command, .. args], environment: Environment);
}
