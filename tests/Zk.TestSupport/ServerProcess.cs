// A ZooKeeper-protocol server running as a child process on loopback: its zoo.cfg and data directory in a temp
// dir (or a zoo.cfg someone else prepared), its output captured line by line, readiness by four-letter words,
// SIGKILL, SIGTERM and restart on the same ports and data; killed by PID when disposed. The admin HTTP server is
// off unless the config turns it on, and then it gets a free loopback port. Subclasses say how to launch it.
// Start/Stop are not thread-safe; the log is (ServerProcess.Log.cs).
using System.Diagnostics;
using System.Globalization;

namespace Zk.TestSupport;

public abstract partial class ServerProcess : IAsyncDisposable
{
    private readonly bool _ownsDirectory;
    private readonly bool _configIsPrepared;
    private bool _everStarted;
    private Process? _process;
    private int _pid;
    private HttpClient? _admin;

    /// <summary>A server whose zoo.cfg this class writes: test defaults, then <paramref name="config"/> on top.</summary>
    protected ServerProcess(string name, IReadOnlyDictionary<string, string>? config, string? directory, int? myId)
    {
        Name = name;
        _ownsDirectory = directory is null;
        WorkDir = directory ?? Directory.CreateTempSubdirectory($"zktest-{name}-").FullName;
        Directory.CreateDirectory(WorkDir);
        var merged = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["tickTime"] = "500",
            ["dataDir"] = Path.Combine(WorkDir, "data"),
            ["clientPortAddress"] = "127.0.0.1",
            ["4lw.commands.whitelist"] = "*",
            // Tests open many short connections from one address; ZooKeeper's default of 60 would refuse some.
            ["maxClientCnxns"] = "0",
            // Both servers default to an admin HTTP server on 8080: test servers would fight over it.
            ["admin.enableServer"] = "false",
        };
        foreach (var (k, v) in config ?? new Dictionary<string, string>()) merged[k] = v;
        PortWasChosen = !merged.ContainsKey("clientPort");
        if (PortWasChosen) merged["clientPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        if (IsTrue(merged["admin.enableServer"]))
        {
            merged.TryAdd("admin.serverAddress", "127.0.0.1");
            if (!merged.ContainsKey("admin.serverPort")) merged["admin.serverPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        }
        Config = merged;
        MyId = myId;
        ConfigPath = Path.Combine(WorkDir, "zoo.cfg");
    }

    /// <summary>A server over a zoo.cfg (and myid) someone else wrote, e.g. the docker entry point: used as it is.</summary>
    protected ServerProcess(string name, string preparedConfigPath)
    {
        Name = name;
        _configIsPrepared = true;
        ConfigPath = Path.GetFullPath(preparedConfigPath);
        WorkDir = Path.GetDirectoryName(ConfigPath)!;
        Config = ReadConfig(ConfigPath);
    }

    public string Name { get; }

    /// <summary>The directory holding zoo.cfg and, unless configured elsewhere, the data directory.</summary>
    public string WorkDir { get; }

    /// <summary>The zoo.cfg keys this server runs with; tests may change them before a restart.</summary>
    public Dictionary<string, string> Config { get; }

    public int? MyId { get; }

    public string ConfigPath { get; }

    public int ClientPort => int.Parse(Config["clientPort"], CultureInfo.InvariantCulture);

    public string ConnectString => $"127.0.0.1:{ClientPort}";

    public string DataDir => Config["dataDir"];

    /// <summary>The admin HTTP port, or null when the admin server is off.</summary>
    public int? AdminPort =>
        Config.TryGetValue("admin.enableServer", out var on) && !IsTrue(on) ? null
        : Config.TryGetValue("admin.serverPort", out var port) ? int.Parse(port, CultureInfo.InvariantCulture) : 8080;

    /// <summary>An HTTP client for the admin port; only for a server whose config turns the admin server on.</summary>
    public HttpClient Admin => _admin ??= AdminPort is { } p
        ? new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{p}/"), Timeout = TimeSpan.FromSeconds(20) }
        : throw new InvalidOperationException($"{Name} runs without an admin server (admin.enableServer=false)");

    public int Pid => _pid;

    public bool IsRunning => _process is { HasExited: false };

    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    /// <summary>How long Start waits for the server to be ready (see <see cref="WaitUntilServingAsync"/>).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Whether the config lists server.N lines: then serving needs the other members too.</summary>
    public bool IsEnsembleMember => Config.Keys.Any(k => k.StartsWith("server.", StringComparison.Ordinal));

    protected bool PortWasChosen { get; }

    /// <summary>Writes zoo.cfg (and myid), starts the process and waits until it is ready.</summary>
    public async Task StartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await SpawnAsync();
                await WaitUntilServingAsync(StartTimeout);
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

    /// <summary>Starts the process for a run that is expected to fail, and returns its exit code.</summary>
    public async Task<int> RunUntilExitAsync(TimeSpan timeout)
    {
        await SpawnAsync();
        using var cts = new CancellationTokenSource(timeout);
        await _process!.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>Writes zoo.cfg (unless prepared) and starts the process, without waiting for it to serve.</summary>
    public async Task SpawnAsync()
    {
        if (IsRunning) throw new InvalidOperationException($"{Name} is already running (pid {_pid})");
        if (!_configIsPrepared)
        {
            Directory.CreateDirectory(DataDir);
            if (MyId is { } id) await File.WriteAllTextAsync(Path.Combine(DataDir, "myid"), id.ToString(CultureInfo.InvariantCulture) + "\n");
            await File.WriteAllLinesAsync(ConfigPath, Config.Select(kv => $"{kv.Key}={kv.Value}"));
        }
        var psi = BuildStartInfo(ConfigPath);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.RedirectStandardInput = true;
        psi.UseShellExecute = false;
        if (string.IsNullOrEmpty(psi.WorkingDirectory)) psi.WorkingDirectory = WorkDir;
        AppendLog($"---- starting {Name}: {psi.FileName} {string.Join(' ', psi.ArgumentList)}");
        _process?.Dispose();
        var process = ChildProcesses.Start(psi);
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
    /// whitelisted or not answered at all, a handshake that gets a session (closed again at once). An ensemble member only has to answer
    /// `ruok`, because serving needs its peers; ensemble tests wait for roles (<see cref="WaitForModeAsync"/>).
    /// </summary>
    public async Task WaitUntilServingAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            ThrowIfExited("before serving");
            if (await IsServingAsync()) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{Name} did not start serving on port {ClientPort} within {timeout}\n{LogText()}");
            await Task.Delay(50);
        }
    }

    /// <summary>Polls `srvr` until it names a mode (leader, follower, observer, standalone) and returns it.</summary>
    public async Task<string> WaitForModeAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            ThrowIfExited("before taking a role");
            if (await RoleAsync() is { } role) return role.Mode;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{Name} took no role on port {ClientPort} within {timeout}\n{LogText()}");
            await Task.Delay(50);
        }
    }

