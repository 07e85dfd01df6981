// Many connections at once: a thousand idle ones are held while a healthy session keeps working, and
// maxClientCnxns turns away the connection over the limit without touching the others.
using System.Globalization;
using Zk.Compat.FourLetterWords;
using Zk.Compat.Infrastructure;
using Zk.Protocol;

namespace Zk.Compat.BadInput;

public sealed class ManyConnectionsFixture : ZkActorsFixture
{
    protected override IReadOnlyDictionary<string, string> Config => new Dictionary<string, string>
    {
        ["maxClientCnxns"] = "2000",
        ["maxSessionTimeout"] = "60000",
    };
}

public sealed class ManyConnectionsTests(ManyConnectionsFixture fixture, ITestOutputHelper output) : CompatTest(output), IClassFixture<ManyConnectionsFixture>
{
    [Fact]
    public async Task A_thousand_idle_connections_are_held_while_a_healthy_session_keeps_working()
    {
        var server = Watch(fixture.Server);
        await using var healthy = await RawZkClient.ConnectAsync(server.ClientPort);
        var root = $"/many-{Guid.NewGuid():N}";
        await healthy.CreateAsync(root).Ok();
        var sessions = new List<RawZkClient>();
        var bare = new List<System.Net.Sockets.TcpClient>();
        try
        {
            // 700 idle sessions and 300 bare sockets that never send a byte, opened in batches.
            for (var batch = 0; batch < 20; batch++)
            {
                sessions.AddRange(await Task.WhenAll(Enumerable.Range(0, 35).Select(_ => RawZkClient.ConnectAsync(server.ClientPort, timeoutMs: 60_000))));
                bare.AddRange(await Task.WhenAll(Enumerable.Range(0, 15).Select(_ => RawZkClient.OpenSocketAsync(server.ClientPort))));
                await healthy.CreateAsync($"{root}/b{batch}").Ok();
            }
            Assert.All(sessions, s => Assert.True(s.SessionValid));
            Assert.Equal(sessions.Count, sessions.Select(s => s.SessionId).Distinct().Count());

            var srvr = FourLetterWordTests.Srvr(await FourLetterWord.SendAsync(server.ClientPort, "srvr"));
            Assert.True(long.Parse(srvr["Connections"], CultureInfo.InvariantCulture) >= 701, $"srvr counts {srvr["Connections"]} connections");
            await healthy.GetChildrenAsync(root).Ok();

            // Every idle session is still served on its own connection.
            var pings = await Task.WhenAll(sessions.Select(s => s.PingAsync()));
            Assert.All(pings, p => Assert.Equal(KeeperErrorCode.Ok, p.Err));
            Assert.Equal(20, (await healthy.GetChildrenAsync(root)).As<Zk.Protocol.Records.GetChildren2Response>().Children.Count);
        }
        finally
        {
            foreach (var s in sessions) await s.DisposeAsync();
            foreach (var b in bare) b.Dispose();
        }
        await healthy.ExistsAsync(root).Ok();
        Assert.Equal("imok", await FourLetterWord.SendAsync(server.ClientPort, "ruok"));
    }
}

public sealed class ConnectionLimitFixture : PairFixture
{
    public const int Limit = 5;

    protected override IReadOnlyDictionary<string, string> Config => new Dictionary<string, string>
    {
        ["maxClientCnxns"] = Limit.ToString(CultureInfo.InvariantCulture),
    };
}

public sealed class ConnectionLimitTests(ConnectionLimitFixture servers, ITestOutputHelper output) : CompatTest(output), IClassFixture<ConnectionLimitFixture>
{
    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task A_connection_over_maxClientCnxns_is_closed_without_data_and_the_others_carry_on(string which)
    {
        var server = Watch<ServerProcess>(which == "zkactors" ? servers.ZkActors : servers.Apache);
        var clients = new List<RawZkClient>();
        try
        {
            for (var i = 0; i < ConnectionLimitFixture.Limit; i++) clients.Add(await RawZkClient.ConnectAsync(server.ClientPort));
            var (bytes, closed) = await FrameBytes.SendAndReadAsync(server.ClientPort, FrameBytes.Connect());
            Assert.True(closed, "the connection over the limit was kept open");
            Assert.Empty(bytes);
            foreach (var c in clients) await c.ExistsAsync("/").Ok();

            // A freed slot can be taken again.
            await clients[0].CloseSessionAsync();
            await clients[0].DisposeAsync();
            clients.RemoveAt(0);
            clients.Add(await ConnectWhenSlotFreedAsync(server.ClientPort));
            await clients[^1].ExistsAsync("/").Ok();
        }
        finally
        {
            foreach (var c in clients) await c.DisposeAsync();
        }
    }

    // The server releases the slot when it has processed the close, a moment after the client saw it; until then a
    // new connection is closed (or, when the reset overtakes the connect on loopback, refused).
    private static async Task<RawZkClient> ConnectWhenSlotFreedAsync(int port)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await RawZkClient.ConnectAsync(port);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException && attempt < 50)
            {
                await Task.Delay(20);
            }
        }
    }
}
