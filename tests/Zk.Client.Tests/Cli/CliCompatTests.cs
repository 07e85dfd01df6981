// zkcli against Apache's own zkCli.sh: the same script, or the same one-shot command, must print the same
// bytes (after normalizing what differs between any two runs: zxids, session ids, times, ports, the test root)
// and exit with the same code.
using System.Text.RegularExpressions;
using Zk.Client.Tests.Infrastructure;

namespace Zk.Client.Tests.Cli;

public abstract partial class CliCompatTests(ServerFixture fx)
{
    [Fact]
    public async Task A_whole_session_script_prints_what_zkCli_prints()
    {
        var script = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Cli", "session.zk"));

        var java = await RunJavaAsync(script, ServerFixture.NewRoot("cli-java"));
        var ours = await RunOursAsync(script, ServerFixture.NewRoot("cli-net"));

        AssertSameOutput(java, ours);
        Assert.Contains("Node already exists: ROOT/a", ours.Stderr, StringComparison.Ordinal);
        Assert.Contains("WatchedEvent state:SyncConnected type:NodeDataChanged path:ROOT/a", ours.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ls /zookeeper")]
    [InlineData("get /no/such/node")]
    [InlineData("stat /zookeeper")]
    [InlineData("getAcl /zookeeper/config")]
    [InlineData("no-such-command")]
    [InlineData("ls")]
    [InlineData("create")]
    [InlineData("get -x /")]
    public async Task A_one_shot_command_prints_and_exits_like_zkCli(string command)
    {
        var words = command.Split(' ');
        var java = await Shells.ZkCliAsync(["-server", fx.ConnectString, .. words]);
        var ours = await Shells.ZkcliAsync(["-server", fx.ConnectString, .. words]);

        // In one-shot mode zkCli exits as soon as the command is done, racing its event thread: whether the
        // connect event gets printed is luck there, so that one event is left out of the comparison.
        AssertSameOutput(Normalize(java, null), Normalize(ours, null), ignoreConnectEvent: true);
    }

    [Fact]
    public async Task One_shot_exit_codes_are_zero_on_success_one_on_error_and_127_for_unknown_commands()
    {
        Task<ToolResult> Run(params string[] words) => Shells.ZkcliAsync(["-server", fx.ConnectString, .. words]);

        Assert.Equal(0, (await Run("ls", "/")).ExitCode);
        Assert.Equal(1, (await Run("get", "/definitely/missing")).ExitCode);
        Assert.Equal(127, (await Run("nope")).ExitCode);
    }

    [Fact]
    public async Task Ls2_and_rmr_from_older_zkCli_versions_still_work()
    {
        // zkCli.sh 3.8 no longer knows them (so there is nothing to compare with): ls2 prints the children and then
        // the parent's Stat, as 3.4 did; rmr deletes a whole subtree, as deleteall does.
        var root = ServerFixture.NewRoot("cli-old");
        var script = $"create {root}\ncreate {root}/a\ncreate {root}/a/b\nls2 {root}\nrmr {root}/a\nls {root}\nquit\n";
        var ours = await Shells.ZkcliAsync(["-server", fx.ConnectString], script);

        var lines = ours.Stdout.Split('\n');
        var ls2 = Array.IndexOf(lines, "[a]");
        Assert.True(ls2 >= 0, ours.Stdout);
        Assert.StartsWith("cZxid = 0x", lines[ls2 + 1], StringComparison.Ordinal);
        Assert.Contains("numChildren = 1", lines.Skip(ls2));
        Assert.Equal("[]", lines.Skip(ls2 + 1).First(l => l.StartsWith('[')));
    }

    private async Task<ToolResult> RunJavaAsync(string script, string root) =>
        Normalize(await Shells.ZkCliAsync(["-server", fx.ConnectString], Prepare(script, root)), root);

    private async Task<ToolResult> RunOursAsync(string script, string root) =>
        Normalize(await Shells.ZkcliAsync(["-server", fx.ConnectString], Prepare(script, root)), root);

    private string Prepare(string script, string root) =>
        script.Replace("ROOT", root, StringComparison.Ordinal).Replace("HOST", fx.ConnectString, StringComparison.Ordinal);

    // Watch events are printed by another thread in both shells, so where a block lands between command outputs
    // is timing; the events themselves, in order, and everything else, in order, must match exactly.
    private static void AssertSameOutput(ToolResult java, ToolResult ours, bool ignoreConnectEvent = false)
    {
        var (javaText, javaEvents) = SplitEvents(java.Stdout);
        var (ourText, ourEvents) = SplitEvents(ours.Stdout);
        if (ignoreConnectEvent)
        {
            javaEvents.Remove(ConnectEvent);
            ourEvents.Remove(ConnectEvent);
        }
        // A closed client's own Closed event comes from its event thread, which races the next connection's events
        // (close, then connect) and, after quit, the JVM's exit: whether and where zkCli prints it is luck.
        javaEvents.RemoveAll(e => e == ClosedEvent);
        ourEvents.RemoveAll(e => e == ClosedEvent);
        Assert.Equal(javaEvents, ourEvents);
        Assert.Equal(javaText, ourText);
        Assert.Equal(java.Stderr, ours.Stderr);
        Assert.Equal(java.ExitCode, ours.ExitCode);
    }

    private const string ConnectEvent = "WatchedEvent state:SyncConnected type:None path:null";

    private const string ClosedEvent = "WatchedEvent state:Closed type:None path:null";

    private static (string Text, List<string> Events) SplitEvents(string stdout)
    {
        var events = new List<string>();
        var text = WatcherBlock().Replace(stdout, m =>
        {
            if (m.Groups[1].Success) events.Add(m.Groups[1].Value);
            return "";
        });
        return (text, events);
    }

    private ToolResult Normalize(ToolResult r, string? root)
    {
        string Clean(string s)
        {
            s = string.Join('\n', s.Split('\n').Where(l => !l.StartsWith("SLF4J:", StringComparison.Ordinal)));
            s = s.Replace(fx.ConnectString, "HOST", StringComparison.Ordinal);
            if (root is not null) s = s.Replace(root, "ROOT", StringComparison.Ordinal);
            s = JavaDate().Replace(s, "$1 = DATE");
            return Hex().Replace(s, "0xN");
        }
        return new ToolResult(r.ExitCode, Clean(r.Stdout), Clean(r.Stderr));
    }

    // Both shells print "WATCHER::" and then the event, each as its own "\n" + text + "\n" write, from the event
    // thread: the main thread's lines may land between the two, so each write is taken out on its own.
    [GeneratedRegex(@"\n(?:WATCHER::|(WatchedEvent [^\n]*))\n")]
    private static partial Regex WatcherBlock();

    // Only Java's Date.toString shape is accepted as a time; anything else stays and shows up in the diff.
    [GeneratedRegex(@"(ctime|mtime) = (Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d\d \d\d:\d\d:\d\d UTC \d{4}")]
    private static partial Regex JavaDate();

    // zxids and session ids; 0x0 stays, so "no owner" still has to match "no owner".
    [GeneratedRegex("0x(?!0\\b)[0-9a-f]+")]
    private static partial Regex Hex();
}

[Collection(CliCollection.Apache)]
public sealed class CliCompatTestsOnApache(ApacheFixture fx) : CliCompatTests(fx);

[Collection(CliCollection.ZkActors)]
public sealed class CliCompatTestsOnZkActors(ZkActorsFixture fx) : CliCompatTests(fx);
