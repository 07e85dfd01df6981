// The compose files as docker-compose itself reads them (`docker-compose config`, no engine needed): a 3-node and a
// 5-node ensemble, each service with the health check, a restart policy, named volumes for data and journal, ports
// published on 127.0.0.1 only, the file's own network, and ZOO_SERVERS naming every member. Also the Dockerfile's
// shape: base images as build arguments defaulting to Microsoft's, non-root, data in volumes. tests/Zk.Docker.Tests
// runs both for real.

namespace Zk.Ops.Tests.Docker;

public sealed class ComposeFileTests
{
    [Theory]
    [InlineData("docker-compose.yml", 3)]
    [InlineData("docker-compose.5-node.yml", 5)]
    public async Task Compose_file_validates_and_describes_a_healthy_ensemble(string file, int nodes)
    {
        Assert.True(File.Exists(TestPaths.DockerCompose), $"{TestPaths.DockerCompose} is missing: ./test.sh installs Debian's docker-compose");
        var path = Path.Combine(TestPaths.RepoRoot, file);
        // PyYAML folds the long ZOO_SERVERS value over several lines; unfold it so it reads as written.
        var config = System.Text.RegularExpressions.Regex.Replace(await ComposeAsync(path, "config"), @"\n\s+(?=server\.)", " ");
        var services = (await ComposeAsync(path, "config", "--services")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToList();
        Assert.Equal(Enumerable.Range(1, nodes).Select(i => $"zoo{i}"), services);
        var volumes = (await ComposeAsync(path, "config", "--volumes")).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        var servers = string.Join(' ', Enumerable.Range(1, nodes).Select(i => $"server.{i}=zoo{i}:2888:3888;2181"));
        for (var i = 1; i <= nodes; i++)
        {
            Assert.Contains($"zoo{i}-data", volumes);
            Assert.Contains($"zoo{i}-datalog", volumes);
            Assert.Contains($"ZOO_MY_ID: '{i}'", config, StringComparison.Ordinal);
        }
        Assert.Equal(nodes, Count(config, "restart: unless-stopped"));
        Assert.Equal(nodes, Count(config, "- zk-healthcheck.sh"));
        Assert.Equal(nodes, Count(config, $"ZOO_SERVERS: {servers}"));
        Assert.Equal(nodes, Count(config, "ruok"));
        Assert.Equal(nodes, Count(config, ":/data:rw"));
        Assert.Equal(nodes, Count(config, ":/datalog:rw"));
        // Every published port binds loopback only; the members share one network of the file's own.
        var published = config.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("- ", StringComparison.Ordinal) && l.EndsWith("/tcp", StringComparison.Ordinal)).ToList();
        Assert.Equal(2 * nodes, published.Count);
        Assert.All(published, p => Assert.StartsWith("- 127.0.0.1:", p, StringComparison.Ordinal));
        for (var i = 1; i <= nodes; i++)
        {
            Assert.Contains($"- 127.0.0.1:{2180 + i}:2181/tcp", published);
            Assert.Contains($"- 127.0.0.1:{8080 + i}:8080/tcp", published);
        }
        Assert.Equal(nodes, Count(config, "ensemble: null"));
        Assert.Equal(nodes, Count(config, "image: zkactors:latest"));
    }

    [Fact]
    public void Dockerfile_takes_its_base_images_as_arguments_defaulting_to_the_sdk_and_aspnet_and_runs_as_non_root_with_data_in_volumes()
    {
        var text = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "Dockerfile"));
        Assert.Contains("ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0", text, StringComparison.Ordinal);
        Assert.Contains("ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0", text, StringComparison.Ordinal);
        Assert.Contains("FROM ${SDK_IMAGE} AS build", text, StringComparison.Ordinal);
        Assert.Contains("FROM ${RUNTIME_IMAGE} AS runtime", text, StringComparison.Ordinal);
        Assert.Contains("ARG PUBLISHED=", text, StringComparison.Ordinal);
        // A "# syntax=" line would make BuildKit fetch a frontend image from a registry.
        Assert.DoesNotContain("# syntax=", text, StringComparison.Ordinal);
        Assert.Contains("USER 1654:1654", text, StringComparison.Ordinal);
        Assert.Contains("VOLUME [\"/data\", \"/datalog\"]", text, StringComparison.Ordinal);
        Assert.Contains("ENTRYPOINT [\"docker-entrypoint.sh\"]", text, StringComparison.Ordinal);
        Assert.Contains("HEALTHCHECK", text, StringComparison.Ordinal);
        foreach (var script in new[] { "docker-entrypoint.sh", "zk-healthcheck.sh", "zkactors" })
            Assert.True(File.Exists(Path.Combine(TestPaths.RepoRoot, "docker", script)), script);
    }

    private static async Task<string> ComposeAsync(string file, params string[] args)
    {
        var result = await ExternalTool.RunAsync(TestPaths.DockerCompose, ["-f", file, .. args], timeout: TimeSpan.FromSeconds(60),
            workingDirectory: TestPaths.RepoRoot);
        Assert.True(result.ExitCode == 0, $"docker-compose {string.Join(' ', args)} failed:\n{result.Combined}");
        return result.Stdout;
    }

    private static int Count(string text, string what)
    {
        var n = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}
