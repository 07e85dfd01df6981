// Where the things the tests run live: the repository, the built zkactors.dll (run from a private copy), Apache
// ZooKeeper's Debian install, its C client, Debian's Python with kazoo, Chromium, docker and docker-compose, and the files
// copied next to a test assembly. An environment variable overrides each one. Thread-safe.
using System.Reflection;
using System.Runtime.InteropServices;

namespace Zk.TestSupport;

public static class TestPaths
{
    /// <summary>The repository root, baked in at build time; ZK_REPO_ROOT overrides it.</summary>
    public static string RepoRoot =>
        Environment.GetEnvironmentVariable("ZK_REPO_ROOT") ?? Metadata("ZkTestSupport.RepoRoot") ?? FindRepoRoot();

    /// <summary>The configuration (Debug or Release) the tests were built in.</summary>
    public static string BuildConfiguration => Metadata("ZkTestSupport.Configuration") ?? "Debug";

    /// <summary>
    /// The zkactors.dll to start: a private copy, made once per test process, of <see cref="BuiltZkActorsDll"/>. Nothing
    /// is built here; the copy keeps running servers safe from a concurrent rebuild overwriting their assemblies.
    /// </summary>
    public static string ZkActorsDll => PrivateCopy.Value;

    /// <summary>ZKACTORS_DLL, else the server built in the tests' configuration, else the newer of Debug and Release.</summary>
    public static string BuiltZkActorsDll
    {
        get
        {
            if (Environment.GetEnvironmentVariable("ZKACTORS_DLL") is { Length: > 0 } explicitDll) return explicitDll;
            string Candidate(string config) => Path.Combine(RepoRoot, "src", "Zk.Host", "bin", config, "net10.0", "zkactors.dll");
            var same = Candidate(BuildConfiguration);
            if (File.Exists(same)) return same;
            var newest = new[] { Candidate("Debug"), Candidate("Release") }
                .Where(File.Exists)
                .OrderByDescending(File.GetLastWriteTimeUtc)
                .FirstOrDefault();
            return newest ?? throw new FileNotFoundException(
                $"zkactors.dll is not built (looked for {same}); run `dotnet build` on the solution first");
        }
    }

    public static string Java => Environment.GetEnvironmentVariable("ZK_JAVA") ?? "/usr/bin/java";

    /// <summary>The classpath zkEnv.sh builds: the conf dir (log4j.properties) and zookeeper.jar, whose manifest lists the rest.</summary>
    public static string ZooKeeperClassPath =>
        Environment.GetEnvironmentVariable("ZK_CLASSPATH") ?? "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar";

    public static string ZkCli => Environment.GetEnvironmentVariable("ZK_CLI") ?? "/usr/share/zookeeper/bin/zkCli.sh";

    public static string CliMt => Environment.GetEnvironmentVariable("ZK_CLI_MT") ?? "/usr/lib/zookeeper/bin/cli_mt";

    /// <summary>The system Python that has python3-kazoo (not whatever python3 comes first on PATH).</summary>
    public static string Python => Environment.GetEnvironmentVariable("ZK_PYTHON") ?? "/usr/bin/python3";

    public static string Chromium => Environment.GetEnvironmentVariable("ZK_CHROMIUM") ?? "/usr/bin/chromium";

    public static string DockerCompose => Environment.GetEnvironmentVariable("ZK_DOCKER_COMPOSE") ?? "/usr/bin/docker-compose";

    /// <summary>Debian's docker.io client, the same version as the dockerd ./test.sh starts (not a newer one first on PATH).</summary>
    public static string Docker => Environment.GetEnvironmentVariable("ZK_DOCKER") ?? "/usr/bin/docker";

    /// <summary>The dotnet host running the tests, for starting other .NET programs the same way.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH")
        ?? (Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet");

    /// <summary>A file copied next to the test assembly (scripts, transcripts).</summary>
    public static string TestFile(params string[] parts) => Path.Combine([AppContext.BaseDirectory, .. parts]);

    /// <summary>Whether ZK_KEEP_TEST_DIRS asks to keep servers' temp directories for a look after the run.</summary>
    public static bool KeepTestDirectories => Environment.GetEnvironmentVariable("ZK_KEEP_TEST_DIRS") is { Length: > 0 };

    private static readonly Lazy<string> PrivateCopy = new(CopyServerBinaries);

    // The top-level files and this platform's native assets (the SQLite library); other platforms' are skipped.
    private static string CopyServerBinaries()
    {
        var built = BuiltZkActorsDll;
        var source = Path.GetDirectoryName(Path.GetFullPath(built))!;
        var target = Directory.CreateTempSubdirectory("zktest-bin-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(target);
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        var native = Path.Combine(source, "runtimes", RuntimeInformation.RuntimeIdentifier);
        if (Directory.Exists(native))
        {
            foreach (var file in Directory.GetFiles(native, "*", SearchOption.AllDirectories))
            {
                var to = Path.Combine(target, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Copy(file, to);
            }
        }
        return Path.Combine(target, Path.GetFileName(built));
    }

    /// <summary>Deletes a temp directory, leaving it for the OS when a dying process still holds a file in it.</summary>
    public static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the OS to clean from /tmp.
        }
    }

    private static string? Metadata(string key) =>
        typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Zk.Actors.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("cannot find Zk.Actors.sln above " + AppContext.BaseDirectory);
    }
}
