// The image itself, one container at a time (`docker run` on a network of the test's own, its client port published
// on 127.0.0.1): the server is PID 1 and runs as the non-root user 1654, owning its data; `docker stop` with a client
// connected ends it through SIGTERM with exit code 0 well within Docker's 10 s, and so does a stop while the entry
// point still waits for a peer's name. Each container is removed by name with its volumes, each network by name.
using System.Diagnostics;
using System.Globalization;
using Zk.Docker.Tests.Infrastructure;

namespace Zk.Docker.Tests;

[Collection("docker")]
public sealed class ImageTests(DockerImage image, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<string> _containers = [];
    private readonly List<string> _networks = [];

    [Fact]
    public async Task The_server_is_PID_1_and_runs_as_the_non_root_user_1654_which_owns_its_data()
    {
        var (name, _) = await RunStandaloneAsync("user");
        Assert.Equal("1654:1654", await DockerCli.InspectAsync(image.Tag, "{{.Config.User}}"));
        Assert.Equal("uid=1654(app) gid=1654(app) groups=1654(app)", await DockerCli.RunAsync("exec", name, "id"));
        // PID 1 is the server's own executable (the self-contained apphost), not a shell that would swallow SIGTERM.
        Assert.Equal("/opt/zkactors/zkactors /conf/zoo.cfg", (await DockerCli.RunAsync("exec", name, "cat", "/proc/1/cmdline")).Replace('\0', ' ').Trim());
        var status = await DockerCli.RunAsync("exec", name, "cat", "/proc/1/status");
        Assert.Contains("Uid:\t1654\t1654\t1654\t1654", status, StringComparison.Ordinal);
        Assert.Contains("Gid:\t1654\t1654\t1654\t1654", status, StringComparison.Ordinal);
        // The data and the journal the server wrote belong to that user.
        var owners = await DockerCli.RunAsync("exec", name, "sh", "-c", "find /data /datalog -mindepth 1 -printf '%u %p\\n'");
        output.WriteLine(owners);
        Assert.Contains("app /data/myid", owners, StringComparison.Ordinal);
        Assert.Contains("app /datalog/", owners, StringComparison.Ordinal);
        Assert.DoesNotContain("root ", owners, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Docker_stop_with_a_client_connected_ends_the_server_by_SIGTERM_with_exit_code_0_within_10_s()
    {
        var (name, port) = await RunStandaloneAsync("stop");
        await using var client = Kazoo.Start($"127.0.0.1:{port}", "hold");
        var connected = await client.ReadUntilAsync(l => l.StartsWith("CONNECTED", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        output.WriteLine(connected[^1]);

        var clock = Stopwatch.StartNew();
        // Docker's default: SIGTERM, then SIGKILL (exit code 137) after 10 s.
        await DockerCli.RunAsync("stop", name);
        var took = clock.Elapsed;
        output.WriteLine($"STOP docker stop took {took.TotalSeconds:F1} s");
        Assert.Equal("0", await DockerCli.InspectAsync(name, "{{.State.ExitCode}}"));
        Assert.True(took < TimeSpan.FromSeconds(10), $"docker stop took {took.TotalSeconds:F1} s");
        var logs = await DockerCli.TryAsync("logs", "--tail", "5", name);
        Assert.Contains("stopped; journal flushed", logs.Combined, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Docker_stop_while_the_entry_point_waits_for_a_peers_name_ends_the_container_at_once()
    {
        // PID 1 is the entry point's shell until it execs the server; without its trap it would ignore SIGTERM.
        var name = $"zkactors-test-{image.RunId}-waiting";
        _containers.Add(name);
        await DockerCli.RunAsync("run", "-d", "--name", name, "--network", "none", "-e", "ZOO_MY_ID=1", "-e", "ZOO_STANDALONE_ENABLED=false",
            "-e", "ZOO_SERVERS=server.1=localhost:2888:3888;2181 server.2=zoo-nowhere:2888:3888;2181", image.Tag);
        await Eventually.HoldsAsync(async () => (await DockerCli.TryAsync("exec", name, "cat", "/proc/1/cmdline")).Stdout.Contains("docker-entrypoint.sh", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), () => $"{name}'s entry point waiting for zoo-nowhere");
        var clock = Stopwatch.StartNew();
        await DockerCli.RunAsync("stop", name);
        output.WriteLine($"docker stop of the waiting entry point took {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal("143", await DockerCli.InspectAsync(name, "{{.State.ExitCode}}"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"docker stop took {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>A standalone server from the image, named after this run, its client port published on 127.0.0.1.</summary>
    private async Task<(string Name, int Port)> RunStandaloneAsync(string role)
    {
        var name = $"zkactors-test-{image.RunId}-{role}";
        var port = FreePort.Next();
        // A bridge network of the test's own (not Docker's default one), removed by name afterwards.
        _networks.Add(name);
        await DockerCli.RunAsync("network", "create", name);
        _containers.Add(name);
        await DockerCli.RunAsync("run", "-d", "--name", name, "--network", name, "-p", $"127.0.0.1:{port}:2181", image.Tag);
        await Eventually.HoldsAsync(async () => (await FourLetterWord.TryAsync(port, "srvr"))?.Contains("Mode: standalone", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(60), () => $"{name} serving on 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        return (name, port);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        var left = new List<string>();
        foreach (var name in _containers)
        {
            if (!await DockerCli.ExistsAsync("container", name)) continue;
            output.WriteLine($"==== docker logs {name} ====\n{(await DockerCli.TryAsync("logs", "--tail", "30", name)).Combined}");
            // The image's VOLUME lines gave the container two anonymous volumes: removed with it (-v), then checked by name.
            var volumes = (await DockerCli.InspectAsync(name, "{{range .Mounts}}{{.Name}} {{end}}")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            await DockerCli.TryAsync("rm", "-f", "-v", name);
            if (await DockerCli.ExistsAsync("container", name)) left.Add("container " + name);
            foreach (var volume in volumes)
            {
                if (await DockerCli.ExistsAsync("volume", volume)) await DockerCli.TryAsync("volume", "rm", "-f", volume);
                if (await DockerCli.ExistsAsync("volume", volume)) left.Add("volume " + volume);
            }
        }
        foreach (var network in _networks)
        {
            if (await DockerCli.ExistsAsync("network", network)) await DockerCli.TryAsync("network", "rm", network);
            if (await DockerCli.ExistsAsync("network", network)) left.Add("network " + network);
        }
        Assert.True(left.Count == 0, "left behind: " + string.Join(", ", left));
    }
}
