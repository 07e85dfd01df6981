// A ZooKeeper-protocol server running as a child process on loopback: its zoo.cfg and data directory in a temp
// dir, its output captured line by line, readiness by four-letter words, SIGKILL, SIGTERM and restart on the same
// port and data; killed by PID when disposed. Subclasses say how to launch it. Start/Stop are not thread-safe; the
// log is.
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Zk.Compat.Infrastructure;

public abstract class ServerProcess : IAsyncDisposable
{
    private readonly List<string> _log = [];
    private int _trimmedLines;
    private bool _everStarted;
    private readonly bool _ownsDirectory;
    private Process? _process;
    private int _pid;

    protected ServerProcess(string name, IReadOnlyDictionary<string, string>? config, string? directory, int? myId)
    {
        Name = name;
        _ownsDirectory = directory is null;
        WorkDir = directory ?? System.IO.Directory.CreateTempSubdirectory($"zkcompat-{name}-").FullName;
        System.IO.Directory.CreateDirectory(WorkDir);
        var merged = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["tickTime"] = "500",
            ["dataDir"] = Path.Combine(WorkDir, "data"),
            ["clientPortAddress"] = "127.0.0.1",
            ["4lw.commands.whitelist"] = "*",
            // Tests open many short connections from one address; ZooKeeper's default of 60 would refuse some.
            ["maxClientCnxns"] = "0",
        };
        foreach (var (k, v) in config ?? new Dictionary<string, string>()) merged[k] = v;
        PortWasChosen = !merged.ContainsKey("clientPort");
        if (PortWasChosen) merged["clientPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        Config = merged;
        MyId = myId;
    }

    public string Name { get; }

    /// <summary>The temp directory holding zoo.cfg, the data directory and anything else of this server.</summary>
    public string WorkDir { get; }

    /// <summary>The zoo.cfg keys this server runs with; tests may change them before a restart.</summary>
    public Dictionary<string, string> Config { get; }

    public int? MyId { get; }

    public int ClientPort => int.Parse(Config["clientPort"], CultureInfo.InvariantCulture);

    public string ConnectString => $"127.0.0.1:{ClientPort}";

    public string DataDir => Config["dataDir"];

    public string ConfigPath => Path.Combine(WorkDir, "zoo.cfg");

    public int Pid => _pid;

    public bool IsRunning => _process is { HasExited: false };

    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    /// <summary>How long Start waits for the server to be ready (see <see cref="WaitUntilServingAsync"/>).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    protected bool PortWasChosen { get; }

