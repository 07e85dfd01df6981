// 4lw.commands.whitelist: a command outside it gets ZooKeeper's refusal text and the connection is closed.
using Zk.Compat.Infrastructure;

namespace Zk.Compat.FourLetterWords;

public sealed class WhitelistFixture : PairFixture
{
    protected override IReadOnlyDictionary<string, string> Config => new Dictionary<string, string>
    {
        ["4lw.commands.whitelist"] = "srvr, ruok",
    };
}

public sealed class WhitelistTests(WhitelistFixture servers, ITestOutputHelper output) : CompatTest(output), IClassFixture<WhitelistFixture>
{
    private ServerProcess Server(string which) => Watch<ServerProcess>(which == "zkactors" ? servers.ZkActors : servers.Apache);

    [Theory]
    [InlineData("zkactors", "stat")]
    [InlineData("zkactors", "mntr")]
    [InlineData("zkactors", "conf")]
    [InlineData("apache", "stat")]
    [InlineData("apache", "mntr")]
    [InlineData("apache", "conf")]
    public async Task A_command_outside_the_whitelist_is_refused_by_name(string which, string word)
    {
        Assert.Equal($"{word} is not executed because it is not in the whitelist.\n", await FourLetterWord.SendAsync(Server(which).ClientPort, word));
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task Whitelisted_commands_still_run(string which)
    {
        var server = Server(which);
        Assert.Equal("imok", await FourLetterWord.SendAsync(server.ClientPort, "ruok"));
        Assert.Contains("Mode: standalone\n", await FourLetterWord.SendAsync(server.ClientPort, "srvr"));
    }
}
