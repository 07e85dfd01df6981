// Starts the servers under comparison as child processes on loopback, each with its own temp dataDir and an
// equivalent zoo.cfg, and stops them by PID. A launcher returns a RunningServer: a name, a connect string and PIDs.
// Ensembles are in ServerLaunchers.Ensemble.cs.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Zk.Bench.Protocol;

namespace Zk.Bench.Compare;

public sealed record LaunchSettings
{
    public int TickTimeMs { get; init; } = 2000;

    /// <summary>-Xmx of the JVM, e.g. "2g".</summary>
    public string JavaHeap { get; init; } = "2g";

    public string ZkActorsDll { get; init; } = "src/Zk.Host/bin/Release/net10.0/zkactors.dll";

    /// <summary>Null: taken from Debian's /usr/share/zookeeper/bin/zkEnv.sh.</summary>
    public string? ZooKeeperClasspath { get; init; }

    /// <summary>Extra environment for the ZkActors process (e.g. DOTNET_PerfMapEnabled=1 for perf).</summary>
    public IReadOnlyDictionary<string, string> ZkActorsEnvironment { get; init; } = new Dictionary<string, string>();

    public bool KeepWorkDirs { get; init; }

    /// <summary>Standalone servers open their admin HTTP port on a free loopback port (RunningServer.AdminPort).</summary>
    public bool AdminServer { get; init; }
}

public abstract partial class ServerLauncher
{
    /// <summary>initLimit and syncLimit in ticks, the same for both servers: with tickTime they bound how fast a
    /// follower notices a dead leader (syncLimit) and how long a new leader waits for its followers (initLimit).</summary>
    public const int InitLimitTicks = 10;
    public const int SyncLimitTicks = 5;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    public abstract string Name { get; }

    public static IReadOnlyList<ServerLauncher> Standalone() => [new ZooKeeperLauncher(), new ZkActorsLauncher()];

