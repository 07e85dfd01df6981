// The docker command line (Debian's docker.io client, TestPaths.Docker), run to completion with a deadline. RunAsync
// fails the test with the command's output when it exits non-zero; TryAsync leaves that to the caller. Thread-safe.
namespace Zk.Docker.Tests.Infrastructure;

public static class DockerCli
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    public static Task<ToolResult> TryAsync(params string[] args) => ExternalTool.RunAsync(TestPaths.Docker, args, timeout: Deadline);

    /// <summary>The command's stdout, trimmed; a failed command fails the test.</summary>
    public static async Task<string> RunAsync(params string[] args)
    {
        var result = await TryAsync(args);
        Assert.True(result.ExitCode == 0, $"docker {string.Join(' ', args)} exited {result.ExitCode}:\n{result.Combined}");
        return result.Stdout.Trim();
    }

    /// <summary>`docker inspect --format` of one object.</summary>
    public static Task<string> InspectAsync(string name, string format) => RunAsync("inspect", "--format", format, name);

    /// <summary>Whether a container, network, volume or image of that exact name exists.</summary>
    public static async Task<bool> ExistsAsync(string kind, string name) =>
        (await TryAsync(kind, "inspect", name)).ExitCode == 0;
}
