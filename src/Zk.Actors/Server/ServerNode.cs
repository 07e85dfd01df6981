// Composition of one server's actors over given storage: journal, snapshots, data tree, peer (election and
// roles). Used by the real host (SQLite, Kestrel) and by the simulator (in-memory disks, simulated network).
using Zk.Actors.Tree;
using Zk.Actors.Journal;
using Zk.Actors.Kernel;
using Zk.Actors.Sessions;
using Zk.Protocol.Records;
using Zk.Core.DataTree;
using Zk.Core.Sessions;
using Zk.Core.Storage;
using Zk.Core.Zab;

namespace Zk.Actors.Server;

public sealed record ServerNodeOptions
{
    public int ServerId { get; init; } = 1;

    public bool Standalone { get; init; } = true;

    public int TickTimeMs { get; init; } = 2000;

    public int MinSessionTimeoutMs { get; init; } = 4000;

    public int MaxSessionTimeoutMs { get; init; } = 40000;

    public int InitLimit { get; init; } = 10;

    public int SyncLimit { get; init; } = 5;

    public int SnapCount { get; init; } = 100_000;

    public int SnapRetainCount { get; init; } = 3;

    public DataTreeOptions Tree { get; init; } = DataTreeOptions.Default;

    public int ContainerCheckIntervalMs { get; init; } = 60_000;

    public int ContainerMaxPerMinute { get; init; } = 10_000;

    public long ContainerMaxNeverUsedIntervalMs { get; init; }

    /// <summary>Ids of the voting members (server.N lines without :observer); empty for standalone.</summary>
    public IReadOnlyList<int> Voters { get; init; } = [];

    public IReadOnlyList<int> Observers { get; init; } = [];

    public ElectionTiming ElectionTiming { get; init; } = new();

    /// <summary>Txns kept in memory for DIFF syncs of learners.</summary>
    public int HistoryEntries { get; init; } = 20_000;

    /// <summary>Where the actors report events for /metrics; null (the simulator) reports nothing.</summary>
    public Metrics.ServerMetrics? Metrics { get; init; }

    /// <summary>Test hook: the simulator's observer of consensus events; null in production.</summary>
    internal IServerProbe? Probe { get; init; }

    /// <summary>Test hook: the zxid counter a new leader starts its epoch at (1 in production), so the simulator
    /// can exercise counter roll-over without proposing four billion txns.</summary>
    internal uint FirstZxidCounter { get; init; } = 1;
}

public sealed class ServerNode
{
    private long _sessions;

    private ServerNode(ActorSystem system, ServerNodeOptions options, ServerState state, ActorRef journal, ActorRef dataTree, ActorRef peer, ActorRef snapshots)
    {
        State = state;
        System = system;
        Options = options;
        Journal = journal;
        DataTree = dataTree;
        Peer = peer;
        Snapshots = snapshots;
        SessionOptions = new SessionOptions(options.TickTimeMs, options.MinSessionTimeoutMs, options.MaxSessionTimeoutMs,
            new Zk.Core.DataTree.Auth.AuthProviders(options.Tree.SuperDigest)) { Metrics = options.Metrics };
    }

    public ActorSystem System { get; }

    public ServerNodeOptions Options { get; }

    public ServerState State { get; }

    public ActorRef Journal { get; }

    public ActorRef DataTree { get; }

    public ActorRef Peer { get; }

    public ActorRef Snapshots { get; }

    public SessionOptions SessionOptions { get; }

    public static ServerNode Start(ActorSystem system, ServerNodeOptions options, IJournal journal, ISnapshotStore snapshots,
        RecoveredState recovered, Random random, Zab.IQuorumNetwork? network = null)
    {
        var journalRef = system.Spawn("journal", () => new JournalActor(journal, recovered.SnapshotZxid, snapshots, options.Metrics), new ActorOptions(DedicatedThread: true));
        var snapshotRef = system.Spawn("snapshots", () => new SnapshotActor(snapshots, journalRef, options.SnapRetainCount, metrics: options.Metrics), new ActorOptions(DedicatedThread: true));
        var treeOptions = new DataTreeActorOptions(options.ServerId)
        {
            ContainerCheckIntervalMs = options.ContainerCheckIntervalMs,
            ContainerMaxPerMinute = options.ContainerMaxPerMinute,
            ContainerMaxNeverUsedIntervalMs = options.ContainerMaxNeverUsedIntervalMs,
            SnapCount = options.SnapCount,
            Snapshots = snapshotRef,
            Probe = options.Probe,
        };
        var tree = recovered.Tree;
        var treeRef = system.Spawn("datatree", () => new DataTreeActor(tree, treeOptions, random));
        var state = new ServerState();
        var history = new TxnHistory(recovered.SnapshotZxid, options.HistoryEntries);
        foreach (var e in recovered.Log) history.Append(e);
        var peer = system.Spawn("peer", () => new PeerActor(options, state, journalRef, treeRef, history, network));
        return new ServerNode(system, options, state, journalRef, treeRef, peer, snapshotRef);
    }

    public ActorRef SpawnSession(IClientConnection connection, ConnectRequest request)
    {
        var n = Interlocked.Increment(ref _sessions);
        return System.Spawn($"session-{connection.ConnectionId}-{n}", () => new SessionActor(connection, request, SessionOptions, DataTree));
    }

    public Task<TreeStatus> GetTreeStatusAsync(TimeSpan timeout, CancellationToken ct = default) =>
        System.Ask<TreeStatus>(DataTree, r => new GetTreeStatus(r), timeout, ct);

    /// <summary>Stops the roles and flushes the journal: every acknowledged txn is durable when this completes.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        await System.GracefulStopAsync(Peer, timeout).ConfigureAwait(false);
        await System.GracefulStopAsync(DataTree, timeout).ConfigureAwait(false);
        await System.GracefulStopAsync(Snapshots, timeout).ConfigureAwait(false);
        await System.GracefulStopAsync(Journal, timeout).ConfigureAwait(false);
    }
}