    /// <summary>What `srvr` says now, or null while the server is down, looking, or silent.</summary>
    public async Task<ServerRole?> RoleAsync()
    {
        if (!IsRunning) return null;
        return ServerRole.Parse(await FourLetterWord.TryAsync(ClientPort, "srvr", TimeSpan.FromSeconds(3)));
    }

    /// <summary>The mode `srvr` reports, or "(none)".</summary>
    public async Task<string> ModeAsync() => (await RoleAsync())?.Mode ?? "(none)";

    /// <summary>SIGKILL: no chance to flush anything that was not already durable.</summary>
    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited) return;
        AppendLog($"---- SIGKILL {Name} (pid {_pid})");
        await ChildProcesses.KillAsync(_process, entireProcessTree: false);
    }

    /// <summary>SIGTERM, then waits for the process to exit; returns its exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (_process is null) throw new InvalidOperationException($"{Name} was never started");
        if (!_process.HasExited)
        {
            AppendLog($"---- SIGTERM {Name} (pid {_pid})");
            var term = await ExternalTool.RunAsync("kill", ["-TERM", _pid.ToString(CultureInfo.InvariantCulture)], timeout: TimeSpan.FromSeconds(10));
            if (term.ExitCode != 0 && !_process.HasExited) throw new InvalidOperationException($"kill -TERM {_pid} failed: {term.Combined}");
            using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(cts.Token);
        }
        return _process.ExitCode;
    }

    /// <summary>Starts <paramref name="server"/> and returns it, or disposes it (killing the process) if it does not come up.</summary>
    public static async Task<T> StartOrDisposeAsync<T>(T server) where T : ServerProcess
    {
        try
        {
            await server.StartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts again on the same port, config and data directory (after Kill or Stop).</summary>
    public async Task RestartAsync()
    {
        if (IsRunning) await StopAsync();
        await StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _process = null;
        _admin?.Dispose();
        if (_ownsDirectory && !TestPaths.KeepTestDirectories) TestPaths.TryDelete(WorkDir);
        GC.SuppressFinalize(this);
    }

    /// <summary>The key=value lines of a zoo.cfg (comments and blank lines skipped; a repeated key's last value wins).</summary>
    public static Dictionary<string, string> ReadConfig(string path)
    {
        var config = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (line.StartsWith('#') || eq <= 0) continue;
            config[line[..eq].Trim()] = line[(eq + 1)..].Trim();
        }
        return config;
    }

    protected abstract ProcessStartInfo BuildStartInfo(string configPath);

    /// <summary>Whether the process that just exited failed because its client port was in use.</summary>
    protected abstract bool ExitedBecausePortWasTaken(int exitCode, string log);

    protected static bool IsTrue(string value) => value.Equals("true", StringComparison.OrdinalIgnoreCase) || value == "yes";

    private bool ExitedBecausePortWasTaken() => _process is { HasExited: true } p && ExitedBecausePortWasTaken(p.ExitCode, LogText());

    private void ThrowIfExited(string when)
    {
        if (_process is null || _process.HasExited)
            throw new InvalidOperationException($"{Name} exited with code {_process?.ExitCode} {when}\n{LogText()}");
    }

    private async Task<bool> IsServingAsync()
    {
        if (IsEnsembleMember)
        {
            var ruok = await FourLetterWord.TryAsync(ClientPort, "ruok", TimeSpan.FromSeconds(2));
            return ruok is "imok" || ruok?.Contains("whitelist", StringComparison.Ordinal) == true;
        }
        var srvr = await FourLetterWord.TryAsync(ClientPort, "srvr", TimeSpan.FromSeconds(2));
        if (srvr is null) return false;
        if (srvr.Contains("\nMode: ", StringComparison.Ordinal)) return true;
        // Not serving yet says so; srvr off the whitelist says that, and a server without four-letter words says nothing.
        if (srvr.Length > 0 && !srvr.Contains("whitelist", StringComparison.Ordinal)) return false;
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

    public override string ToString() => $"{Name} pid {_pid} port {ClientPort}";
}
