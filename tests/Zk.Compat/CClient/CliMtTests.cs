// The ZooKeeper C client (cli_mt from zookeeper-bin) runs a scripted session; each command's printed result is
// checked. The same test runs against Apache ZooKeeper 3.8, which proves the expectations are ZooKeeper's own.
using Zk.Compat.Infrastructure;

namespace Zk.Compat.CClient;

public sealed class CliMtTests(PairFixture servers, ITestOutputHelper output) : CompatTest(output), IClassFixture<PairFixture>
{
    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task A_scripted_cli_mt_session_gets_the_expected_results(string which)
    {
        var server = Watch<ServerProcess>(which == "zkactors" ? servers.ZkActors : servers.Apache);
        await using var cli = await CliMtSession.StartAsync(server.ConnectString);
        try
        {
            await Script(cli);
            Assert.Equal(0, await cli.QuitAsync());
        }
        finally
        {
            Output.WriteLine("==== cli_mt transcript ====\n" + cli.Transcript);
        }

        // Closing the session removed its ephemerals.
        await using var check = await RawZkClient.ConnectAsync(server.ClientPort);
        await check.ExistsAsync("/cmt/eph").Expect(Zk.Protocol.KeeperErrorCode.NoNode);
        await check.ExistsAsync("/cmt/eseq0000000002").Expect(Zk.Protocol.KeeperErrorCode.NoNode);
        await check.ExistsAsync("/cmt/seq0000000001").Ok();
    }

    private static async Task Script(CliMtSession cli)
    {
        var owner = cli.SessionHex;
        Assert.Equal(["Creating [/cmt] node (mode: 0)", "[/cmt]: rc = 0", "\tname = /cmt"], await cli.RunAsync("create /cmt"));
        Assert.Equal(["Creating [/cmt] node (mode: 0)", "[/cmt]: rc = -110"], await cli.RunAsync("create /cmt"));
        Assert.Equal(["Creating [/cmt/eph] node (mode: 1)", "[/cmt/eph]: rc = 0", "\tname = /cmt/eph"], await cli.RunAsync("create +e /cmt/eph"));
        Assert.Equal(["Creating [/cmt/seq] node (mode: 2)", "[/cmt/seq]: rc = 0", "\tname = /cmt/seq0000000001"], await cli.RunAsync("create +s /cmt/seq"));
        Assert.Equal(["Creating [/cmt/eseq] node (mode: 3)", "[/cmt/eseq]: rc = 0", "\tname = /cmt/eseq0000000002"], await cli.RunAsync("create +es /cmt/eseq"));
        Assert.Equal(["Creating [/cmt/eph/child] node (mode: 0)", "[/cmt/eph/child]: rc = -108"], await cli.RunAsync("create /cmt/eph/child"));
        Assert.Equal(["Creating [/nope/child] node (mode: 0)", "[/nope/child]: rc = -101"], await cli.RunAsync("create /nope/child"));
        Assert.Equal(
            ["Creating [/cmt/two] node (mode: 0)", "[/cmt/two]: rc = 0", "\tname = /cmt/two", "\tversion=0\taversion=0", "\tephemeralOwner = 0"],
            Stable(await cli.RunAsync("create2 /cmt/two")));

        Assert.Equal(["/cmt: rc = 0 Stat:", "\tversion=1\taversion=0", "\tephemeralOwner = 0"], Stable(await cli.RunAsync("set /cmt hello")));
        Assert.Equal(["/cmt: rc = 0", " value_len = 5", "hello", "Stat:", "\tversion=1\taversion=0", "\tephemeralOwner = 0"], Stable(await cli.RunAsync("get /cmt")));
        Assert.Equal(["/cmt/eph: rc = 0", " value_len = 3", "new", "Stat:", "\tversion=0\taversion=0", $"\tephemeralOwner = {owner}"], Stable(await cli.RunAsync("get /cmt/eph")));
        Assert.Equal(["/missing: rc = -101", "", "Stat:", "null"], await cli.RunAsync("get /missing"));

        var ls = await cli.RunAsync("ls /cmt");
        Assert.Equal("/cmt: rc = 0", ls[0]);
        Assert.Equal(["\teph", "\teseq0000000002", "\tseq0000000001", "\ttwo"], ls.Skip(1).Order(StringComparer.Ordinal));
        var ls2 = Stable(await cli.RunAsync("ls2 /cmt"));
        Assert.Equal("/cmt: rc = 0", ls2[0]);
        Assert.Equal(["\teph", "\teseq0000000002", "\tseq0000000001", "\ttwo"], ls2.Skip(1).Take(4).Order(StringComparer.Ordinal));
        Assert.Equal(["\tversion=1\taversion=0", "\tephemeralOwner = 0"], ls2.Skip(5));

        Assert.Empty(await cli.RunAsync("exists /cmt"));
        Assert.Equal(["Error -101 for /missing"], await cli.RunAsync("exists /missing"));

        // `get /cmt` and `ls /cmt` left a data and a child watch on /cmt, `get /cmt/eph` one on /cmt/eph; the C client
        // delivers each event before the completion of the request whose reply followed it on the wire.
        Assert.Empty(await cli.RunAsync("wexists /cmt/two"));
        Assert.Equal(
            ["Watcher CHANGED_EVENT state = CONNECTED_STATE for path /cmt/two", "/cmt/two: rc = 0 Stat:", "\tversion=1\taversion=0", "\tephemeralOwner = 0"],
            Stable(await cli.RunAsync("set /cmt/two again")));
        Assert.Equal(
            ["Watcher CHANGED_EVENT state = CONNECTED_STATE for path /cmt", "/cmt: rc = 0 Stat:", "\tversion=2\taversion=0", "\tephemeralOwner = 0"],
            Stable(await cli.RunAsync("set /cmt world")));
        Assert.Equal(
            ["Creating [/cmt/three] node (mode: 0)", "Watcher CHILD_EVENT state = CONNECTED_STATE for path /cmt", "[/cmt/three]: rc = 0", "\tname = /cmt/three"],
            await cli.RunAsync("create /cmt/three"));
        Assert.Equal(
            ["Watcher CHANGED_EVENT state = CONNECTED_STATE for path /cmt/eph", "/cmt/eph: rc = 0 Stat:", "\tversion=1\taversion=0", $"\tephemeralOwner = {owner}"],
            Stable(await cli.RunAsync("set /cmt/eph x")));

        Assert.Equal(["/cmt: rc = -111"], await cli.RunAsync("delete /cmt"));
        Assert.Equal(["/cmt/two: rc = 0"], await cli.RunAsync("delete /cmt/two"));
        Assert.Equal(["/cmt/two: rc = -101"], await cli.RunAsync("delete /cmt/two"));
        Assert.Equal(["[/cmt]: rc = 0", "\tname = /cmt"], await cli.RunAsync("sync /cmt"));
        Assert.Equal(["/zookeeper/config: rc = 0", " value_len = 0", "", "Stat:", "\tversion=0\taversion=ffffffff", "\tephemeralOwner = 0"], Stable(await cli.RunAsync("config")));
        Assert.Empty(await cli.RunAsync("addauth digest alice:secret"));
    }

    /// <summary>Drops the Stat lines that carry times and zxids.</summary>
    private static List<string> Stable(IReadOnlyList<string> lines) =>
        lines.Where(l => !l.StartsWith("\tctime", StringComparison.Ordinal) && !l.StartsWith("\tczxid", StringComparison.Ordinal)
            && !l.StartsWith("\tmtime", StringComparison.Ordinal) && !l.StartsWith("\tmzxid", StringComparison.Ordinal)).ToList();
}
