// The simulated network of an ensemble: FLE notifications as datagrams (each with its own delay, so they reorder;
// lost or duplicated at the rates set), leader–learner links as FIFO streams with TCP's semantics (ordered and
// reliable until closed; a close arrives after the data sent before it). Faults: crashes, partitions that reset
// connections, silent partitions that hold traffic until healed (so only timeouts notice them), delay spikes,
// datagram loss and duplication, and breaking one chosen link. Delays and drops
// draw from the simulation's seeded Random; delivery goes through virtual time. Single-threaded.
using Zk.Actors.Kernel;
using Zk.Actors.Zab;
using Zk.Core.Zab;

namespace Zk.Simulation.Harness;

public sealed class SimNetwork(SimulationDispatcher sim)
{
    private readonly Dictionary<int, SimEndpoint> _endpoints = [];
    private readonly HashSet<(int, int)> _cut = [];
    private readonly HashSet<(int, int)> _silent = [];
    private readonly List<SimLink> _links = [];
    private readonly List<(SimLink Link, ActorRef Acceptor)> _heldConnects = [];
    private long _nextLinkId;

    /// <summary>Delay of one message in microseconds, drawn uniformly from [Min, Max].</summary>
    public (int Min, int Max) DelayMicros { get; set; } = (50, 500);

    /// <summary>Probability that an FLE notification is lost.</summary>
    public double ElectionLoss { get; set; }

    /// <summary>Probability that an FLE notification is delivered twice (the copy with a delay of its own).</summary>
    public double ElectionDuplication { get; set; }

    /// <summary>How long a connect into a silent partition hangs before it fails.</summary>
    public int ConnectTimeoutMs { get; set; } = 1000;

    /// <summary>Every packet a live link accepts, as it is sent: (from server, to server, link, packet).</summary>
    public Action<int, int, IQuorumLink, QuorumPacket>? PacketSent { get; set; }

    public SimulationDispatcher Sim => sim;

    /// <summary>FLE notifications sent so far (delivered or not).</summary>
    public long ElectionMessages { get; private set; }

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
        foreach (var l in _links.Where(l => l.Involves(serverId)).ToList()) l.Break("peer crashed", graceful: false, closer: null);
        TellReachability(serverId, false);
    }

    /// <summary>A partition whose routers answer with resets: links between a and b break at once, connects are refused.</summary>
    public void Partition(int a, int b)
    {
        _cut.Add(Key(a, b));
        foreach (var l in _links.Where(l => l.Between(a, b)).ToList()) l.Break("network partition", graceful: false, closer: null);
    }

    /// <summary>A partition that drops packets silently: links stay open and hold their traffic until healed.</summary>
    public void PartitionSilently(int a, int b)
    {
        _cut.Add(Key(a, b));
        _silent.Add(Key(a, b));
    }

    /// <summary>Ends the partition between a and b only; traffic and connects held between them go on, in order.</summary>
    public void Heal(int a, int b)
    {
        _cut.Remove(Key(a, b));
        _silent.Remove(Key(a, b));
        foreach (var l in _links.Where(l => l.Between(a, b)).ToList()) l.Release();
        _links.RemoveAll(l => l.Between(a, b) && l.Broken);
        var held = _heldConnects.Where(h => h.Link.Between(a, b)).ToList();
        _heldConnects.RemoveAll(h => h.Link.Between(a, b));
        foreach (var (link, acceptor) in held) Accept(link, acceptor);
    }

    public void Isolate(int serverId, bool silently = false)
    {
        foreach (var other in _endpoints.Keys.Where(k => k != serverId))
        {
            if (silently) PartitionSilently(serverId, other);
            else Partition(serverId, other);
        }
    }

    /// <summary>Ends every partition; held traffic and held connects go on, in order.</summary>
    public void HealAll()
    {
        _cut.Clear();
        _silent.Clear();
        foreach (var l in _links.ToList()) l.Release();
        foreach (var l in _links.Where(l => l.Broken).ToList()) _links.Remove(l);
        var held = _heldConnects.ToList();
        _heldConnects.Clear();
        foreach (var (link, acceptor) in held) Accept(link, acceptor);
    }

    /// <summary>Resets one connection (both ends see it closed, in-flight data is lost).</summary>
    public void BreakLink(IQuorumLink link, string reason)
    {
        if (link is SimLink.End e) e.Link.Break(reason, graceful: false, closer: null);
    }

    /// <summary>Resets every connection between a and b without partitioning them.</summary>
    public void ResetLinks(int a, int b)
    {
        foreach (var l in _links.Where(l => l.Between(a, b)).ToList()) l.Break("connection reset", graceful: false, closer: null);
    }

    public bool CanReach(int a, int b) => IsUp(a) && IsUp(b) && !_cut.Contains(Key(a, b));

    internal bool IsSilent(int a, int b) => _silent.Contains(Key(a, b));

    internal int LinkCount => _links.Count;

    private static (int, int) Key(int a, int b) => (Math.Min(a, b), Math.Max(a, b));

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

    private void Accept(SimLink link, ActorRef acceptor)
    {
        At(Delay(), () =>
        {
            if (!link.Broken) acceptor.Tell(new LinkAccepted(link.Server));
        });
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
            net.ElectionMessages++;
            if (!net.CanReach(ServerId, to)) return;
            if (net.ElectionLoss > 0 && net.Sim.Random.NextDouble() < net.ElectionLoss) return;
            var target = net._endpoints[to];
            void Deliver() => net.At(net.Delay(), () =>
            {
                if (net.CanReach(ServerId, to)) target.Election?.Tell(new ElectionReceived(notification));
            });
            Deliver();
            if (net.ElectionDuplication > 0 && net.Sim.Random.NextDouble() < net.ElectionDuplication) Deliver();
        }

        public IQuorumLink Connect(int serverId, ActorRef owner)
        {
            var id = ++net._nextLinkId;
            var link = new SimLink(net, id, ServerId, serverId);
            net._links.Add(link);
            link.Client.Start(owner);
            if (net.IsUp(ServerId) && net.IsUp(serverId) && net.IsSilent(ServerId, serverId))
            {
                // The SYN is lost: the connect hangs until the partition heals or the connect times out.
                var acceptor = net._endpoints[serverId].Acceptor!;
                net._heldConnects.Add((link, acceptor));
                net.At(TimeSpan.TicksPerMillisecond * net.ConnectTimeoutMs, () =>
                {
                    if (net._heldConnects.RemoveAll(h => h.Link == link) > 0) link.Break("connect timed out", graceful: false, closer: null);
                });
                return link.Client;
            }
            if (!net.CanReach(ServerId, serverId))
            {
                link.Break("connection refused", graceful: false, closer: null);
                return link.Client;
            }
            net.Accept(link, net._endpoints[serverId].Acceptor!);
            return link.Client;
        }
    }
}
