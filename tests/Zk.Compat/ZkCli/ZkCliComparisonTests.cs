// zkCli.sh (Apache ZooKeeper 3.8's own shell) runs scripted sessions against Apache ZooKeeper and against ZkActors;
// after normalising times, zxids and session ids, both transcripts must be identical.
using Zk.Compat.Infrastructure;

namespace Zk.Compat.ZkCli;

public sealed class ZkCliFixture : PairFixture
{
    protected override IReadOnlyDictionary<string, string> Config => new Dictionary<string, string> { ["extendedTypesEnabled"] = "true" };
}

public sealed class ZkCliComparisonTests(ZkCliFixture servers, ITestOutputHelper output) : CompatTest(output), IClassFixture<ZkCliFixture>
{
    /// <summary>Lines each script's reference run must show, or an equal transcript would prove little.</summary>
    private static readonly Dictionary<string, string[]> MustShow = new()
    {
        ["session.txt"] =
        [
            "Created /cli/seq-0000000001", "version No is not valid : /cli/plain", "Insufficient permission : /cli/locked", "Node not empty: /cli",
            "WatchedEvent state:SyncConnected type:NodeDataChanged path:/cli/plain",
        ],
        ["quotas-and-watches.txt"] =
        [
            "Output stat for /q count=5,bytes=2", "Output stat for /q count=7,bytes=7", "count=7,bytes=7", "quota for /q does not exist.",
            "WatchedEvent state:SyncConnected type:NodeCreated path:/q/r", "WatchedEvent state:SyncConnected type:PersistentWatchRemoved path:/q",
            "KeeperErrorCode = No such watcher for /q/none",
        ],
    };

    [Theory]
    [InlineData("session.txt")]
    [InlineData("quotas-and-watches.txt")]
    public async Task A_scripted_zkCli_session_prints_the_same_transcript_as_against_Apache_ZooKeeper(string script)
    {
        Watch(servers.ZkActors);
        Watch(servers.Apache);
        var text = await File.ReadAllTextAsync(TestPaths.TestFile("ZkCli", script));
        var runs = await Task.WhenAll(RunZkCli(servers.Apache, text), RunZkCli(servers.ZkActors, text));
        Output.WriteLine("==== zkCli against Apache ZooKeeper ====\n" + runs[0]);
        Output.WriteLine("==== zkCli against ZkActors ====\n" + runs[1]);
        var apache = ZkCliOutput.Normalize(runs[0]);
        var ours = ZkCliOutput.Normalize(runs[1]);

        foreach (var line in MustShow[script])
            Assert.True(apache.Lines.Contains(line) || apache.Events.Contains(line), $"the Apache run of {script} lacks '{line}'");
        TextDiff.AssertSame(apache.Lines, ours.Lines, "apache", "zkactors");
        TextDiff.AssertSame(apache.Events, ours.Events, "apache events", "zkactors events");
    }

    private static async Task<string> RunZkCli(ServerProcess server, string script)
    {
        var result = await ExternalTool.RunAsync(
            TestPaths.ZkCli,
            ["-server", server.ConnectString, "-waitforconnection"],
            stdin: script.Replace("{{SERVER}}", server.ConnectString, StringComparison.Ordinal),
            timeout: TimeSpan.FromSeconds(90),
            environment: new Dictionary<string, string> { ["CLIENT_JVMFLAGS"] = "-Xshare:auto -XX:TieredStopAtLevel=1 -Dzookeeper.root.logger=WARN,CONSOLE" },
            mergeStderr: true);
        return result.Stdout;
    }
}
