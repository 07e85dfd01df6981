// Messages between the data tree actor and the ZAB role actors (leader, follower, observer) and the server's
// operational side (snapshots, status). Immutable.
using Zk.Actors.Kernel;
using Zk.Actors.Sessions;
using Zk.Actors.Zab;
using Zk.Core.DataTree;
using Zk.Core.Sessions;
using Zk.Core.Zab;

namespace Zk.Actors.Tree;

/// <summary>This server leads: prepare writes into txns starting at <paramref name="NextZxid"/> and propose them to <paramref name="Leader"/>.</summary>
public sealed record ServeAsLeader(ActorRef Leader, long NextZxid);

/// <summary>This server follows or observes: forward writes to <paramref name="Learner"/>, which sends them to the leader.</summary>
public sealed record ServeAsLearner(ActorRef Learner, int ServerId);

/// <summary>No leader: end every local session and refuse handshakes until serving again.</summary>
public sealed record StopServing(string Reason);

/// <summary>Committed txns, in zxid order: apply them.</summary>
public sealed record ApplyTxns(IReadOnlyList<Txn> Txns);

/// <summary>The leader finished a sync() of a session of this server.</summary>
public sealed record SyncCompleted(long SessionId, int Xid, long Zxid);

/// <summary>Writes that learners forwarded to this leader, in their sessions' order.</summary>
public sealed record ForwardedRequests(int Origin, IReadOnlyList<SessionRequest> Requests);

/// <summary>What the data tree hands the leader: txns it prepared and sync() markers, in order.</summary>
public sealed record Propose(IReadOnlyList<object> Items);

/// <summary>What the data tree hands a learner to send to the leader.</summary>
public sealed record ForwardRequests(IReadOnlyList<SessionRequest> Requests);

/// <summary>The leader's session tracker expired these sessions: close them with txns.</summary>
public sealed record ExpireSessions(IReadOnlyList<long> SessionIds);

/// <summary>Replace the whole tree (a SNAP sync, or a rebuild from disk).</summary>
public sealed record ReplaceTree(DataTree Tree);

/// <summary>Serialize the tree now (consistent at its last applied zxid) and answer <see cref="TreeSnapshot"/>.</summary>
public sealed record TakeSnapshot(ActorRef ReplyTo);

public sealed record TreeSnapshot(long Zxid, byte[] Content);

/// <summary>A fuzzy snapshot starts: its content follows as <see cref="SnapshotChunk"/>s; replaying every txn after
/// <paramref name="Zxid"/> over it gives the tree (Snapshot/TreeSnapshotWriter.cs).</summary>
public sealed record SnapshotBegin(long Zxid);

/// <summary>The next piece of the snapshot started at <paramref name="Zxid"/>; the receiver disposes
/// <paramref name="Content"/> and answers <see cref="SnapshotChunkWritten"/>. The last one seals the snapshot.</summary>
public sealed record SnapshotChunk(long Zxid, Zk.Protocol.Jute.JuteWriter Content, bool Last);

/// <summary>Flow control: the writer has one chunk fewer in flight.</summary>
public sealed record SnapshotChunkWritten(long Zxid);

/// <summary>The snapshot started at <paramref name="Zxid"/> will not be finished (the tree was replaced): drop it.</summary>
public sealed record SnapshotAbort(long Zxid);

public sealed record GetTreeStatus(ActorRef ReplyTo);

/// <summary>A learner asked the leader whether a resumed session lives; the answer for its handshake.</summary>
public sealed record SessionRevalidated(long SessionId, bool Valid);

public sealed record TreeStatus(
    long LastZxid,
    int NodeCount,
    int ZkNodeCount,
    long ApproximateDataSize,
    int EphemeralCount,
    int SessionCount,
    int WatchCount,
    int DataWatchers,
    int DataWatchPaths,
    int DataWatchCount,
    ulong Digest,
    IReadOnlyList<(long SessionId, IReadOnlyList<string> Paths)> WatchesBySession,
    IReadOnlyList<(string Path, IReadOnlyList<long> SessionIds)> WatchesByPath,
    IReadOnlyList<(long SessionId, IReadOnlyList<string> Paths)> Ephemerals,
    IReadOnlyList<(long SessionId, int TimeoutMs)> Sessions,
    bool Serving);
