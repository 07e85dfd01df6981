// Drives kazoo_agent.py (python3-kazoo) as a child process: one JSON command per line in, one JSON answer per line
// out, each call bounded in time. Killed by PID on dispose. One caller at a time.
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Zk.Compat.Infrastructure;

namespace Zk.Compat.Ensemble;

public sealed class KazooAgent : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stderr = new();

    private KazooAgent(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line) _lines.Writer.TryWrite(line);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stderr)
            {
                if (_stderr.Length < 200_000) _stderr.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public string Stderr
    {
        get
        {
            lock (_stderr) return _stderr.ToString();
        }
    }

    /// <summary>Starts the agent and connects it to <paramref name="hosts"/> (comma-separated host:port list).</summary>
    public static async Task<KazooAgent> ConnectAsync(string hosts, double sessionTimeoutSeconds = 10, bool randomize = true)
    {
        var psi = new ProcessStartInfo(CompatPaths.Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-u");
        psi.ArgumentList.Add(CompatPaths.TestFile("Ensemble", "kazoo_agent.py"));
        var agent = new KazooAgent(Process.Start(psi) ?? throw new InvalidOperationException("cannot start python3"));
        try
        {
            var connected = await agent.CallAsync(new { op = "connect", hosts, timeout = sessionTimeoutSeconds, randomize }, TimeSpan.FromSeconds(45));
            if (!Ok(connected)) throw new InvalidOperationException($"kazoo could not connect to {hosts}: {connected}");
            return agent;
        }
        catch
        {
            await agent.DisposeAsync();
            throw;
        }
    }

    public static bool Ok(JsonElement answer) => answer.GetProperty("ok").GetBoolean();

    public async Task<JsonElement> CallAsync(object command, TimeSpan? timeout = null)
    {
        var json = JsonSerializer.Serialize(command);
        await _process.StandardInput.WriteLineAsync(json);
        await _process.StandardInput.FlushAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            var line = await _lines.Reader.ReadAsync(cts.Token);
            return JsonDocument.Parse(line).RootElement.Clone();
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"kazoo did not answer {json} within {timeout}\n--- kazoo stderr\n{Stderr}");
        }
    }

    /// <summary>Repeats <paramref name="command"/> until it succeeds: for operations across a failover.</summary>
    public async Task<JsonElement> UntilOkAsync(object command, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var answer = await CallAsync(command, timeout);
            if (Ok(answer)) return answer;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{JsonSerializer.Serialize(command)} kept failing: {answer}\n--- kazoo stderr\n{Stderr}");
            await Task.Delay(20);
        }
    }

    public async Task<JsonElement> OkAsync(object command, TimeSpan? timeout = null)
    {
        var answer = await CallAsync(command, timeout);
        Assert.True(Ok(answer), $"{JsonSerializer.Serialize(command)} failed: {answer}");
        return answer;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: false);
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
