// Drives kazoo_agent.py (python3-kazoo) as a child process: one JSON command per line in, one JSON answer per line
// out, each call bounded in time. Killed by PID on dispose. One caller at a time.
using System.Text.Json;

namespace Zk.Compat.Ensemble;

public sealed class KazooAgent : IAsyncDisposable
{
    private readonly InteractiveProcess _process;

    private KazooAgent(InteractiveProcess process) => _process = process;

    public int Pid => _process.Pid;

    public string Stderr => _process.Stderr;

    /// <summary>Starts the agent and connects it to <paramref name="hosts"/> (comma-separated host:port list).</summary>
    public static async Task<KazooAgent> ConnectAsync(string hosts, double sessionTimeoutSeconds = 10, bool randomize = true)
    {
        var agent = new KazooAgent(InteractiveProcess.Start(TestPaths.Python, ["-u", TestPaths.TestFile("Ensemble", "kazoo_agent.py")]));
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
        await _process.WriteLinesAsync(JsonSerializer.Serialize(command));
        var line = await _process.ReadLineAsync(timeout ?? TimeSpan.FromSeconds(30));
        return JsonDocument.Parse(line).RootElement.Clone();
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

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
