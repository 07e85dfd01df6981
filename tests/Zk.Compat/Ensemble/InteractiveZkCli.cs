// Apache ZooKeeper's zkCli.sh kept open on a pipe: commands are written one at a time while its output (stdout and
// its INFO log, merged) is collected, so a test can act between commands. Killed by PID on dispose.
using System.Diagnostics;
using Zk.Compat.Infrastructure;

namespace Zk.Compat.Ensemble;

public sealed class InteractiveZkCli : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private int _markers;

    private InteractiveZkCli(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_lines) _lines.Add(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Transcript
    {
        get
        {
            lock (_lines) return string.Join('\n', _lines);
        }
    }

    public bool HasExited => _process.HasExited;

    public static InteractiveZkCli Start(string connectString)
    {
        var psi = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec \"$0\" \"$@\" 2>&1");
        psi.ArgumentList.Add(CompatPaths.ZkCli);
        psi.ArgumentList.Add("-server");
        psi.ArgumentList.Add(connectString);
        psi.ArgumentList.Add("-waitforconnection");
        // INFO on the console: its "Session establishment complete on server ..." lines say where it is connected.
        psi.Environment["CLIENT_JVMFLAGS"] = "-Xshare:auto -XX:TieredStopAtLevel=1 -Dzookeeper.root.logger=INFO,CONSOLE";
        return new InteractiveZkCli(Process.Start(psi) ?? throw new InvalidOperationException("cannot start zkCli.sh"));
    }

    /// <summary>Runs one command and returns the lines it printed: a `stat` of a missing marker node follows it,
    /// and whatever that prints (missing, or a connection loss) names the marker, which ends the output.</summary>
    public async Task<string[]> RunAsync(string command, TimeSpan timeout)
    {
        var marker = $"/zkcli-marker-{++_markers}";
        int start;
        lock (_lines) start = _lines.Count;
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.WriteLineAsync($"stat {marker}");
        await _process.StandardInput.FlushAsync();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            lock (_lines)
            {
                var end = _lines.FindIndex(start, l => l.Contains(marker, StringComparison.Ordinal) && !l.Contains("stat " + marker, StringComparison.Ordinal));
                if (end >= 0) return _lines.GetRange(start, end - start).ToArray();
            }
            if (_process.HasExited || DateTime.UtcNow > deadline)
                throw new TimeoutException($"zkCli did not finish `{command}` within {timeout}\n{Transcript}");
            await Task.Delay(20);
        }
    }

    public async Task QuitAsync(TimeSpan timeout)
    {
        await _process.StandardInput.WriteLineAsync("quit");
        await _process.StandardInput.FlushAsync();
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
    }
}
