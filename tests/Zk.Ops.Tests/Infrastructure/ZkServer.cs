// A zkactors server as a child process on loopback: `dotnet zkactors.dll zoo.cfg`, its output captured, readiness by
// srvr showing a Mode line, and kill by PID on dispose. Either a standalone server with a generated zoo.cfg in a temp
// dir, or any prepared zoo.cfg (the docker entry point's). Start/stop are not thread-safe; the log is.
using System.Diagnostics;
using System.Globalization;

namespace Zk.Ops.Tests.Infrastructure;

public sealed class ZkServer : IAsyncDisposable
{
    private readonly List<string> _log = [];
    private readonly string? _ownedDir;
    private Process? _process;

    private ZkServer(string name, string configPath, int clientPort, int? adminPort, string? ownedDir)
    {
        Name = name;
        ConfigPath = configPath;
        ClientPort = clientPort;
        AdminPort = adminPort;
        _ownedDir = ownedDir;
        if (adminPort is { } p) Admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{p}/"), Timeout = TimeSpan.FromSeconds(20) };
    }

    public string Name { get; }

    public string ConfigPath { get; }

    public int ClientPort { get; }

    public int? AdminPort { get; }

    public string ConnectString => $"127.0.0.1:{ClientPort}";

    public int Pid { get; private set; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>An HTTP client for the admin port (null when the server has none).</summary>
    public HttpClient? Admin { get; }

    /// <summary>A standalone server in a fresh temp dir: loopback ports, all four-letter words, admin port on.</summary>
    public static async Task<ZkServer> StartStandaloneAsync(string name, IReadOnlyDictionary<string, string>? extra = null)
    {
        var dir = Directory.CreateTempSubdirectory($"zkops-{name}-").FullName;
        var clientPort = Ports.Next();
        var adminPort = Ports.Next();
        var config = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["tickTime"] = "500",
            ["dataDir"] = Path.Combine(dir, "data"),
            ["clientPort"] = clientPort.ToString(CultureInfo.InvariantCulture),
            ["clientPortAddress"] = "127.0.0.1",
            ["admin.serverPort"] = adminPort.ToString(CultureInfo.InvariantCulture),
            ["admin.serverAddress"] = "127.0.0.1",
            ["4lw.commands.whitelist"] = "*",
            ["maxClientCnxns"] = "0",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) config[k] = v;
        var path = Path.Combine(dir, "zoo.cfg");
        await File.WriteAllLinesAsync(path, config.Select(kv => $"{kv.Key}={kv.Value}"));
        var server = new ZkServer(name, path, clientPort, adminPort, dir);
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

    /// <summary>A server over a zoo.cfg someone else wrote; not started yet.</summary>
    public static ZkServer FromConfig(string name, string configPath, int clientPort, int? adminPort) =>
        new(name, configPath, clientPort, adminPort, ownedDir: null);

    public async Task StartAsync(TimeSpan? timeout = null)
    {
        Launch();
        await WaitUntilServingAsync(timeout ?? TimeSpan.FromSeconds(60));
    }

    public void Launch()
    {
        if (IsRunning) throw new InvalidOperationException($"{Name} is already running");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(ConfigPath)!,
        };
        psi.ArgumentList.Add(OpsPaths.ZkActorsDll);
        psi.ArgumentList.Add(ConfigPath);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start dotnet");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Pid = process.Id;
    }

    /// <summary>Polls srvr until it prints a Mode line (a leader or follower that serves), failing fast if the process dies.</summary>
    public async Task WaitUntilServingAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process is null || _process.HasExited)
                throw new InvalidOperationException($"{Name} exited with code {_process?.ExitCode} before serving\n{LogText()}");
            var srvr = await FourLetterWord.TryAsync(ClientPort, "srvr", TimeSpan.FromSeconds(2));
            if (srvr is not null && srvr.Contains("\nMode: ", StringComparison.Ordinal)) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{Name} did not serve on port {ClientPort} within {timeout}\n{LogText()}");
            await Task.Delay(100);
        }
    }

    public async Task<string> ModeAsync()
    {
        var srvr = await FourLetterWord.TryAsync(ClientPort, "srvr") ?? "";
        var line = srvr.Split('\n').FirstOrDefault(l => l.StartsWith("Mode: ", StringComparison.Ordinal));
        return line?["Mode: ".Length..].Trim() ?? "(none)";
    }

    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited) return;
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    public string LogText()
    {
        lock (_log) return string.Join('\n', _log);
    }

    public void WriteLogTo(ITestOutputHelper output)
    {
        try
        {
            output.WriteLine($"==== {Name} (pid {Pid}, port {ClientPort}) ====\n{LogText()}");
        }
        catch (InvalidOperationException)
        {
            // The test already finished.
        }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            if (_log.Count < 50_000) _log.Add(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        Admin?.Dispose();
        if (_ownedDir is not null)
        {
            try
            {
                Directory.Delete(_ownedDir, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS to clean.
            }
        }
    }
}
