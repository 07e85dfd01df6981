// A server under test: its name, connect string and PIDs (one process for a standalone server, one per member for
// an ensemble, where a member may be killed and restarted). Started ones are stopped by PID with SIGTERM, then
// SIGKILL; external ones are left alone. Driven by one task at a time.
using System.Diagnostics;
using System.Globalization;

namespace Zk.Bench.Compare;

public sealed class RunningServer : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    private readonly bool _keepWorkDir;
    private readonly Process[] _processes = [];
    private readonly IReadOnlyList<int> _externalPids = [];
    private bool _disposed;

    /// <summary>A server this run started and owns.</summary>
    public RunningServer(string name, string connectString, Process process, string workDir, string logPath, bool keepWorkDir, ServerLauncher launcher)
        : this(name, connectString, [process], workDir, [logPath], keepWorkDir, launcher)
    {
    }

    /// <summary>
    /// An ensemble this run started and owns: one process, log and zoo.cfg per member, in member order (member i has
    /// myid i + 1 and the i-th address of the connect string).
    /// </summary>
    public RunningServer(string name, string connectString, IReadOnlyList<Process> processes, string workDir, IReadOnlyList<string> logPaths,
        bool keepWorkDir, ServerLauncher launcher, IReadOnlyList<string>? configPaths = null)
    {
        Name = name;
        ConnectString = connectString;
        _processes = [.. processes];
        WorkDir = workDir;
        LogPaths = logPaths;
        ConfigPaths = configPaths ?? [];
        Launcher = launcher;
        _keepWorkDir = keepWorkDir;
    }

    /// <summary>A server someone else runs (e.g. an ensemble): described only by its connect string and PIDs.</summary>
    public RunningServer(string name, string connectString, IReadOnlyList<int> pids)
    {
        Name = name;
        ConnectString = connectString;
        _externalPids = pids;
    }

    public string Name { get; }

    public string ConnectString { get; }

    /// <summary>The admin HTTP port of a standalone server started with LaunchSettings.AdminServer; null otherwise.</summary>
    public int? AdminPort { get; init; }

    /// <summary>The current PID of every member; a member restarted after a kill has a new one.</summary>
    public IReadOnlyList<int> Pids => _processes.Length > 0 ? _processes.Select(p => p.Id).ToArray() : _externalPids;

    /// <summary>The (first) process: the only one of a standalone server.</summary>
    public Process? Process => _processes.Length > 0 ? _processes[0] : null;

    public IReadOnlyList<Process> Processes => _processes;

    /// <summary>1 for a standalone server, the member count of an ensemble.</summary>
    public int Members => Math.Max(1, Pids.Count);

    /// <summary>Each member's client address, in member order.</summary>
    public IReadOnlyList<System.Net.EndPoint> Endpoints => Runner.BenchRunner.ParseConnectString(ConnectString);

    public string? WorkDir { get; }

    public string? LogPath => LogPaths.Count > 0 ? LogPaths[0] : null;

    public IReadOnlyList<string> LogPaths { get; } = [];

    /// <summary>Each ensemble member's zoo.cfg (empty for a standalone or external server): what a restart runs again.</summary>
    public IReadOnlyList<string> ConfigPaths { get; } = [];

    /// <summary>Null for an external server: its heap cannot be asked for.</summary>
    public ServerLauncher? Launcher { get; }

    /// <summary>SIGKILL to one member, by its PID; returns at once (see <see cref="WaitForMemberExitAsync"/>).</summary>
    public void KillMember(int member) => _processes[member].Kill(entireProcessTree: false);

    public Task WaitForMemberExitAsync(int member, CancellationToken ct) => _processes[member].WaitForExitAsync(ct);

    /// <summary>Puts the restarted process of a member that has exited in its place; disposal then stops that one.</summary>
    public void ReplaceMember(int member, Process process)
    {
        var old = _processes[member];
        if (!old.HasExited) throw new InvalidOperationException($"{Name} member {member + 1} (pid {old.Id}) still runs");
        _processes[member] = process;
        old.Dispose();
    }

    /// <summary>Parses NAME=HOST:PORT[,HOST:PORT…][@PID[,PID…]] as given to `compare --server`.</summary>
    public static RunningServer ParseExternal(string spec)
    {
        var eq = spec.IndexOf('=');
        if (eq <= 0) throw new ArgumentException($"'{spec}' is not NAME=HOST:PORT[,…][@PID[,…]]");
        var rest = spec[(eq + 1)..];
        var at = rest.IndexOf('@');
        var connect = at < 0 ? rest : rest[..at];
        var pids = at < 0 ? [] : rest[(at + 1)..]
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => int.Parse(p, CultureInfo.InvariantCulture))
            .ToArray();
        Runner.BenchRunner.ParseConnectString(connect);
        return new RunningServer(spec[..eq], connect, pids);
    }

    public string LogTail(int lines = 30) => string.Join('\n', LogPaths.Select(p => LogTail(p, lines)));

    private static string LogTail(string path, int lines)
    {
        if (!File.Exists(path)) return "";
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException)
        {
            return "";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_processes.Length == 0 || _disposed) return;
        _disposed = true;
        foreach (var p in _processes.Where(p => !p.HasExited)) SendTerm(p.Id);
        foreach (var p in _processes) await StopAsync(p).ConfigureAwait(false);
        if (!_keepWorkDir && WorkDir is not null)
        {
            try
            {
                Directory.Delete(WorkDir, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open by a dying process; the temp dir goes with the next reboot.
            }
        }
    }

    private static async Task StopAsync(Process process)
    {
        if (!process.HasExited)
        {
            using var cts = new CancellationTokenSource(StopTimeout);
            try
            {
                await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Worth knowing: a server that ignores SIGTERM would also hang an operator's orderly shutdown.
                await Console.Error.WriteLineAsync($"pid {process.Id} did not stop within {StopTimeout.TotalSeconds:F0} s of SIGTERM; sending SIGKILL").ConfigureAwait(false);
                process.Kill();
                await process.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        process.Dispose();
    }

    // .NET has no portable SIGTERM; kill(1) by PID is the least surprising way to ask for a clean stop.
    private static void SendTerm(int pid)
    {
        using var kill = System.Diagnostics.Process.Start(new ProcessStartInfo("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
        });
        kill?.WaitForExit();
    }
}
