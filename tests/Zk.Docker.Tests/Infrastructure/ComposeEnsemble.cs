// One compose file brought up for real under a project name of this run (zkactors-test-<run>-<n>node), with the
// image under test and free loopback ports substituted for the file's defaults (ZKACTORS_IMAGE, ZK_CLIENT_PORT_<i>,
// ZK_ADMIN_PORT_<i>). Members are reached only through the published 127.0.0.1 ports; containers are driven with the
// docker CLI. RemoveEverythingAsync removes the project's containers, network and volumes by name and reports what
// is left. One caller at a time.
using System.Diagnostics;
using System.Globalization;

namespace Zk.Docker.Tests.Infrastructure;

public sealed class ComposeEnsemble : IAsyncDisposable
{
    private static readonly string[] ServingModes = ["leader", "follower"];

    private readonly string _file;
    private readonly Dictionary<string, string> _environment;
    private readonly ITestOutputHelper _output;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public ComposeEnsemble(string file, int size, DockerImage image, ITestOutputHelper output)
    {
        _file = Path.Combine(TestPaths.RepoRoot, file);
        _output = output;
        Size = size;
        Project = $"zkactors-test-{image.RunId}-{size}node";
        ClientPorts = FreePort.Next(size);
        AdminPorts = FreePort.Next(size);
        _environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["ZKACTORS_IMAGE"] = image.Tag };
        for (var id = 1; id <= size; id++)
        {
            _environment[$"ZK_CLIENT_PORT_{id}"] = ClientPort(id).ToString(CultureInfo.InvariantCulture);
            _environment[$"ZK_ADMIN_PORT_{id}"] = AdminPorts[id - 1].ToString(CultureInfo.InvariantCulture);
        }
    }

    public int Size { get; }

    public string Project { get; }

    public int[] ClientPorts { get; }

    public int[] AdminPorts { get; }

    public IEnumerable<int> Ids => Enumerable.Range(1, Size);

    /// <summary>docker-compose 1.x names: project_service_index.</summary>
    public string Container(int id) => $"{Project}_zoo{id}_1";

    public string Network => $"{Project}_ensemble";

    public IEnumerable<string> Volumes => Ids.SelectMany(id => new[] { $"{Project}_zoo{id}-data", $"{Project}_zoo{id}-datalog" });

    public int ClientPort(int id) => ClientPorts[id - 1];

    /// <summary>A connect string of the given members' published client ports (all members when none are given).</summary>
    public string Hosts(params int[] ids) =>
        string.Join(',', (ids.Length == 0 ? Ids : ids).Select(id => $"127.0.0.1:{ClientPort(id)}"));

    /// <summary>Writes a line to the test output with the seconds since this ensemble was made.</summary>
    public void Log(string line) => _output.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:F1}s] {line}");

    public Task UpAsync() => ComposeAsync("up", "-d", "--no-build");

    public Task StopAsync() => ComposeAsync("stop");

    public Task DownAsync() => ComposeAsync("down");

    public Task KillAsync(int id) => DockerCli.RunAsync("kill", Container(id));

    public Task StartAsync(int id) => DockerCli.RunAsync("start", Container(id));

    /// <summary>SIGKILL to the member's server process from the host, as a crash would; Docker sees the container die.</summary>
    public async Task CrashAsync(int id)
    {
        var pid = await DockerCli.InspectAsync(Container(id), "{{.State.Pid}}");
        var kill = await ExternalTool.RunAsync("kill", ["-KILL", pid]);
        Assert.True(kill.ExitCode == 0, $"kill -KILL {pid} ({Container(id)}): {kill.Combined}");
    }

    public async Task<int> RestartCountAsync(int id) =>
        int.Parse(await DockerCli.InspectAsync(Container(id), "{{.RestartCount}}"), CultureInfo.InvariantCulture);

    /// <summary>The mode `srvr` reports on the member's published client port, or null when it does not serve.</summary>
    public async Task<string?> ModeAsync(int id)
    {
        var reply = await FourLetterWord.TryAsync(ClientPort(id), "srvr");
        var line = reply?.Split('\n').FirstOrDefault(l => l.StartsWith("Mode: ", StringComparison.Ordinal));
        return line?["Mode: ".Length..].Trim();
    }

    /// <summary>The container's health as Docker reports it: starting, healthy or unhealthy.</summary>
    public Task<string> HealthAsync(int id) => DockerCli.InspectAsync(Container(id), "{{.State.Health.Status}}");

    /// <summary>Waits until the given members all serve, exactly one as leader; returns the leader's id.</summary>
    public async Task<int> WaitForQuorumAsync(IReadOnlyCollection<int> ids, TimeSpan timeout)
    {
        var leader = 0;
        string[] modes = [];
        await Eventually.HoldsAsync(async () =>
        {
            modes = [.. (await Task.WhenAll(ids.Select(ModeAsync))).Select(m => m ?? "-")];
            if (modes.Count(m => m == "leader") != 1 || !modes.All(ServingModes.Contains)) return false;
            leader = ids.ElementAt(Array.IndexOf(modes, "leader"));
            return true;
        }, timeout, () => $"members {string.Join(',', ids)} serving with one leader (modes: {string.Join(',', modes)})");
        Log($"members {string.Join(',', ids)} serve; zoo{leader} leads");
        return leader;
    }

    /// <summary>Waits until Docker reports each of the given members as <paramref name="status"/>.</summary>
    public async Task WaitForHealthAsync(IEnumerable<int> ids, string status, TimeSpan timeout)
    {
        var list = ids.ToList();
        var seen = new string[list.Count];
        await Eventually.HoldsAsync(async () =>
        {
            for (var i = 0; i < list.Count; i++) seen[i] = await HealthAsync(list[i]);
            return seen.All(s => s == status);
        }, timeout, () => $"members {string.Join(',', list)} {status} (Docker says: {string.Join(',', seen)})");
        Log($"members {string.Join(',', list)} are {status}");
    }

    /// <summary>The last health-check outputs Docker kept for the member.</summary>
    public Task<string> HealthLogAsync(int id) =>
        DockerCli.InspectAsync(Container(id), "{{range .State.Health.Log}}{{.ExitCode}}: {{.Output}}{{end}}");

    /// <summary>
    /// docker-compose down -v, then every container, the network and the volumes of this project removed by name;
    /// returns whatever still exists afterwards (empty when all is gone).
    /// </summary>
    public async Task<List<string>> RemoveEverythingAsync()
    {
        await ExternalTool.RunAsync(TestPaths.DockerCompose, ["-f", _file, "-p", Project, "down", "-v", "--remove-orphans", "-t", "5"],
            timeout: TimeSpan.FromSeconds(180), environment: _environment, workingDirectory: TestPaths.RepoRoot);
        foreach (var id in Ids) await RemoveIfThereAsync("container", Container(id), "rm", "-f", "-v", Container(id));
        await RemoveIfThereAsync("network", Network, "network", "rm", Network);
        foreach (var volume in Volumes) await RemoveIfThereAsync("volume", volume, "volume", "rm", "-f", volume);

        var left = new List<string>();
        foreach (var id in Ids) if (await DockerCli.ExistsAsync("container", Container(id))) left.Add("container " + Container(id));
        if (await DockerCli.ExistsAsync("network", Network)) left.Add("network " + Network);
        foreach (var volume in Volumes) if (await DockerCli.ExistsAsync("volume", volume)) left.Add("volume " + volume);
        // Anything else compose made under this project's label (there should be nothing).
        var label = $"label=com.docker.compose.project={Project}";
        foreach (var kind in new[] { "container", "network", "volume" })
        {
            var listed = await DockerCli.TryAsync(kind, "ls", kind == "container" ? "-aq" : "-q", "--filter", label);
            left.AddRange(listed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(x => $"{kind} {x} (labelled {Project})"));
        }
        return left;
    }

    /// <summary>The members' last log lines, for the test output.</summary>
    public async Task WriteLogsAsync()
    {
        var logs = await ExternalTool.RunAsync(TestPaths.DockerCompose, ["-f", _file, "-p", Project, "logs", "--no-color", "--tail=60"],
            timeout: TimeSpan.FromSeconds(60), environment: _environment, workingDirectory: TestPaths.RepoRoot);
        _output.WriteLine($"==== docker-compose logs ({Project}) ====\n{logs.Stdout}");
    }

    public async ValueTask DisposeAsync()
    {
        // Normally the test has already removed everything and checked it; this covers a test that failed first.
        var left = await RemoveEverythingAsync();
        if (left.Count > 0) _output.WriteLine($"LEFT BEHIND by {Project}: {string.Join(", ", left)}");
    }

    private static async Task RemoveIfThereAsync(string kind, string name, params string[] removal)
    {
        if (await DockerCli.ExistsAsync(kind, name)) await DockerCli.TryAsync(removal);
    }

    private async Task ComposeAsync(params string[] args)
    {
        var result = await ExternalTool.RunAsync(TestPaths.DockerCompose, ["-f", _file, "-p", Project, .. args],
            timeout: TimeSpan.FromSeconds(180), environment: _environment, workingDirectory: TestPaths.RepoRoot);
        Assert.True(result.ExitCode == 0, $"docker-compose {string.Join(' ', args)} exited {result.ExitCode}:\n{result.Combined}");
        Log($"docker-compose {string.Join(' ', args)}");
    }
}
