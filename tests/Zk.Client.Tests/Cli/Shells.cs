// The two shells the comparison tests run to completion: Apache's zkCli.sh and this repository's zkcli (with the
// dotnet host running the tests), both under TZ=UTC so Java and .NET print the same dates. Killed by PID on timeout.
namespace Zk.Client.Tests.Cli;

public static class Shells
{
    private static readonly Dictionary<string, string> Utc = new() { ["TZ"] = "UTC" };

    public static Task<ToolResult> ZkCliAsync(IEnumerable<string> args, string stdin = "") =>
        ExternalTool.RunAsync(TestPaths.ZkCli, args, stdin, environment: Utc);

    public static Task<ToolResult> ZkcliAsync(IEnumerable<string> args, string stdin = "") =>
        ExternalTool.RunAsync(TestPaths.DotnetHost, [Path.Combine(AppContext.BaseDirectory, "zkcli.dll"), .. args], stdin, environment: Utc);
}