    /// <summary>Starts a fresh standalone server in a new directory under <paramref name="workRoot"/> and waits until it serves.</summary>
    public async Task<RunningServer> StartAsync(string workRoot, LaunchSettings settings, CancellationToken ct)
    {
        var dir = Path.Combine(workRoot, $"{Slug}-{Guid.NewGuid():N}");
        var dataDir = Path.Combine(dir, "data");
        Directory.CreateDirectory(dataDir);
        var port = FreeLoopbackPort();
        int? adminPort = settings.AdminServer ? FreeLoopbackPort() : null;
        var configPath = Path.Combine(dir, "zoo.cfg");
        await File.WriteAllTextAsync(configPath, ZooCfg(settings.TickTimeMs, dataDir, port, adminPort), ct).ConfigureAwait(false);
        var logPath = Path.Combine(dir, "server.log");
        var process = StartProcess(StartInfo(configPath, dir, settings, ensembleMember: false), logPath);
        var server = new RunningServer(Name, $"127.0.0.1:{port}", process, dir, logPath, settings.KeepWorkDirs, this) { AdminPort = adminPort };
        try
        {
            await WaitUntilServingAsync(server, ct).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The live heap in bytes after a full GC, if this kind of server can tell; null otherwise.</summary>
    public abstract Task<long?> HeapBytesAfterGcAsync(RunningServer server, CancellationToken ct);

    /// <summary>What both servers run with, for the report: every zoo.cfg setting that is not a path or a port.</summary>
    public static string SettingsSummary(int tickTimeMs) =>
        $"tickTime={tickTimeMs} ms, initLimit={InitLimitTicks}, syncLimit={SyncLimitTicks}, forceSync=yes, loopback only; the same for both servers";

    /// <summary>The same settings for every server: standalone, fsync on every commit, loopback only, no connection cap;
    /// the admin port only when one is given.</summary>
    public static string ZooCfg(int tickTimeMs, string dataDir, int port, int? adminPort = null) => string.Join('\n',
        $"tickTime={tickTimeMs}",
        $"initLimit={InitLimitTicks}",
        $"syncLimit={SyncLimitTicks}",
        $"dataDir={dataDir}",
        $"clientPort={port}",
        "clientPortAddress=127.0.0.1",
        "forceSync=yes",
        "maxClientCnxns=0",
        "4lw.commands.whitelist=*",
        adminPort is { } admin ? $"admin.enableServer=true\nadmin.serverAddress=127.0.0.1\nadmin.serverPort={admin}" : "admin.enableServer=false",
        "");

    public static int FreeLoopbackPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    /// <summary>How to run one server of this kind; an ensemble member may need another entry point than a standalone server.</summary>
    protected abstract ProcessStartInfo StartInfo(string configPath, string workDir, LaunchSettings settings, bool ensembleMember);

    // The log is appended to and shared, so a restarted ensemble member continues its predecessor's log.
    private static Process StartProcess(ProcessStartInfo info, string logPath)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        void Write(object? _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (log) log.WriteLine(e.Data);
        }
        process.OutputDataReceived += Write;
        process.ErrorDataReceived += Write;
        process.Exited += (_, _) => { lock (log) log.Flush(); };
        if (!process.Start()) throw new InvalidOperationException($"could not start {info.FileName}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitUntilServingAsync(RunningServer server, CancellationToken ct)
    {
        var endpoint = Runner.BenchRunner.ParseConnectString(server.ConnectString)[0];
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        Exception? last = null;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            ct.ThrowIfCancellationRequested();
            if (server.Process is { HasExited: true } p)
                throw new InvalidOperationException($"{server.Name} exited with code {p.ExitCode} while starting; see {server.LogPath}:\n{server.LogTail()}");
            try
            {
                var answer = await FourLetterWordClient.SendAsync(endpoint, "ruok", TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
                if (answer == "imok")
                {
                    var probe = await BenchConnection.OpenAsync(endpoint, 10_000, ct).ConfigureAwait(false);
                    await probe.CloseSessionAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                    await probe.DisposeAsync().ConfigureAwait(false);
                    return;
                }
            }
            catch (Exception e) when (e is SocketException or IOException or BenchProtocolException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                last = e;
            }
            await Task.Delay(200, ct).ConfigureAwait(false);
        }
        throw new TimeoutException($"{server.Name} did not serve within {StartTimeout.TotalSeconds:F0} s ({last?.Message}); see {server.LogPath}");
    }

    private string Slug => Name.ToLowerInvariant().Replace(' ', '-');

    [GeneratedRegex(@"used\s+(\d+)K", RegexOptions.CultureInvariant)]
    protected static partial Regex JavaHeapUsed();
}

public sealed class ZooKeeperLauncher : ServerLauncher
{
    public const string ZkEnvScript = "/usr/share/zookeeper/bin/zkEnv.sh";

    public override string Name => "ZooKeeper 3.8";

    /// <summary>The CLASSPATH that Debian's zkEnv.sh sets (conf dir and zookeeper.jar, whose manifest names the rest).</summary>
    public static string DebianClasspath()
    {
        var info = new ProcessStartInfo("bash", ["-c", $". {ZkEnvScript} >/dev/null 2>&1; printf %s \"$CLASSPATH\""])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var p = Process.Start(info) ?? throw new InvalidOperationException("cannot run bash");
        var cp = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        if (cp.Length == 0) throw new InvalidOperationException($"{ZkEnvScript} set no CLASSPATH: is Debian's zookeeper package installed?");
        return cp;
    }

    public override async Task<long?> HeapBytesAfterGcAsync(RunningServer server, CancellationToken ct)
    {
        // An ensemble's figure is the mean over its members: each holds a whole copy of the tree.
        long total = 0;
        foreach (var pid in server.Pids)
        {
            var id = pid.ToString(CultureInfo.InvariantCulture);
            await RunToolAsync("jcmd", [id, "GC.run"], ct).ConfigureAwait(false);
            var info = await RunToolAsync("jcmd", [id, "GC.heap_info"], ct).ConfigureAwait(false);
            var m = info is null ? null : JavaHeapUsed().Match(info);
            if (m is not { Success: true }) return null;
            total += long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * 1024;
        }
        return server.Pids.Count == 0 ? null : total / server.Pids.Count;
    }

    protected override ProcessStartInfo StartInfo(string configPath, string workDir, LaunchSettings settings, bool ensembleMember)
    {
        var main = ensembleMember ? "org.apache.zookeeper.server.quorum.QuorumPeerMain" : "org.apache.zookeeper.server.ZooKeeperServerMain";
        var info = new ProcessStartInfo("java")
        {
            WorkingDirectory = workDir,
        };
        foreach (var a in new[]
        {
            $"-Xmx{settings.JavaHeap}", "-Dzookeeper.admin.enableServer=false", $"-Dzookeeper.log.dir={workDir}",
            "-cp", settings.ZooKeeperClasspath ?? DebianClasspath(), main, configPath,
        })
        {
            info.ArgumentList.Add(a);
        }
        return info;
    }

    private static async Task<string?> RunToolAsync(string tool, string[] args, CancellationToken ct)
    {
        var info = new ProcessStartInfo(tool, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(info);
        if (p is null) return null;
        var output = await p.StandardOutput.ReadToEndAsync(ct).ConfigureAwait(false);
        await p.WaitForExitAsync(ct).ConfigureAwait(false);
        return p.ExitCode == 0 ? output : null;
    }
}

public sealed class ZkActorsLauncher : ServerLauncher
{
    /// <summary>The mntr line in which ZkActors reports its managed heap after a full GC.</summary>
    public const string HeapMntrKey = "zk_dotnet_heap_bytes";

    public override string Name => "ZkActors";

    public override async Task<long?> HeapBytesAfterGcAsync(RunningServer server, CancellationToken ct)
    {
        // An ensemble's figure is the mean over its members: each holds a whole copy of the tree.
        var endpoints = Runner.BenchRunner.ParseConnectString(server.ConnectString);
        long total = 0;
        foreach (var endpoint in endpoints)
        {
            var mntr = await FourLetterWordClient.SendAsync(endpoint, "mntr", TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
            if (FourLetterWordClient.MntrLong(FourLetterWordClient.ParseMntr(mntr), HeapMntrKey) is not { } heap) return null;
            total += heap;
        }
        return total / endpoints.Count;
    }

    protected override ProcessStartInfo StartInfo(string configPath, string workDir, LaunchSettings settings, bool ensembleMember)
    {
        var dll = Path.GetFullPath(settings.ZkActorsDll);
        if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} is missing: run `dotnet build -c Release` first", dll);
        var info = new ProcessStartInfo("dotnet", [dll, configPath]) { WorkingDirectory = workDir };
        foreach (var (k, v) in settings.ZkActorsEnvironment) info.Environment[k] = v;
        return info;
    }
}
