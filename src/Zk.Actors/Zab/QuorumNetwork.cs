// How servers of an ensemble reach each other: lossy FLE notifications, and FIFO leader–learner links with
// TCP's semantics (reliable and ordered until closed; after a close nothing more is delivered). Implemented
// over TCP by the host and over a simulated network by the simulator. Delivery is by messages to actors.
using Zk.Actors.Kernel;
using Zk.Core.Zab;

namespace Zk.Actors.Zab;

public interface IQuorumNetwork
{
    /// <summary>Where this server's inbound traffic goes: notifications to the election actor, new links to the peer actor.</summary>
    void Bind(ActorRef electionReceiver, ActorRef linkAcceptor);

    /// <summary>Sends an FLE notification; it may be lost.</summary>
    void SendElection(int to, Notification notification);

    /// <summary>Opens a link to server <paramref name="serverId"/>'s quorum port. Packets and the closure are
    /// delivered to <paramref name="owner"/> as <see cref="LinkPacket"/> and <see cref="LinkClosed"/>.</summary>
    IQuorumLink Connect(int serverId, ActorRef owner);
}

public interface IQuorumLink
{
    long Id { get; }

    /// <summary>The server at the other end: known on the learner side; on the leader side once FOLLOWERINFO arrived (-1 before).</summary>
    int RemoteServerId { get; }

    /// <summary>Queues a packet; never blocks. Packets sent after Close, or after the link broke, are dropped.</summary>
    void Send(QuorumPacket packet);

    /// <summary>Starts delivering an accepted link's packets to <paramref name="owner"/>. Nothing is read before.</summary>
    void Start(ActorRef owner);

    void Close();
}

/// <summary>An FLE notification arrived.</summary>
public sealed record ElectionReceived(Notification Notification);

/// <summary>The transport learned that a server can (not) be reached, so the election need not wait for it.</summary>
public sealed record PeerReachability(int ServerId, bool Reachable);

/// <summary>A learner opened a link to this server's quorum port.</summary>
public sealed record LinkAccepted(IQuorumLink Link);

public sealed record LinkPacket(IQuorumLink Link, QuorumPacket Packet);

public sealed record LinkClosed(IQuorumLink Link, string Reason);
