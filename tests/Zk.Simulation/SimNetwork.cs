// The simulated network of an ensemble: FLE notifications as lossy datagrams, leader–learner links as FIFO
// streams with TCP's semantics (ordered and reliable until closed, closure delivered after in-flight data).
// Delays, drops and partitions draw from the simulation's seeded Random; delivery goes through virtual time.
using Zk.Actors.Kernel;
using Zk.Actors.Zab;

namespace Zk.Simulation;

public sealed class SimNetwork(SimulationDispatcher sim)
{
    private readonly Dictionary<int, SimEndpoint> _endpoints = [];
    private readonly HashSet<(int, int)> _cut = [];
    private readonly List<SimLink> _links = [];
    private long _nextLinkId;

    /// <summary>Delay of one message in microseconds, drawn uniformly from [Min, Max].</summary>
    public (int Min, int Max) DelayMicros { get; set; } = (50, 500);

    /// <summary>Probability that an FLE notification is lost.</summary>
    public double ElectionLoss { get; set; }

    public SimulationDispatcher Sim => sim;

    public IQuorumNetwork For(int serverId)
    {
        if (!_endpoints.TryGetValue(serverId, out var ep))
        {
            ep = new SimEndpoint(this, serverId);
            _endpoints[serverId] = ep;
        }
        return ep;
    }

    public bool IsUp(int serverId) => _endpoints.TryGetValue(serverId, out var e) && e.Up;

    /// <summary>The server crashed: every link to it breaks and nothing reaches it until it is bound again.</summary>
    public void Crash(int serverId)
    {
        if (!_endpoints.TryGetValue(serverId, out var ep)) return;
        ep.Up = false;
        foreach (var l in _links.Where(l => l.Involves(serverId)).ToList()) l.Break("peer crashed");
        TellReachability(serverId, false);
    }

    public void Partition(int a, int b)
    {
        _cut.Add((Math.Min(a, b), Math.Max(a, b)));
        foreach (var l in _links.Where(l => l.Between(a, b)).ToList()) l.Break("network partition");
    }

    public void Isolate(int serverId)
    {
        foreach (var other in _endpoints.Keys.Where(k => k != serverId)) Partition(serverId, other);
    }

    public void HealAll() => _cut.Clear();

    public bool CanReach(int a, int b) => IsUp(a) && IsUp(b) && !_cut.Contains((Math.Min(a, b), Math.Max(a, b)));

    internal long Delay()
    {
        var (min, max) = DelayMicros;
        return TimeSpan.TicksPerMillisecond / 1000 * (min + sim.Random.Next(Math.Max(1, max - min + 1)));
    }

    internal void At(long delayTicks, Action action)
    {
        ITimer? timer = null;
        timer = sim.Time.CreateTimer(_ =>
        {
            timer!.Dispose();
            action();
        }, null, TimeSpan.FromTicks(delayTicks), Timeout.InfiniteTimeSpan);
    }

    internal void Forget(SimLink link) => _links.Remove(link);

    private void TellReachability(int serverId, bool reachable)
    {
        foreach (var ep in _endpoints.Values)
            if (ep.Up && ep.ServerId != serverId) ep.Election?.Tell(new PeerReachability(serverId, reachable));
    }

    internal sealed class SimEndpoint(SimNetwork net, int serverId) : IQuorumNetwork
    {
        public int ServerId { get; } = serverId;
        public bool Up { get; set; }
        public ActorRef? Election { get; private set; }
        public ActorRef? Acceptor { get; private set; }

        public void Bind(ActorRef electionReceiver, ActorRef linkAcceptor)
        {
            Election = electionReceiver;
            Acceptor = linkAcceptor;
            Up = true;
            net.TellReachability(ServerId, true);
        }

        public void SendElection(int to, Notification notification)
        {
            if (!net.CanReach(ServerId, to)) return;
            if (net.ElectionLoss > 0 && net.Sim.Random.NextDouble() < net.ElectionLoss) return;
            var target = net._endpoints[to];
            net.At(net.Delay(), () =>
            {
                if (net.CanReach(ServerId, to)) target.Election?.Tell(new ElectionReceived(notification));
            });
        }

