// The host wired as an ensemble member, in process: zoo.cfg server lines make it bind its quorum and election ports
// and look for a leader; while it looks it is not serving, so the client port turns handshakes away. Three hosts in
// one process elect a leader over real loopback sockets and re-elect when it stops.
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Zk.TestSupport;
using Zk.Actors.Server;
using Zk.Host.Config;
using Zk.Core.Storage;

namespace Zk.Host.Tests.Quorum;

public sealed class EnsembleHostTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("zk-ensemble-host-").FullName;
    private readonly int[] _ports = Enumerable.Range(0, 9).Select(_ => FreePort.Next()).ToArray();
    private readonly List<ServerHost> _hosts = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var h in _hosts)
        {
            await h.StopAsync();
            await h.DisposeAsync();
        }
        Directory.Delete(_root, recursive: true);
    }

    private HostOptions Options(int myId)
    {
        var dataDir = Path.Combine(_root, $"node{myId}");
        var text = new StringBuilder()
            .Append("tickTime=200\ninitLimit=10\nsyncLimit=5\nclientPortAddress=127.0.0.1\n4lw.commands.whitelist=*\ncommitLogCount=777\n")
            .Append(CultureInfo.InvariantCulture, $"dataDir={dataDir}\nclientPort={ClientPort(myId)}\n");
        for (var id = 1; id <= 3; id++)
            text.Append(CultureInfo.InvariantCulture, $"server.{id}=127.0.0.1:{_ports[3 * (id - 1) + 1]}:{_ports[3 * (id - 1) + 2]}\n");
        var loaded = ServerConfigLoader.Parse(text.ToString(), Path.Combine(_root, $"zoo{myId}.cfg"),
            path => path == Path.Combine(dataDir, "myid") ? myId.ToString(CultureInfo.InvariantCulture) : null);
        return HostConfiguration.FromConfig(loaded.Config);
    }

    private int ClientPort(int myId) => _ports[3 * (myId - 1)];

    private async Task<ServerHost> StartAsync(int myId)
    {
        var host = new ServerHost(Options(myId), NullLoggerFactory.Instance);
        _hosts.Add(host);
        await host.StartAsync();
        return host;
    }

    [Fact]
    public void Server_lines_make_an_ensemble_member_with_the_configured_history()
    {
        var options = Options(2);
        Assert.False(options.Node.Standalone);
        Assert.Equal(2, options.Node.ServerId);
        Assert.Equal([1, 2, 3], options.Node.Voters);
        Assert.Equal(777, options.Node.HistoryEntries);
    }

    [Fact]
    public async Task A_lone_member_binds_its_quorum_ports_looks_for_a_leader_and_turns_clients_away()
    {
        var host = await StartAsync(1);

        using (var quorum = new TcpClient()) await quorum.ConnectAsync(IPAddress.Loopback, _ports[1]);
        using (var election = new TcpClient()) await election.ConnectAsync(IPAddress.Loopback, _ports[2]);
        await Task.Delay(300);
        Assert.False(host.IsServing);
        Assert.Equal(ServerMode.Looking, host.Node.State.Mode);
        Assert.Contains("not currently serving", await FourLetterWordAsync(ClientPort(1), "srvr"), StringComparison.Ordinal);
        Assert.True(await HandshakeIsRefusedAsync(ClientPort(1)));
    }

    [Fact]
    public async Task Three_hosts_in_one_process_elect_a_leader_and_elect_another_when_it_stops()
    {
        var hosts = new[] { await StartAsync(1), await StartAsync(2), await StartAsync(3) };
        var leader = await WaitForLeaderAsync(hosts);
        Assert.All(hosts, h => Assert.True(h.IsServing));

        await leader.StopAsync();
        _hosts.Remove(leader);
        await leader.DisposeAsync();
        var survivors = hosts.Where(h => h != leader).ToArray();
        var next = await WaitForLeaderAsync(survivors);
        Assert.NotSame(leader, next);
        Assert.True(next.Node.State.Epoch > 0);
    }

    private static async Task<ServerHost> WaitForLeaderAsync(IReadOnlyList<ServerHost> hosts)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var leaders = hosts.Where(h => h.Node.State.Mode == ServerMode.Leader && h.IsServing).ToArray();
            if (leaders.Length == 1 && hosts.All(h => h.IsServing && h.Node.State.LeaderId == leaders[0].Node.Options.ServerId)) return leaders[0];
            await Task.Delay(20);
        }
        throw new TimeoutException("no leader: " + string.Join(", ", hosts.Select(h => $"{h.Node.Options.ServerId}={h.Node.State.ModeName}")));
    }

    private static async Task<string> FourLetterWordAsync(int port, string word)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(word));
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    /// <summary>Sends a ZooKeeper ConnectRequest; true when the server closes without answering.</summary>
    private static async Task<bool> HandshakeIsRefusedAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        // length 45: protocolVersion 0, lastZxidSeen 0, timeout 10000, sessionId 0, passwd (16 zero bytes), readOnly false
        var frame = new byte[49];
        frame[3] = 45;
        frame[18] = 0x27;
        frame[19] = 0x10;
        frame[31] = 16;
        await stream.WriteAsync(frame);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var buffer = new byte[64];
        return await stream.ReadAsync(buffer, cts.Token) == 0;
    }
}
