// The TCP quorum transport against the contract SimNetwork defines: notifications arrive and reachability is
// reported; a link is one FIFO stream, read only after Start, ended by exactly one LinkClosed; frames are bounded
// (a snapshot may be large, a too-large batch is split, a lying length closes the link). Real sockets on loopback.
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Zk.TestSupport;
using Zk.Actors.Kernel;
using Zk.Actors.Kernel.Testing;
using Zk.Actors.Zab;
using Zk.Host.Quorum;
using Zk.Core.Zab;

namespace Zk.Host.Tests.Quorum;

public sealed class TcpQuorumNetworkTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(5);
    private readonly ActorSystem _system = ActorSystem.Create("quorum-tests", NullLoggerFactory.Instance);
    private readonly List<TcpQuorumNetwork> _networks = [];
    private readonly Dictionary<int, QuorumPeerAddress> _addresses = [];

    public Task InitializeAsync()
    {
        foreach (var id in new[] { 1, 2, 3 })
            _addresses[id] = new QuorumPeerAddress(id, new IPEndPoint(IPAddress.Loopback, FreePort.Next()), new IPEndPoint(IPAddress.Loopback, FreePort.Next()));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var n in _networks) await n.DisposeAsync();
        _system.Dispose();
    }

    private (TcpQuorumNetwork Network, TestProbe Election, TestProbe Acceptor) Server(int id, QuorumTransportOptions? options = null, bool start = true)
    {
        var network = new TcpQuorumNetwork(id, _addresses.Values, options ?? new QuorumTransportOptions(), NullLogger.Instance);
        _networks.Add(network);
        var election = new TestProbe(_system, $"election-{id}-{_networks.Count}");
        var acceptor = new TestProbe(_system, $"acceptor-{id}-{_networks.Count}");
        if (start) network.Start();
        network.Bind(election.Ref, acceptor.Ref);
        return (network, election, acceptor);
    }

    [Fact]
    public void Notifications_reach_the_peer_both_ways()
    {
        var (one, election1, _) = Server(1);
        var (two, election2, _) = Server(2);
        election1.Ignore(m => m is PeerReachability);
        election2.Ignore(m => m is PeerReachability);
        var vote = new Notification(1, PeerState.Looking, 1, 0x1_0000_0005L, 3, 1);
        var answer = new Notification(2, PeerState.Following, 3, 0x1_0000_0007L, 3, 1);

        Assert.Equal(vote, ResendUntilReceived(() => one.SendElection(2, vote), election2).Notification);
        Assert.Equal(answer, ResendUntilReceived(() => two.SendElection(1, answer), election1).Notification);
    }

    [Fact]
    public async Task A_dead_peer_is_unreachable_until_it_comes_back()
    {
        var (_, election1, _) = Server(1);
        var (two, _, _) = Server(2);
        WaitFor(election1, new PeerReachability(2, true));
        await two.DisposeAsync();
        WaitFor(election1, new PeerReachability(2, false));

        Server(2);
        WaitFor(election1, new PeerReachability(2, true));
    }

    [Fact]
    public void A_link_is_read_only_after_Start_in_order_and_ends_with_one_LinkClosed()
    {
        var (one, _, _) = Server(1);
        var (_, _, acceptor2) = Server(2);
        var learner = new TestProbe(_system, "learner");
        var link = one.Connect(2, learner.Ref);
        link.Send(new FollowerInfo(1, 4, IsObserver: false));
        for (var i = 1; i <= 1000; i++) link.Send(new Ack(i));

        var accepted = acceptor2.ExpectMsg<LinkAccepted>(Within).Link;
        Assert.Equal(-1, accepted.RemoteServerId);
        var leader = new TestProbe(_system, "leader");
        leader.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        accepted.Start(leader.Ref);
        Assert.Equal(new FollowerInfo(1, 4, false), leader.ExpectMsg<LinkPacket>(Within).Packet);
        Assert.Equal(1, accepted.RemoteServerId);
        for (var i = 1; i <= 1000; i++) Assert.Equal(new Ack(i), leader.ExpectMsg<LinkPacket>(Within).Packet);

        accepted.Send(new LeaderInfo(5));
        Assert.Equal(new LeaderInfo(5), learner.ExpectMsg<LinkPacket>(Within).Packet);
        link.Close();
        learner.ExpectMsg<LinkClosed>(Within);
        leader.ExpectMsg<LinkClosed>(Within);
        link.Send(new Ack(1001));
        accepted.Send(new Commit(1001));
        learner.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        leader.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_close_right_after_a_send_still_delivers_the_packet()
    {
        var (one, _, _) = Server(1);
        var (_, _, acceptor2) = Server(2);
        var learner = new TestProbe(_system, "learner");
        one.Connect(2, learner.Ref).Send(new FollowerInfo(1, 0, false));
        var accepted = acceptor2.ExpectMsg<LinkAccepted>(Within).Link;
        // What the peer actor does on a server that is not leading.
        accepted.Send(new NotLeader(2));
        accepted.Close();

        Assert.Equal(new NotLeader(2), learner.ExpectMsg<LinkPacket>(Within).Packet);
        learner.ExpectMsg<LinkClosed>(Within);
    }

    [Fact]
    public void Connecting_to_a_server_that_is_down_delivers_LinkClosed()
    {
        var (one, _, _) = Server(1);
        var learner = new TestProbe(_system, "learner");
        var link = one.Connect(3, learner.Ref);
        link.Send(new FollowerInfo(1, 0, false));

        var closed = learner.ExpectMsg<LinkClosed>(Within);
        Assert.Same(link, closed.Link);
        Assert.Contains("refused", closed.Reason, StringComparison.Ordinal);
        learner.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_frame_longer_than_the_limit_closes_the_link()
    {
        var (_, _, acceptor2) = Server(2, new QuorumTransportOptions { MaxFrameBytes = 1024 });
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        raw.Connect(_addresses[2].Quorum);
        var header = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, 1_000_000);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), (int)QuorumPacketType.Proposal);
        raw.Send(header);

        var accepted = acceptor2.ExpectMsg<LinkAccepted>(Within).Link;
        var leader = new TestProbe(_system, "leader");
        accepted.Start(leader.Ref);
        Assert.Contains("broken frame", leader.ExpectMsg<LinkClosed>(Within).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_batch_too_large_for_one_frame_arrives_split_in_order_and_a_large_snapshot_whole()
    {
        var options = new QuorumTransportOptions { MaxFrameBytes = 64 << 10, MaxSnapFrameBytes = 8 << 20 };
        var (_, _, acceptor2) = Server(2, options);
        var (one, _, _) = Server(1, options);
        var learner = new TestProbe(_system, "learner");
        var link = one.Connect(2, learner.Ref);
        var txns = Enumerable.Range(1, 100).Select(i => new LoggedTxn(i, Enumerable.Repeat((byte)i, 4096).ToArray())).ToArray();
        var snapshot = new byte[5 << 20];
        new Random(7).NextBytes(snapshot);
        link.Send(new ProposalPacket(txns));
        link.Send(new Snap(100, snapshot));

        var accepted = acceptor2.ExpectMsg<LinkAccepted>(Within).Link;
        var leader = new TestProbe(_system, "leader");
        accepted.Start(leader.Ref);
        var received = new List<LoggedTxn>();
        var frames = 0;
        while (received.Count < txns.Length)
        {
            received.AddRange(Assert.IsType<ProposalPacket>(leader.ExpectMsg<LinkPacket>(Within).Packet).Txns);
            frames++;
        }
        Assert.True(frames > 1, "the batch should not fit one frame");
        Assert.Equal(txns.Select(t => t.Zxid), received.Select(t => t.Zxid));
        Assert.All(received, t => Assert.Equal((byte)t.Zxid, t.Payload.Span[4095]));
        var snap = Assert.IsType<Snap>(leader.ExpectMsg<LinkPacket>(Within).Packet);
        Assert.Equal(snapshot, snap.Snapshot);
    }

    [Fact]
    public async Task A_taken_port_fails_Start()
    {
        using var squatter = new TcpListener(_addresses[1].Quorum);
        squatter.Start();
        var network = new TcpQuorumNetwork(1, _addresses.Values, new QuorumTransportOptions(), NullLogger.Instance);
        var e = Assert.Throws<SocketException>(network.Start);
        Assert.Equal(SocketError.AddressAlreadyInUse, e.SocketErrorCode);
        await network.DisposeAsync();
    }

    /// <summary>Notifications are lossy until the connection is up: send again until one arrives.</summary>
    private static ElectionReceived ResendUntilReceived(Action send, TestProbe receiver)
    {
        var deadline = DateTime.UtcNow + Within;
        while (DateTime.UtcNow < deadline)
        {
            send();
            if (receiver.ReceiveOne(TimeSpan.FromMilliseconds(50)) is ElectionReceived r) return r;
        }
        throw new TimeoutException("no notification arrived");
    }

    private static void WaitFor(TestProbe probe, object expected)
    {
        var deadline = DateTime.UtcNow + Within;
        while (DateTime.UtcNow < deadline)
            if (Equals(probe.ReceiveOne(TimeSpan.FromMilliseconds(100)), expected)) return;
        throw new TimeoutException($"{expected} never arrived");
    }
}