        public IQuorumLink Connect(int serverId, ActorRef owner)
        {
            var id = ++net._nextLinkId;
            var link = new SimLink(net, id, ServerId, serverId);
            net._links.Add(link);
            link.Client.Start(owner);
            if (!net.CanReach(ServerId, serverId))
            {
                link.Break("connection refused");
                return link.Client;
            }
            var acceptor = net._endpoints[serverId].Acceptor!;
            net.At(net.Delay(), () =>
            {
                if (!link.Broken) acceptor.Tell(new LinkAccepted(link.Server));
            });
            return link.Client;
        }
    }
}

/// <summary>One TCP-like connection: a client end (the learner) and a server end (the leader's quorum port).</summary>
internal sealed class SimLink
{
    private readonly SimNetwork _net;

    public SimLink(SimNetwork net, long id, int clientServer, int serverServer)
    {
        _net = net;
        ClientServerId = clientServer;
        ServerServerId = serverServer;
        Client = new End(this, id * 2, serverServer);
        Server = new End(this, id * 2 + 1, -1);
        Client.Peer = Server;
        Server.Peer = Client;
    }

    public int ClientServerId { get; }
    public int ServerServerId { get; }
    public End Client { get; }
    public End Server { get; }
    public bool Broken { get; private set; }

    /// <summary>A close by one end (FIN): data already sent is still delivered. A crash or partition loses it.</summary>
    public bool Graceful { get; private set; }

    public bool Involves(int s) => ClientServerId == s || ServerServerId == s;

    public bool Between(int a, int b) => (ClientServerId == a && ServerServerId == b) || (ClientServerId == b && ServerServerId == a);

    /// <summary>Both ends see the closure, after whatever was already on the wire to them.</summary>
    public void Break(string reason, bool graceful = false)
    {
        if (Broken) return;
        Broken = true;
        Graceful = graceful;
        _net.Forget(this);
        Client.DeliverClosed(reason);
        Server.DeliverClosed(reason);
    }

    internal sealed class End(SimLink link, long id, int remote) : IQuorumLink
    {
        private readonly List<QuorumPacket> _beforeStart = [];
        private ActorRef? _owner;
        private long _lastDeliveryTicks;
        private bool _closedDelivered;

        public End Peer { get; set; } = null!;
        public long Id { get; } = id;
        public int RemoteServerId { get; } = remote;

        public void Send(QuorumPacket packet)
        {
            if (link.Broken) return;
            Peer.Enqueue(packet);
        }

        public void Start(ActorRef owner)
        {
            _owner = owner;
            foreach (var p in _beforeStart) Deliver(p);
            _beforeStart.Clear();
        }

        public void Close() => link.Break("closed by peer", graceful: true);

        private void Enqueue(QuorumPacket packet)
        {
            if (_owner is null) _beforeStart.Add(packet);
            else Deliver(packet);
        }

        private void Deliver(QuorumPacket packet)
        {
            var at = NextDelivery();
            var owner = _owner!;
            link._net.At(at, () =>
            {
                if (!link.Broken || link.Graceful) owner.Tell(new LinkPacket(this, packet));
            });
        }

        public void DeliverClosed(string reason)
        {
            if (_closedDelivered || _owner is null) return;
            _closedDelivered = true;
            var owner = _owner;
            link._net.At(NextDelivery(), () => owner.Tell(new LinkClosed(this, reason)));
        }

        /// <summary>FIFO: a message never overtakes one sent earlier on the same direction.</summary>
        private long NextDelivery()
        {
            var now = link._net.Sim.Time.GetUtcNow().UtcTicks;
            var at = Math.Max(now + link._net.Delay(), _lastDeliveryTicks + 1);
            _lastDeliveryTicks = at;
            return at - now;
        }
    }
}
