// Where the operations tests find what they run: the repository, the built zkactors.dll, Debian's Python (with kazoo),
// zkCli.sh, Chromium, and the TestResults folder that keeps artifacts such as the dashboard screenshot.
using System.Reflection;

namespace Zk.Ops.Tests.Infrastructure;

public static class OpsPaths
{
    public static string RepoRoot => Environment.GetEnvironmentVariable("ZKOPS_REPO_ROOT") ?? Metadata("ZkOps.RepoRoot")
        ?? throw new InvalidOperationException("the repository root was not baked into the test assembly");

    public static string BuildConfiguration => Metadata("ZkOps.Configuration") ?? "Debug";

    /// <summary>ZKACTORS_DLL, else the server built in the tests' configuration, else the newest build.</summary>
    public static string ZkActorsDll
    {
        get
        {
            if (Environment.GetEnvironmentVariable("ZKACTORS_DLL") is { Length: > 0 } explicitDll) return explicitDll;
            string Candidate(string config) => Path.Combine(RepoRoot, "src", "Zk.Host", "bin", config, "net10.0", "zkactors.dll");
            var same = Candidate(BuildConfiguration);
            if (File.Exists(same)) return same;
            return new[] { Candidate("Debug"), Candidate("Release") }.Where(File.Exists).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
                ?? throw new FileNotFoundException($"zkactors.dll is not built (looked for {same})");
        }
    }

    public static string Python => Environment.GetEnvironmentVariable("ZK_PYTHON") ?? "/usr/bin/python3";

    public static string ZkCli => Environment.GetEnvironmentVariable("ZK_CLI") ?? "/usr/share/zookeeper/bin/zkCli.sh";

    public static string Chromium => Environment.GetEnvironmentVariable("ZK_CHROMIUM") ?? "/usr/bin/chromium";

    public static string DockerCompose => Environment.GetEnvironmentVariable("ZK_DOCKER_COMPOSE") ?? "/usr/bin/docker-compose";

    /// <summary>tests/Zk.Ops.Tests/TestResults: screenshots and other artifacts a person may look at after a run.</summary>
    public static string TestResults
    {
        get
        {
            var dir = Path.Combine(RepoRoot, "tests", "Zk.Ops.Tests", "TestResults");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    public static string TestFile(params string[] parts) => Path.Combine([AppContext.BaseDirectory, .. parts]);

    private static string? Metadata(string key) =>
        typeof(OpsPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;
}
