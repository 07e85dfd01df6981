// One TCP-like connection of the simulated network: a client end (the learner) and a server end (the leader's
// quorum port). FIFO per direction; a graceful close arrives after the data sent before it; a reset (crash,
// partition, injected break) loses what was in flight. In a silent partition traffic is held, not lost, and
// flows on in order when the partition heals. Single-threaded.
using Zk.Actors.Kernel;
using Zk.Actors.Zab;
using Zk.Core.Zab;

namespace Zk.Simulation.Harness;

internal sealed class SimLink
{
    private readonly SimNetwork _net;

    public SimLink(SimNetwork net, long id, int clientServer, int serverServer)
    {
        _net = net;
        ClientServerId = clientServer;
        ServerServerId = serverServer;
        Client = new End(this, id * 2, clientServer, serverServer, serverServer);
        Server = new End(this, id * 2 + 1, serverServer, clientServer, -1);
        Client.Peer = Server;
        Server.Peer = Client;
    }

    public int ClientServerId { get; }
    public int ServerServerId { get; }
    public End Client { get; }
    public End Server { get; }
    public bool Broken { get; private set; }

    /// <summary>Closed by one end (FIN): data already sent is still delivered. A reset loses it.</summary>
    public bool Graceful { get; private set; }

    public bool Stalled => _net.IsSilent(ClientServerId, ServerServerId);

    public SimNetwork Net => _net;

    public bool Involves(int s) => ClientServerId == s || ServerServerId == s;

    public bool Between(int a, int b) => (ClientServerId == a && ServerServerId == b) || (ClientServerId == b && ServerServerId == a);

    /// <summary>Ends the connection. The closing end learns at once; the other end after the data before it
    /// (graceful) or at once with that data lost (reset); through a silent partition, only once it heals.</summary>
    public void Break(string reason, bool graceful, End? closer)
    {
        if (Broken) return;
        Broken = true;
        Graceful = graceful;
        if (!Stalled) _net.Forget(this);
        foreach (var end in new[] { Client, Server })
        {
            if (end == closer) end.DeliverClosed(reason);
            else end.ClosedByRemote(reason, graceful);
        }
    }

    /// <summary>The partition healed: held traffic goes on, in order.</summary>
    public void Release()
    {
        Client.Flush();
        Server.Flush();
    }

    internal sealed class End(SimLink link, long id, int local, int remote, int advertisedRemote) : IQuorumLink
    {
        private readonly List<QuorumPacket> _beforeStart = [];
        private readonly List<QuorumPacket?> _held = []; // null marks the closure
        private ActorRef? _owner;
        private string? _closeReason;
        private long _lastDeliveryTicks;
        private bool _closedDelivered;

        public End Peer { get; set; } = null!;
        public SimLink Link => link;
        public long Id { get; } = id;
        public int RemoteServerId { get; } = advertisedRemote;

        public void Send(QuorumPacket packet)
        {
            if (link.Broken) return;
            link.Net.PacketSent?.Invoke(local, remote, this, packet);
            if (link.Broken) return; // the observer may break the link on this very packet
            Peer.Enqueue(packet);
        }

        public void Start(ActorRef owner)
        {
            _owner = owner;
            var early = _beforeStart.ToList();
            _beforeStart.Clear();
            foreach (var p in early) Enqueue(p);
            if (_closeReason is { } reason && !_closedDelivered)
            {
                if (link.Stalled) _held.Add(null);
                else DeliverClosed(reason);
            }
        }

        public void Close() => link.Break("closed by peer", graceful: true, closer: this);

        private void Enqueue(QuorumPacket packet)
        {
            if (_owner is null) _beforeStart.Add(packet);
            else if (link.Stalled) _held.Add(packet);
            else Deliver(packet);
        }

        public void ClosedByRemote(string reason, bool graceful)
        {
            _closeReason = reason;
            if (!graceful)
            {
                _held.RemoveAll(p => p is not null);
                _beforeStart.Clear();
            }
            if (_owner is null) return;
            if (link.Stalled) _held.Add(null);
            else DeliverClosed(reason);
        }

        public void Flush()
        {
            var held = _held.ToList();
            _held.Clear();
            foreach (var p in held)
            {
                if (p is null) DeliverClosed(_closeReason ?? "connection closed");
                else Deliver(p);
            }
        }

        private void Deliver(QuorumPacket packet)
        {
            var owner = _owner!;
            link.Net.At(NextDelivery(), () =>
            {
                if (!link.Broken || link.Graceful) owner.Tell(new LinkPacket(this, packet));
            });
        }

        public void DeliverClosed(string reason)
        {
            if (_closedDelivered || _owner is null) return;
            _closedDelivered = true;
            var owner = _owner;
            link.Net.At(NextDelivery(), () => owner.Tell(new LinkClosed(this, reason)));
        }

        /// <summary>FIFO: a message never overtakes one sent earlier in the same direction.</summary>
        private long NextDelivery()
        {
            var now = link.Net.Sim.Time.GetUtcNow().UtcTicks;
            var at = Math.Max(now + link.Net.Delay(), _lastDeliveryTicks + 1);
            _lastDeliveryTicks = at;
            return at - now;
        }
    }
}
