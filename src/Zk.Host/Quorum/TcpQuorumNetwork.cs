// IQuorumNetwork over TCP for one server of an ensemble: the quorum port carries leader–learner links (the
// learner dials; each link one FIFO stream), the election port carries FLE notifications (one connection per
// server pair). Sockets are bound by Start, before any actor exists; deliveries go to the actors given to Bind.
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Zk.Actors.Kernel;
using Zk.Actors.Zab;
using Zk.Protocol.Jute;
using Zk.Core.Zab;

namespace Zk.Host.Quorum;

public sealed class TcpQuorumNetwork : IQuorumNetwork, IElectionSink, IAsyncDisposable
{
    private readonly int _myId;
    private readonly QuorumPeerAddress _self;
    private readonly Dictionary<int, QuorumPeerAddress> _servers;
    private readonly Dictionary<int, ElectionPeer> _peers = [];
    private readonly QuorumTransportOptions _options;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<long, TcpQuorumLink> _links = new();
    private readonly List<Task> _loops = [];
    private Socket? _quorumListener;
    private Socket? _electionListener;
    private volatile ActorRef? _election;
    private volatile ActorRef? _acceptor;
    private long _nextLinkId;

    internal TcpQuorumNetwork(int myId, IEnumerable<QuorumPeerAddress> servers, QuorumTransportOptions options, ILogger log)
    {
        _myId = myId;
        _servers = servers.ToDictionary(s => s.ServerId);
        _self = _servers.TryGetValue(myId, out var self) ? self : throw new ArgumentException($"no server.{myId} line for this server", nameof(servers));
        _options = options;
        _log = log;
        foreach (var s in _servers.Values.Where(s => s.ServerId != myId))
            _peers[s.ServerId] = new ElectionPeer(myId, s, options, this, log);
    }

    public static TcpQuorumNetwork Create(int myId, IEnumerable<QuorumPeerAddress> servers, QuorumTransportOptions options, ILoggerFactory loggers) =>
        new(myId, servers, options, loggers.CreateLogger("Zk.Quorum"));

    /// <summary>Binds both ports (a port in use throws here, at start-up) and starts accepting and dialling.</summary>
    public void Start()
    {
        _quorumListener = Listen(_self.Quorum);
        _electionListener = Listen(_self.Election);
        QuorumLog.Listening(_log, _myId, _self.Quorum, _self.Election);
        _loops.Add(AcceptLinksAsync(_quorumListener));
        _loops.Add(AcceptElectionAsync(_electionListener));
        foreach (var p in _peers.Values.Where(p => p.Dials)) _loops.Add(p.DialLoopAsync(_stop.Token));
    }

    public void Bind(ActorRef electionReceiver, ActorRef linkAcceptor)
    {
        _election = electionReceiver;
        _acceptor = linkAcceptor;
        // What the transport learned before the election existed.
        foreach (var p in _peers.Values)
            if (p.Reachable is { } r) electionReceiver.Tell(new PeerReachability(p.PeerId, r));
    }

    public void SendElection(int to, Notification notification)
    {
        if (to == _myId) Deliver(notification);
        else if (_peers.TryGetValue(to, out var peer)) peer.Send(notification);
    }

    public IQuorumLink Connect(int serverId, ActorRef owner)
    {
        if (!_servers.TryGetValue(serverId, out var server)) throw new ArgumentException($"server {serverId} is not in the ensemble", nameof(serverId));
        var link = TcpQuorumLink.Dial(Interlocked.Increment(ref _nextLinkId), serverId, server.Quorum, owner, _myId, _options, _log);
        Track(link);
        return link;
    }

    void IElectionSink.Deliver(Notification n) => Deliver(n);

    void IElectionSink.Reachability(int serverId, bool reachable) => _election?.Tell(new PeerReachability(serverId, reachable));

    private void Deliver(Notification n) => _election?.Tell(new ElectionReceived(n));

    private Socket Listen(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endpoint);
            socket.Listen(128);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task AcceptLinksAsync(Socket listener)
    {
        while (await AcceptAsync(listener, "quorum").ConfigureAwait(false) is { } socket)
        {
            var link = TcpQuorumLink.Accept(Interlocked.Increment(ref _nextLinkId), socket, _myId, _options, _log);
            Track(link);
            if (_acceptor is { } acceptor) acceptor.Tell(new LinkAccepted(link));
            else
            {
                QuorumLog.UnboundLink(_log, _myId, link.Remote);
                link.Close();
            }
        }
    }

    private async Task AcceptElectionAsync(Socket listener)
    {
        while (await AcceptAsync(listener, "election").ConfigureAwait(false) is { } socket)
            _ = GreetAsync(socket);
    }

    /// <summary>An accepted election connection names its server first; then it serves that peer.</summary>
    private async Task GreetAsync(Socket socket)
    {
        var remote = socket.RemoteEndPoint?.ToString() ?? "?";
        var reader = new FrameReader(socket, ElectionFrames.MaxBytesOf, 4096);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(_options.HelloTimeoutMs);
            var frame = await reader.ReadFrameAsync(timeout.Token).ConfigureAwait(false)
                ?? throw new MalformedFrameException("closed before saying hello");
            var id = ElectionFrames.ReadHello(frame.Span);
            if (!_peers.TryGetValue(id, out var peer)) throw new MalformedFrameException($"server {id} is not a peer of this ensemble");
            peer.Adopt(socket, reader, dialled: false);
        }
        catch (Exception e)
        {
            // Whatever went wrong, this connection is not a peer's: log it and drop it, the port stays open.
            QuorumLog.HelloRefused(_log, _myId, remote, e.Message);
            socket.Dispose();
        }
    }

    private async Task<Socket?> AcceptAsync(Socket listener, string port)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket? socket = null;
            try
            {
                socket = await listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
                _options.Tune(socket);
                return socket;
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (ObjectDisposedException)
            {
                return null;
            }
            catch (SocketException e)
            {
                // A connection reset before accept completed, or descriptors exhausted: keep the port open.
                socket?.Dispose();
                QuorumLog.AcceptFailed(_log, _myId, port, e.Message);
                await Task.Delay(10).ConfigureAwait(false);
            }
        }
        return null;
    }

    private void Track(TcpQuorumLink link)
    {
        _links[link.Id] = link;
        // Forget a link once it is closed, so a long-running server does not accumulate them.
        _ = link.Closing.ContinueWith(_ => _links.TryRemove(link.Id, out var _), TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _quorumListener?.Dispose();
        _electionListener?.Dispose();
        foreach (var p in _peers.Values) p.Close();
        foreach (var l in _links.Values) l.Close();
        try
        {
            await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A loop stuck in the kernel: the process is stopping anyway.
        }
    }
}
