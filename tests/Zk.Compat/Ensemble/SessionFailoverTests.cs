// Sessions are global: a client whose server dies resumes the same session on another server, with its ephemeral
// nodes intact, whether the dead server led or followed; kazoo and Apache's zkCli.sh both see it. A client of a
// follower reads its own writes.
using System.Text.RegularExpressions;

namespace Zk.Compat.Ensemble;

[Collection(EnsembleCollection.Name)]
public sealed partial class SessionFailoverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Failover = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("leader")]
    [InlineData("follower")]
    public async Task A_kazoo_session_and_its_ephemeral_survive_the_death_of_its_server(string role)
    {
        await using var ensemble = await ProcessEnsemble.StartAsync(voters: 3);
        try
        {
            var home = await ensemble.VoterInRoleAsync(role);
            // Every address, the chosen server first and no shuffling: the session starts there.
            var hosts = ensemble.ConnectStringOf(ensemble.Ids.OrderBy(id => id == home ? 0 : 1));
            await using var client = await KazooAgent.ConnectAsync(hosts, randomize: false);
            var session = (await client.OkAsync(new { op = "session" })).GetProperty("session").GetString();
            Assert.Equal(ensemble[home].ClientPort, (await client.OkAsync(new { op = "session" })).GetProperty("port").GetInt32());
            await client.OkAsync(new { op = "create", path = "/owned", data = "mine", ephemeral = true });

            await ensemble.KillAsync(home);
            var resumed = await client.OkAsync(new { op = "wait_connected", timeout = 30.0, away_from = ensemble[home].ClientPort }, Failover);
            Assert.True(resumed.GetProperty("connected").GetBoolean(), $"kazoo did not reconnect: {resumed}");
            Assert.Equal(session, resumed.GetProperty("session").GetString());
            Assert.NotEqual(ensemble[home].ClientPort, resumed.GetProperty("port").GetInt32());

            var node = await client.UntilOkAsync(new { op = "get", path = "/owned" }, Failover);
            Assert.Equal("mine", node.GetProperty("data").GetString());
            Assert.Equal(session, node.GetProperty("ephemeralOwner").GetString());
            // The session still writes, through the new leader if the old one died.
            await client.UntilOkAsync(new { op = "create", path = "/after-failover", data = "x", ephemeral = true }, Failover);

            // Closing it removes its ephemerals everywhere.
            await client.OkAsync(new { op = "close" });
            await using var observer = await KazooAgent.ConnectAsync(ensemble.ConnectStringOf(ensemble.Running));
            await observer.OkAsync(new { op = "sync", path = "/" });
            Assert.False((await observer.OkAsync(new { op = "exists", path = "/owned" })).GetProperty("exists").GetBoolean());
            Assert.False((await observer.OkAsync(new { op = "exists", path = "/after-failover" })).GetProperty("exists").GetBoolean());
            await ensemble.WaitForAgreementAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            ensemble.WriteLogsTo(output);
        }
    }

    [Fact]
    public async Task A_client_of_a_follower_reads_its_own_writes()
    {
        await using var ensemble = await ProcessEnsemble.StartAsync(voters: 3);
        try
        {
            var leader = await ensemble.LeaderAsync();
            var follower = ensemble.Voters.First(id => id != leader);
            await using var client = await KazooAgent.ConnectAsync(ensemble[follower].ConnectString);
            await client.OkAsync(new { op = "create", path = "/ryw", data = "-1" });
            for (var i = 0; i < 200; i++)
            {
                var value = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var set = await client.OkAsync(new { op = "set", path = "/ryw", data = value });
                var got = await client.OkAsync(new { op = "get", path = "/ryw" });
                Assert.Equal(value, got.GetProperty("data").GetString());
                Assert.Equal(set.GetProperty("version").GetInt32(), got.GetProperty("version").GetInt32());
                if (i % 20 != 0) continue;
                var child = (await client.OkAsync(new { op = "create", path = "/ryw/c-", sequence = true })).GetProperty("path").GetString()!;
                var children = await client.OkAsync(new { op = "children", path = "/ryw" });
                Assert.Contains(child["/ryw/".Length..], children.GetProperty("children").EnumerateArray().Select(e => e.GetString()));
            }
            Assert.Equal(ensemble[follower].ClientPort, (await client.OkAsync(new { op = "session" })).GetProperty("port").GetInt32());
        }
        finally
        {
            ensemble.WriteLogsTo(output);
        }
    }

    [Fact]
    public async Task ZkCli_given_every_address_keeps_its_session_and_ephemeral_when_its_server_is_killed()
    {
        await using var ensemble = await ProcessEnsemble.StartAsync(voters: 3);
        await using var cli = InteractiveZkCli.Start(ensemble.ConnectString);
        try
        {
            await cli.RunAsync("create -e /cli-eph hello", TimeSpan.FromSeconds(60));
            var before = await cli.RunAsync("stat /cli-eph", TimeSpan.FromSeconds(30));
            var owner = EphemeralOwner(before) ?? throw new InvalidOperationException("no ephemeralOwner in:\n" + cli.Transcript);
            var home = await ServerHoldingAsync(ensemble, owner) ?? throw new InvalidOperationException($"no server lists session {owner} in cons");
            output.WriteLine($"zkCli session {owner} on server {home}; killing it");

            await ensemble.KillAsync(home);
            var deadline = DateTime.UtcNow + Failover;
            string? ownerAfter = null;
            while (ownerAfter is null)
            {
                Assert.True(DateTime.UtcNow < deadline, "zkCli did not get its node back:\n" + cli.Transcript);
                ownerAfter = EphemeralOwner(await cli.RunAsync("stat /cli-eph", TimeSpan.FromSeconds(30)));
                if (ownerAfter is null) await Task.Delay(100);
            }
            Assert.Equal(owner, ownerAfter);
            Assert.Contains("hello", await cli.RunAsync("get /cli-eph", TimeSpan.FromSeconds(30)));
            var newHome = await ServerHoldingAsync(ensemble, owner);
            Assert.NotNull(newHome);
            Assert.NotEqual(home, newHome);

            await cli.QuitAsync(TimeSpan.FromSeconds(30));
            await using var check = await KazooAgent.ConnectAsync(ensemble.ConnectStringOf(ensemble.Running));
            await check.OkAsync(new { op = "sync", path = "/" });
            Assert.False((await check.OkAsync(new { op = "exists", path = "/cli-eph" })).GetProperty("exists").GetBoolean());
        }
        finally
        {
            output.WriteLine("==== zkCli ====\n" + cli.Transcript);
            ensemble.WriteLogsTo(output);
        }
    }

    /// <summary>The server whose `cons` lists a connection of session <paramref name="sessionId"/>.</summary>
    private static async Task<int?> ServerHoldingAsync(ProcessEnsemble ensemble, string sessionId)
    {
        foreach (var id in ensemble.Running)
        {
            var cons = await FourLetterWord.TryAsync(ensemble[id].ClientPort, "cons", TimeSpan.FromSeconds(5));
            if (cons?.Contains($"sid={sessionId},", StringComparison.Ordinal) == true) return id;
        }
        return null;
    }

    private static string? EphemeralOwner(IEnumerable<string> lines) =>
        lines.Select(l => EphemeralOwnerLine().Match(l)).FirstOrDefault(m => m.Success && m.Groups[1].Value != "0x0")?.Groups[1].Value;

    [GeneratedRegex(@"ephemeralOwner = (0x[0-9a-f]+)")]
    private static partial Regex EphemeralOwnerLine();
}
