// Drives cli_mt, the C client's shell, one command at a time. cli_mt runs most commands asynchronously, so after
// each command we send `sync /` and collect everything printed until that marker completes: the C client runs
// completions and watch callbacks on one thread in arrival order, so the command's output is complete by then.
using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Zk.Compat.Infrastructure;

namespace Zk.Compat.CClient;

public sealed partial class CliMtSession : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _transcript = [];

    private CliMtSession(Process process)
    {
        _process = process;
    }

    /// <summary>The session id cli_mt reported, in hex without 0x (as its Stat dumps print owners).</summary>
    public string SessionHex { get; private set; } = "";

    public string Transcript
    {
        get
        {
            lock (_transcript) return string.Join('\n', _transcript);
        }
    }

    public static async Task<CliMtSession> StartAsync(string connectString)
    {
        // stdout and stderr share one pipe so lines keep the order cli_mt wrote them in.
        var psi = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec \"$0\" \"$1\" 2>&1");
        psi.ArgumentList.Add(CompatPaths.CliMt);
        psi.ArgumentList.Add(connectString);
        var session = new CliMtSession(Process.Start(psi) ?? throw new InvalidOperationException("cannot start cli_mt"));
        session._process.OutputDataReceived += (_, e) => session.OnLine(e.Data);
        session._process.BeginOutputReadLine();
        try
        {
            var connected = await session.ReadUntilAsync(l => l.StartsWith("Got a new session id: 0x", StringComparison.Ordinal));
            session.SessionHex = SessionIdLine().Match(connected[^1]).Groups[1].Value;
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs one command and returns what it printed, without timing lines and client log lines.</summary>
    public async Task<IReadOnlyList<string>> RunAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.WriteLineAsync("sync /");
        await _process.StandardInput.FlushAsync();
        var lines = await ReadUntilAsync(l => l == "\tname = /");
        // Drop the marker's own two lines: "[/]: rc = 0" and "\tname = /".
        return lines.Take(lines.Count - 2).Where(l => !TimeLine().IsMatch(l)).ToList();
    }

    /// <summary>Sends quit and waits for cli_mt to close its session and exit.</summary>
    public async Task<int> QuitAsync()
    {
        await _process.StandardInput.WriteLineAsync("quit");
        await _process.StandardInput.FlushAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            _lines.Writer.TryComplete();
            return;
        }
        lock (_transcript) _transcript.Add(line);
        if (!ClientLogLine().IsMatch(line)) _lines.Writer.TryWrite(line);
    }

    private async Task<List<string>> ReadUntilAsync(Func<string, bool> last)
    {
        var lines = new List<string>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(cts.Token);
                lines.Add(line);
                if (last(line)) return lines;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            throw new TimeoutException($"cli_mt did not print the expected line; transcript so far:\n{Transcript}");
        }
    }

    [GeneratedRegex(@"^Got a new session id: 0x([0-9a-f]+)$")]
    private static partial Regex SessionIdLine();

    [GeneratedRegex(@"^time = \d+ msec$")]
    private static partial Regex TimeLine();

    // The C client's own log lines: "2026-01-01 00:00:00,000:123(0x7f..):ZOO_WARN@...".
    [GeneratedRegex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+:\d+\(0x[0-9a-f]+\):ZOO_")]
    private static partial Regex ClientLogLine();
}
