// The packets of ZAB between a leader and its learners, named as ZooKeeper names them (zab.md §3), plus the
// FLE notification. Immutable records; on the wire through QuorumPacketCodec, in the simulator as objects.
// Differences from ZooKeeper's wire, on purpose: PROPOSAL and INFORM carry batches, COMMIT and ACK are
// cumulative ("everything up to this zxid"), and REQUEST carries a batch of forwarded requests.
using Zk.Core.Sessions;

namespace Zk.Core.Zab;

/// <summary>Packet kinds as numbered on the wire. Frozen: the numbers follow ZooKeeper's Leader.java.</summary>
public enum QuorumPacketType
{
    Request = 1,
    Proposal = 2,
    Ack = 3,
    Commit = 4,
    Ping = 5,
    Revalidate = 6,
    Sync = 7,
    Inform = 8,
    NewLeader = 10,
    FollowerInfo = 11,
    UpToDate = 12,
    Diff = 13,
    Trunc = 14,
    Snap = 15,
    ObserverInfo = 16,
    LeaderInfo = 17,
    AckEpoch = 18,
    RevalidateReply = 19,
    NotLeader = 20,
}

public abstract record QuorumPacket
{
    public abstract QuorumPacketType Type { get; }
}

/// <summary>FOLLOWERINFO / OBSERVERINFO: the first packet of a learner on a new link.</summary>
public sealed record FollowerInfo(int ServerId, long AcceptedEpoch, bool IsObserver) : QuorumPacket
{
    public override QuorumPacketType Type => IsObserver ? QuorumPacketType.ObserverInfo : QuorumPacketType.FollowerInfo;
}

/// <summary>The answer of a server that is not (yet) leading to a learner's link: try again shortly.</summary>
public sealed record NotLeader(int ServerId) : QuorumPacket
{
    public override QuorumPacketType Type => QuorumPacketType.NotLeader;
}

public sealed record LeaderInfo(long Epoch) : QuorumPacket
{
    public override QuorumPacketType Type => QuorumPacketType.LeaderInfo;
}

/// <summary>CurrentEpoch is -1 when the learner had already accepted this epoch: such an ack never counts.</summary>
public sealed record AckEpoch(long CurrentEpoch, long LastLoggedZxid) : QuorumPacket
{
    public override QuorumPacketType Type => QuorumPacketType.AckEpoch;
}

/// <summary>DIFF: the learner keeps its log; the txns that follow bring it up to date.</summary>
public sealed record Diff(long LeaderLastZxid) : QuorumPacket
{
    public override QuorumPacketType Type => QuorumPacketType.Diff;
}

/// <summary>TRUNC: the learner drops every logged txn after Zxid, then gets the txns that follow.</summary>
public sealed record Trunc(long Zxid) : QuorumPacket
{
    public override QuorumPacketType Type => QuorumPacketType.Trunc;
}

/// <summary>SNAP: the learner replaces its state by this snapshot of the tree at Zxid.</summary>
public sealed record Snap(long Zxid, byte[] Snapshot) : QuorumPacket
{
    public override QuorumPacketType Type => QuorumPacketType.Snap;
}

public sealed record NewLeader(long Epoch) : QuorumPacket
{
    public override QuorumPacketType Type => QuorumPacketType.NewLeader;
}

public sealed record UpToDate : QuorumPacket
{
    public static readonly UpToDate Instance = new();

    public override QuorumPacketType Type => QuorumPacketType.UpToDate;
}

/// <summary>One serialized txn with its zxid: what the journal stores and learners decode.</summary>
public readonly record struct LoggedTxn(long Zxid, ReadOnlyMemory<byte> Payload);

/// <summary>PROPOSAL: txns to log (and ACK once durable), in zxid order.</summary>
public sealed record ProposalPacket(IReadOnlyList<LoggedTxn> Txns) : QuorumPacket
{
    public override QuorumPacketType Type => QuorumPacketType.Proposal;
}

/// <summary>ACK: everything up to Zxid is durably logged by the sender.</summary>
public sealed record Ack(long Zxid) : QuorumPacket
{
    public override QuorumPacketType Type => QuorumPacketType.Ack;
}

/// <summary>COMMIT: every proposal up to Zxid is committed.</summary>
public sealed record Commit(long Zxid) : QuorumPacket
{
    public override QuorumPacketType Type => QuorumPacketType.Commit;
}

/// <summary>INFORM, to observers: committed txns, to log and apply.</summary>
public sealed record Inform(IReadOnlyList<LoggedTxn> Txns) : QuorumPacket
{
    public override QuorumPacketType Type => QuorumPacketType.Inform;
}

public readonly record struct SessionTouch(long SessionId, int TimeoutMs);

/// <summary>PING: from the leader, a heartbeat; from a learner, the heartbeat reply carrying its session touches.</summary>
public sealed record Ping(IReadOnlyList<SessionTouch> Touches) : QuorumPacket
{
    public static readonly Ping Empty = new([]);

    public override QuorumPacketType Type => QuorumPacketType.Ping;
}

/// <summary>REQUEST: writes and syncs of the learner's sessions, forwarded in session order.</summary>
public sealed record RequestPacket(IReadOnlyList<SessionRequest> Requests) : QuorumPacket
{
    public override QuorumPacketType Type => QuorumPacketType.Request;
}

/// <summary>SYNC: the sync() of one of the learner's sessions completed at the leader.</summary>
public sealed record SyncPacket(long SessionId, int Xid, long Zxid) : QuorumPacket
{
    public override QuorumPacketType Type => QuorumPacketType.Sync;
}

/// <summary>REVALIDATE: a client resumed this session on the learner; the leader renews it and says if it lives.</summary>
public sealed record Revalidate(long SessionId, int TimeoutMs) : QuorumPacket
{
    public override QuorumPacketType Type => QuorumPacketType.Revalidate;
}

public sealed record RevalidateReply(long SessionId, bool Valid) : QuorumPacket
{
    public override QuorumPacketType Type => QuorumPacketType.RevalidateReply;
}

/// <summary>Server states as FLE sends them. Frozen: on the wire.</summary>
public enum PeerState
{
    Looking = 0,
    Following = 1,
    Leading = 2,
    Observing = 3,
}

/// <summary>An FLE notification (zab.md §4): the sender's state and the vote it currently holds.</summary>
public sealed record Notification(int Sender, PeerState State, long Leader, long Zxid, long ElectionEpoch, long PeerEpoch);
