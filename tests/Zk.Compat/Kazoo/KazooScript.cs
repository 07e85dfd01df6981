// Runs one scenario of a kazoo script (Kazoo/*.py, copied next to the tests) with the system Python against a
// server, and fails the test with the script's output unless it prints "OK <scenario>" and exits 0.

namespace Zk.Compat.Kazoo;

public static class KazooScript
{
    public static async Task RunAsync(ITestOutputHelper output, string script, ServerProcess server, string scenario, params string[] args)
    {
        var result = await ExternalTool.RunAsync(
            TestPaths.Python,
            [TestPaths.TestFile("Kazoo", script), server.ConnectString, scenario, .. args],
            timeout: TimeSpan.FromSeconds(120),
            environment: new Dictionary<string, string> { ["PYTHONDONTWRITEBYTECODE"] = "1", ["PYTHONUNBUFFERED"] = "1" },
            workingDirectory: TestPaths.TestFile("Kazoo"));
        output.WriteLine($"==== {script} {scenario} (exit {result.ExitCode}) ====\n{result.Stdout}\n{result.Stderr}");
        Assert.True(result.ExitCode == 0 && result.Stdout.Contains($"OK {scenario}", StringComparison.Ordinal),
            $"{script} {scenario} failed with exit code {result.ExitCode}:\n{result.Stdout}\n{result.Stderr}");
    }
}