    /// <summary>Writes zoo.cfg (and myid), starts the process and waits until it is ready.</summary>
    public async Task StartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartOnceAsync();
                _everStarted = true;
                return;
            }
            catch (InvalidOperationException) when (!_everStarted && PortWasChosen && attempt < 4 && ExitedBecausePortWasTaken())
            {
                // Another process took the free port between FreePort and our bind: take another one.
                Config["clientPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture);
            }
        }
    }

    private async Task StartOnceAsync()
    {
        await LaunchProcessAsync();
        await WaitUntilServingAsync(StartTimeout);
    }

    /// <summary>Starts the process for a run that is expected to fail, and returns its exit code.</summary>
    public async Task<int> RunUntilExitAsync(TimeSpan timeout)
    {
        await LaunchProcessAsync();
        using var cts = new CancellationTokenSource(timeout);
        await _process!.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    private async Task LaunchProcessAsync()
    {
        if (IsRunning) throw new InvalidOperationException($"{Name} is already running (pid {_pid})");
        System.IO.Directory.CreateDirectory(DataDir);
        if (MyId is { } id) await File.WriteAllTextAsync(Path.Combine(DataDir, "myid"), id.ToString(CultureInfo.InvariantCulture) + "\n");
        await File.WriteAllLinesAsync(ConfigPath, Config.Select(kv => $"{kv.Key}={kv.Value}"));
        var psi = BuildStartInfo(ConfigPath);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.RedirectStandardInput = true;
        psi.UseShellExecute = false;
        psi.WorkingDirectory = WorkDir;
        AppendLog($"---- starting {Name}: {psi.FileName} {string.Join(' ', psi.ArgumentList)}");
        _process?.Dispose();
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {psi.FileName}");
        process.OutputDataReceived += (_, e) => AppendLog(e.Data);
        process.ErrorDataReceived += (_, e) => AppendLog(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        _pid = process.Id;
    }

    /// <summary>
    /// Polls until the server is up, failing fast if the process dies. A standalone server must serve clients:
    /// `ruok` answers before it can take sessions, so readiness is `srvr` printing a Mode line, or, when srvr is not
    /// whitelisted, a handshake that gets a session (closed again at once). An ensemble member (server.N lines in
    /// its config) only has to answer `ruok`, because serving needs its peers; ensemble tests wait for roles.
    /// </summary>
    public async Task WaitUntilServingAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process is null || _process.HasExited)
                throw new InvalidOperationException($"{Name} exited with code {_process?.ExitCode} before serving\n{LogText()}");
            if (await IsServingAsync()) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{Name} did not start serving on port {ClientPort} within {timeout}\n{LogText()}");
            await Task.Delay(50);
        }
    }

    public bool IsEnsembleMember => Config.Keys.Any(k => k.StartsWith("server.", StringComparison.Ordinal));

    private async Task<bool> IsServingAsync()
    {
        if (IsEnsembleMember)
        {
            var ruok = await FourLetterWordClient.TryAsync(ClientPort, "ruok", TimeSpan.FromSeconds(2));
            return ruok is "imok" || ruok?.Contains("whitelist", StringComparison.Ordinal) == true;
        }
        var srvr = await FourLetterWordClient.TryAsync(ClientPort, "srvr", TimeSpan.FromSeconds(2));
        if (srvr is null) return false;
        if (srvr.Contains("\nMode: ", StringComparison.Ordinal)) return true;
        if (!srvr.Contains("whitelist", StringComparison.Ordinal)) return false;
        try
        {
            await using var probe = await RawZkClient.ConnectAsync(ClientPort);
            if (!probe.SessionValid) return false;
            await probe.CloseSessionAsync();
            return true;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>SIGKILL: no chance to flush anything that was not already durable.</summary>
    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited) return;
        AppendLog($"---- SIGKILL {Name} (pid {_pid})");
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, then waits for the process to exit; returns its exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (_process is null) throw new InvalidOperationException($"{Name} was never started");
        if (!_process.HasExited)
        {
            AppendLog($"---- SIGTERM {Name} (pid {_pid})");
            using (var kill = Process.Start("kill", ["-TERM", _pid.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
            using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(cts.Token);
        }
        return _process.ExitCode;
    }

    /// <summary>Starts again on the same port, config and data directory (after Kill or Stop).</summary>
    public async Task RestartAsync()
    {
        if (IsRunning) await StopAsync();
        await StartAsync();
    }

    public IReadOnlyList<string> LogLines
    {
        get
        {
            lock (_log) return [.. _log];
        }
    }

    /// <summary>A position in the log, for <see cref="LogSince"/>.</summary>
    public int LogMark
    {
        get
        {
            lock (_log) return _trimmedLines + _log.Count;
        }
    }

    public string LogSince(int mark)
    {
        lock (_log) return string.Join('\n', _log.Skip(Math.Max(0, mark - _trimmedLines)));
    }

    public string LogText() => LogSince(0);

    /// <summary>Copies this server's output since <paramref name="mark"/> to a test's output (shown when it fails).</summary>
    public void WriteLogTo(ITestOutputHelper output, int mark = 0)
    {
        var text = LogSince(mark);
        if (text.Length == 0) return;
        try
        {
            output.WriteLine($"==== {Name} log (port {ClientPort}) ====\n{text}");
        }
        catch (InvalidOperationException)
        {
            // The test already finished; nothing to attach the log to.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _process = null;
        if (_ownsDirectory && Environment.GetEnvironmentVariable("ZKCOMPAT_KEEP_DIRS") is null)
        {
            try
            {
                System.IO.Directory.Delete(WorkDir, recursive: true);
            }
            catch (IOException)
            {
                // Something (a dying JVM) still holds a file; the OS cleans /tmp eventually.
            }
        }
        GC.SuppressFinalize(this);
    }

    protected abstract ProcessStartInfo BuildStartInfo(string configPath);

    /// <summary>Whether the process that just exited failed because its client port was in use.</summary>
    protected abstract bool ExitedBecausePortWasTaken(int exitCode, string log);

    private bool ExitedBecausePortWasTaken() => _process is { HasExited: true } p && ExitedBecausePortWasTaken(p.ExitCode, LogText());

    protected void AppendLog(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            // Bounded: a fuzzing run can log a line per broken frame.
            if (_log.Count >= 200_000)
            {
                _log.RemoveRange(0, 100_000);
                _trimmedLines += 100_000;
            }
            _log.Add(line);
        }
    }

    public override string ToString() => new StringBuilder().Append(Name).Append(" pid ").Append(_pid).Append(" port ").Append(ClientPort).ToString();
}
