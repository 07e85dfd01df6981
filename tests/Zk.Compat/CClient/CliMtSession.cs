// Drives cli_mt, the C client's shell, one command at a time. cli_mt runs most commands asynchronously, so after
// each command we send `sync /` and collect everything printed until that marker completes: the C client runs
// completions and watch callbacks on one thread in arrival order, so the command's output is complete by then.
using System.Text.RegularExpressions;

namespace Zk.Compat.CClient;

public sealed partial class CliMtSession : IAsyncDisposable
{
    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(20);

    private readonly InteractiveProcess _process;

    private CliMtSession(InteractiveProcess process) => _process = process;

    /// <summary>The session id cli_mt reported, in hex without 0x (as its Stat dumps print owners).</summary>
    public string SessionHex { get; private set; } = "";

    public string Transcript => _process.Transcript;

    public static async Task<CliMtSession> StartAsync(string connectString)
    {
        // stdout and stderr share one pipe so lines keep the order cli_mt wrote them in; the C client's own log
        // lines stay in the transcript only.
        var session = new CliMtSession(InteractiveProcess.Start(TestPaths.CliMt, [connectString], mergeStderr: true,
            isOutput: line => !ClientLogLine().IsMatch(line)));
        try
        {
            var connected = await session._process.ReadUntilAsync(l => l.StartsWith("Got a new session id: 0x", StringComparison.Ordinal), LineTimeout);
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
        await _process.WriteLinesAsync(command, "sync /");
        var lines = await _process.ReadUntilAsync(l => l == "\tname = /", LineTimeout);
        // Drop the marker's own two lines: "[/]: rc = 0" and "\tname = /".
        return lines.Take(lines.Count - 2).Where(l => !TimeLine().IsMatch(l)).ToList();
    }

    /// <summary>Sends quit and waits for cli_mt to close its session and exit.</summary>
    public async Task<int> QuitAsync()
    {
        await _process.WriteLinesAsync("quit");
        return await _process.WaitForExitAsync(TimeSpan.FromSeconds(20));
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    [GeneratedRegex(@"^Got a new session id: 0x([0-9a-f]+)$")]
    private static partial Regex SessionIdLine();

    [GeneratedRegex(@"^time = \d+ msec$")]
    private static partial Regex TimeLine();

    // The C client's own log lines: "2026-01-01 00:00:00,000:123(0x7f..):ZOO_WARN@...".
    [GeneratedRegex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+:\d+\(0x[0-9a-f]+\):ZOO_")]
    private static partial Regex ClientLogLine();
}
