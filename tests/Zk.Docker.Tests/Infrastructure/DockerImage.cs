// The image under test, built once per test run by scripts/docker-image.sh (the script users run): a Debian base made
// with debootstrap, a self-contained publish, the repository's Dockerfile. Both images carry this run's id in their
// names and are removed by those names at the end. Without a Docker engine every test of the collection fails with
// the reason. Shared by the "docker" collection, whose tests run one after another.
using System.Diagnostics;
using System.Security.Cryptography;

namespace Zk.Docker.Tests.Infrastructure;

public sealed class DockerImage : IAsyncLifetime
{
    /// <summary>Names everything this run creates: images, compose projects, containers.</summary>
    public string RunId { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    public string Tag => $"zkactors-test-{RunId}:latest";

    public string BaseTag => $"zkactors-test-base-{RunId}:bookworm";

    /// <summary>How long making the base image, publishing and building took (they overlap).</summary>
    public TimeSpan BuildTime { get; private set; }

    public string BuildLog { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var info = await ExternalTool.RunAsync(TestPaths.Docker, ["info", "--format", "{{.ServerVersion}} {{.Driver}}"], timeout: TimeSpan.FromSeconds(30));
        if (info.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"the Docker engine does not answer ({TestPaths.Docker} info exited {info.ExitCode}: {info.Combined.Trim()}). These tests need a " +
                "running dockerd; ./test.sh starts one and runs this project only when it could, saying so when it could not.");
        }
        var clock = Stopwatch.StartNew();
        var build = await ExternalTool.RunAsync(
            "/bin/bash",
            [Path.Combine(TestPaths.RepoRoot, "scripts", "docker-image.sh"), "--tag", Tag, "--base-tag", BaseTag],
            timeout: TimeSpan.FromMinutes(20),
            environment: new Dictionary<string, string> { ["DOCKER"] = TestPaths.Docker, ["DOTNET"] = TestPaths.DotnetHost },
            mergeStderr: true,
            workingDirectory: TestPaths.RepoRoot);
        BuildTime = clock.Elapsed;
        BuildLog = $"docker {info.Stdout.Trim()}\n{build.Stdout}";
        if (build.ExitCode != 0)
        {
            var left = await RemoveAsync();
            throw new InvalidOperationException($"scripts/docker-image.sh failed (exit {build.ExitCode}):\n{build.Stdout}\n{string.Join('\n', left)}");
        }
    }

    public async Task DisposeAsync()
    {
        var left = await RemoveAsync();
        if (left.Count > 0) throw new InvalidOperationException("images of this run could not be removed:\n" + string.Join('\n', left));
    }

    /// <summary>Removes both images by name; returns what could not be removed.</summary>
    private async Task<List<string>> RemoveAsync()
    {
        var left = new List<string>();
        // The script removes the build stage's image itself; it is named here too in case the script was interrupted.
        foreach (var image in new[] { Tag, $"zkactors-test-{RunId}-build-stage:latest", BaseTag })
        {
            if (!await DockerCli.ExistsAsync("image", image)) continue;
            var rmi = await DockerCli.TryAsync("rmi", image);
            if (rmi.ExitCode != 0) left.Add($"{image}: {rmi.Combined.Trim()}");
        }
        return left;
    }
}

[CollectionDefinition("docker")]
public sealed class DockerCollection : ICollectionFixture<DockerImage>;
