// A server process configured by a zoo.cfg this fixture writes: its own free loopback port, a temporary dataDir,
// a short tickTime so sessions expire quickly. Apache ZooKeeper 3.8 (the Debian package) by default; any other
// server that reads zoo.cfg (ZkActors' Zk.Host does) is one more command line. Killed by PID.
using System.Diagnostics;
using System.Text;

namespace Zk.Client.Tests.Infrastructure;

public sealed class ZooCfgServer : ITestServer
{
    private const int TickMs = 250;
    private const int ReaperMs = 250;

    private readonly Process _process;
    private readonly string _dir;
    private readonly StringBuilder _output = new();

    private ZooCfgServer(string name, Process process, string dir, int port, bool supportsTtl, TimeSpan? reaper)
    {
        Name = name;
        _process = process;
        _dir = dir;
        ConnectString = $"127.0.0.1:{port}";
        SupportsTtl = supportsTtl;
        ReaperInterval = reaper;
    }

    public string Name { get; }

    public string ConnectString { get; }

    public TimeSpan TickTime => TimeSpan.FromMilliseconds(TickMs);

    public bool SupportsTtl { get; }

    public TimeSpan? ReaperInterval { get; }

    public static string Java => Environment.GetEnvironmentVariable("ZK_JAVA") ?? "/usr/bin/java";

    /// <summary>The classpath zkServer.sh uses (zkEnv.sh); ZK_CLASSPATH overrides it.</summary>
    public static string ClassPath =>
        Environment.GetEnvironmentVariable("ZK_CLASSPATH") ?? "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar";

    /// <summary>Apache ZooKeeper's standalone main, with TTL nodes and a fast container/TTL reaper.</summary>
    public static Task<ZooCfgServer> StartApacheAsync() => StartAsync("apache", Java,
    [
        "-Dzookeeper.extendedTypesEnabled=true",
        $"-Dznode.container.checkIntervalMs={ReaperMs}",
        "-Dzookeeper.admin.enableServer=false",
        "-Xmx256m",
        "-cp", ClassPath,
        "org.apache.zookeeper.server.ZooKeeperServerMain",
        "{cfg}",
    ], supportsTtl: true, reaper: TimeSpan.FromMilliseconds(ReaperMs));

    /// <summary>
    /// Any zoo.cfg-driven server: <paramref name="arguments"/> may use {cfg}, {port} and {dataDir}. TTL support is
    /// assumed only when ZK_TEST_TTL=1; waiting for the reaper only when ZK_TEST_REAPER_MS is set.
    /// </summary>
    public static Task<ZooCfgServer> StartAsync(string name, string fileName, IReadOnlyList<string> arguments) =>
        StartAsync(name, fileName, arguments, Environment.GetEnvironmentVariable("ZK_TEST_TTL") == "1",
            int.TryParse(Environment.GetEnvironmentVariable("ZK_TEST_REAPER_MS"), out var ms) ? TimeSpan.FromMilliseconds(ms) : null);

    private static async Task<ZooCfgServer> StartAsync(string name, string fileName, IReadOnlyList<string> arguments, bool supportsTtl,
        TimeSpan? reaper)
    {
        var dir = Directory.CreateTempSubdirectory($"zk-{name}-").FullName;
        var port = FreePort.Next();
        var cfg = Path.Combine(dir, "zoo.cfg");
        var data = Path.Combine(dir, "data");
        await File.WriteAllTextAsync(cfg, string.Join('\n',
            $"tickTime={TickMs}",
            $"dataDir={data}",
            $"clientPort={port}",
            "clientPortAddress=127.0.0.1",
            "minSessionTimeout=500",
            "maxSessionTimeout=60000",
            "maxClientCnxns=0",
            "admin.enableServer=false",
            "4lw.commands.whitelist=*",
            "")).ConfigureAwait(false);

        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot(),
        };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a.Replace("{cfg}", cfg, StringComparison.Ordinal)
                .Replace("{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("{dataDir}", data, StringComparison.Ordinal));
        }
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + fileName);
        var server = new ZooCfgServer(name, process, dir, port, supportsTtl, reaper);
        process.OutputDataReceived += (_, e) => server.Capture(e.Data);
        process.ErrorDataReceived += (_, e) => server.Capture(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilServingAsync().ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the dying process; the OS temp cleaner gets it later.
        }
    }

    /// <summary>The directory holding Zk.Actors.sln, so commands can name projects relative to it.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Zk.Actors.sln"))) return dir.FullName;
        }
        return Directory.GetCurrentDirectory();
    }

    private void Capture(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    // Serving means a ZooKeeper session can be established: no four-letter word is assumed.
    private async Task WaitUntilServingAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:\n{_output}");
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                var options = new ZooKeeperClientOptions(ConnectString)
                {
                    SessionTimeout = TimeSpan.FromSeconds(10),
                    ReconnectDelayMax = TimeSpan.Zero,
                    HostListSpinDelay = TimeSpan.FromMilliseconds(50),
                };
                await using var probe = await ZooKeeperClient.ConnectAsync(options, cts.Token).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException)
            {
                // Not accepting sessions yet.
            }
            await Task.Delay(100).ConfigureAwait(false);
        }
        throw new TimeoutException($"{Name} did not start serving on {ConnectString}:\n{_output}");
    }
}
