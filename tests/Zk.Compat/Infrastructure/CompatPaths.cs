// Where the things the compatibility tests run live: the built zkactors.dll, Apache ZooKeeper's Debian install,
// kazoo's Python and the scripts copied next to this assembly. Environment variables override each one.
using System.Reflection;

namespace Zk.Compat.Infrastructure;

public static class CompatPaths
{
    /// <summary>The repository root, baked in at build time; ZKCOMPAT_REPO_ROOT overrides it.</summary>
    public static string RepoRoot =>
        Environment.GetEnvironmentVariable("ZKCOMPAT_REPO_ROOT") ?? Metadata("ZkCompat.RepoRoot") ?? FindRepoRoot();

    /// <summary>The configuration (Debug or Release) this test assembly was built in.</summary>
    public static string BuildConfiguration => Metadata("ZkCompat.Configuration") ?? "Debug";

    /// <summary>
    /// The zkactors.dll to start: a private copy, made once per test run, of ZKACTORS_DLL or else of the server built
    /// in the same configuration as the tests (or whichever of Debug and Release is newer). Nothing is built here; the
    /// copy keeps running servers safe from a concurrent rebuild overwriting their assemblies.
    /// </summary>
    public static string ZkActorsDll => PrivateCopy.Value;

    /// <summary>The built zkactors.dll the private copy is taken from.</summary>
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

    private static readonly Lazy<string> PrivateCopy = new(CopyServerBinaries);

    // The top-level files and this platform's native assets (the SQLite library); other platforms' are skipped.
    private static string CopyServerBinaries()
    {
        var source = Path.GetDirectoryName(Path.GetFullPath(BuiltZkActorsDll))!;
        var target = Directory.CreateTempSubdirectory("zkcompat-bin-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(target);
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        var rid = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;
        var native = Path.Combine(source, "runtimes", rid);
        if (Directory.Exists(native))
        {
            foreach (var file in Directory.GetFiles(native, "*", SearchOption.AllDirectories))
            {
                var to = Path.Combine(target, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Copy(file, to);
            }
        }
        return Path.Combine(target, Path.GetFileName(BuiltZkActorsDll));
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean from /tmp.
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

    /// <summary>A file copied next to the test assembly (Kazoo/*.py, ZkCli/*.txt).</summary>
    public static string TestFile(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, .. parts]);

    private static string? Metadata(string key) =>
        typeof(CompatPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == key)?.Value;

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Zk.Actors.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("cannot find Zk.Actors.sln above " + AppContext.BaseDirectory);
    }
}
