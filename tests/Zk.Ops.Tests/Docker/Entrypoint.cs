// Runs docker/docker-entrypoint.sh on the host, without Docker, with `true` as the command: it only writes zoo.cfg and
// myid into the directories the ZOO_* variables name.

namespace Zk.Ops.Tests.Docker;

public static class Entrypoint
{
    public static string Script => Path.Combine(TestPaths.RepoRoot, "docker", "docker-entrypoint.sh");

    /// <summary>Writes a node's files under <paramref name="dir"/> (conf/, data/, datalog/); returns the zoo.cfg path.</summary>
    public static async Task<string> GenerateAsync(string dir, IReadOnlyDictionary<string, string> variables)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ZOO_CONF_DIR"] = Path.Combine(dir, "conf"),
            ["ZOO_DATA_DIR"] = Path.Combine(dir, "data"),
            ["ZOO_DATA_LOG_DIR"] = Path.Combine(dir, "datalog"),
        };
        foreach (var (k, v) in variables) env[k] = v;
        var result = await ExternalTool.RunAsync("/bin/bash", [Script, "true"], environment: env);
        Assert.True(result.ExitCode == 0, $"the entry point failed ({result.ExitCode}):\n{result.Stdout}\n{result.Stderr}");
        return Path.Combine(env["ZOO_CONF_DIR"], "zoo.cfg");
    }

    public static Dictionary<string, string> ReadConfig(string path) =>
        File.ReadAllLines(path).Where(l => l.Contains('=', StringComparison.Ordinal) && !l.StartsWith('#'))
            .Select(l => (Key: l[..l.IndexOf('=', StringComparison.Ordinal)], Value: l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..]))
            .GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
}
