// Apache ZooKeeper's zkCli.sh kept open on a pipe: commands are written one at a time while its output (stdout and
// its INFO log, merged) is collected, so a test can act between commands. Killed by PID on dispose.
namespace Zk.Compat.Ensemble;

public sealed class InteractiveZkCli : IAsyncDisposable
{
    private readonly InteractiveProcess _process;
    private int _markers;

    private InteractiveZkCli(InteractiveProcess process) => _process = process;

    public string Transcript => _process.Transcript;

    public bool HasExited => _process.HasExited;

    public static InteractiveZkCli Start(string connectString) => new(InteractiveProcess.Start(
        TestPaths.ZkCli,
        ["-server", connectString, "-waitforconnection"],
        mergeStderr: true,
        // INFO on the console: its "Session establishment complete on server ..." lines say where it is connected.
        environment: new Dictionary<string, string> { ["CLIENT_JVMFLAGS"] = "-Xshare:auto -XX:TieredStopAtLevel=1 -Dzookeeper.root.logger=INFO,CONSOLE" }));

    /// <summary>Runs one command and returns the lines it printed: a `stat` of a missing marker node follows it,
    /// and whatever that prints (missing, or a connection loss) names the marker, which ends the output.</summary>
    public async Task<string[]> RunAsync(string command, TimeSpan timeout)
    {
        var marker = $"/zkcli-marker-{++_markers}";
        await _process.WriteLinesAsync(command, $"stat {marker}");
        var lines = await _process.ReadUntilAsync(
            l => l.Contains(marker, StringComparison.Ordinal) && !l.Contains("stat " + marker, StringComparison.Ordinal), timeout);
        return [.. lines.Take(lines.Count - 1)];
    }

    public async Task QuitAsync(TimeSpan timeout)
    {
        await _process.WriteLinesAsync("quit");
        await _process.WaitForExitAsync(timeout);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
