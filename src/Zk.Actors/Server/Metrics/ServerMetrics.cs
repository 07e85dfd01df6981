// The metrics of one server, named once here: actors report events (a reply, an fsync, a proposal, a commit, a
// snapshot, an election) from their own threads; the host refreshes state gauges before each scrape. Thread-safe.
using System.Collections.Concurrent;
using Zk.Actors.Tree;
using Zk.Protocol;
using Zk.Core.DataTree;

namespace Zk.Actors.Server.Metrics;

public sealed record FollowerProgress(int ServerId, long AckedZxid, long LagTxns);

public sealed class ServerMetrics
{
    private const int OpCodeOffset = 11;
    private static readonly string[] RoleNames = ["looking", "standalone", "leader", "follower", "observer"];

    private readonly MetricFamily<Histogram> _requestLatency;
    private readonly Histogram?[] _latencyByOp = new Histogram?[OpCodeOffset + 128];
    private readonly MetricFamily<Gauge> _role;
    private readonly MetricFamily<Gauge> _followerLag;
    private readonly MetricFamily<Gauge> _followerAcked;
    private readonly ConcurrentDictionary<int, long> _followerAckedZxid = new();
    private long _lastProposedZxid;
    private long _lastSnapshotZxid = -1;
    private long _lastSnapshotUnixMs;

    public ServerMetrics()
    {
        var r = Registry;
        _requestLatency = r.HistogramFamily("zk_request_latency_seconds",
            "Time from reading a request to writing its reply, by opcode", Histogram.LatencySecondsBuckets(), "op");
        ZnodeCount = r.Gauge("zk_znode_count", "Znodes in the data tree (counting / twice, as ZooKeeper does)");
        WatchCount = r.Gauge("zk_watch_count", "Watches registered on this server");
        EphemeralsCount = r.Gauge("zk_ephemerals_count", "Ephemeral znodes");
        ApproximateDataSizeBytes = r.Gauge("zk_approximate_data_size_bytes", "Sum of path and data lengths over all znodes");
        GlobalSessions = r.Gauge("zk_global_sessions", "Sessions in the replicated session table");
        AliveConnections = r.Gauge("zk_alive_connections", "Open client connections of this server");
        OutstandingRequests = r.Gauge("zk_outstanding_requests", "Client requests read but not yet answered");
        PacketsReceived = r.Counter("zk_packets_received_total", "Client packets received");
        PacketsSent = r.Counter("zk_packets_sent_total", "Client packets sent");
        _role = r.GaugeFamily("zk_zab_role", "1 for the ZAB role this server is in, 0 for the others", "role");
        Epoch = r.Gauge("zk_zab_epoch", "The current epoch of this server");
        LastZxid = r.Gauge("zk_last_zxid", "The zxid of the last txn applied to the data tree");
        Serving = r.Gauge("zk_serving", "1 while this server serves clients");
        UptimeSeconds = r.Gauge("zk_uptime_seconds", "Seconds since the server started");
        Proposals = r.Counter("zk_proposals_total", "Txns this server proposed as leader");
        Commits = r.Counter("zk_commits_total", "Txns this server committed as leader");
        FsyncSeconds = r.Histogram("zk_fsync_seconds", "Duration of each journal sync (one per group commit)", Histogram.LatencySecondsBuckets());
        JournalAppends = r.Counter("zk_journal_appends_total", "Txns appended to the journal");
        _followerLag = r.GaugeFamily("zk_follower_lag_txns", "Leader only: txns proposed but not yet acknowledged by each follower", "server_id");
        _followerAcked = r.GaugeFamily("zk_follower_acked_zxid", "Leader only: the last zxid each follower acknowledged", "server_id");
        SyncedFollowers = r.Gauge("zk_synced_followers", "Leader only: followers that acknowledge proposals");
        SnapshotSizeBytes = r.Gauge("zk_snapshot_size_bytes", "Size of the last snapshot written");
        SnapshotSeconds = r.Histogram("zk_snapshot_duration_seconds", "Time to write and retain a snapshot", Histogram.SlowSecondsBuckets());
        Snapshots = r.Counter("zk_snapshots_total", "Snapshots written");
        Elections = r.Counter("zk_elections_total", "Leader elections this server finished");
        ElectionSeconds = r.Histogram("zk_election_duration_seconds", "Time from LOOKING to a decided election", Histogram.SlowSecondsBuckets());
        r.AddCollector(CollectFollowers);
    }

    public MetricsRegistry Registry { get; } = new();

    public Gauge ZnodeCount { get; }

    public Gauge WatchCount { get; }

    public Gauge EphemeralsCount { get; }

    public Gauge ApproximateDataSizeBytes { get; }

    public Gauge GlobalSessions { get; }

    public Gauge AliveConnections { get; }

    public Gauge OutstandingRequests { get; }

    public Counter PacketsReceived { get; }

    public Counter PacketsSent { get; }

    public Gauge Epoch { get; }

    public Gauge LastZxid { get; }

    public Gauge Serving { get; }

    public Gauge UptimeSeconds { get; }

    public Counter Proposals { get; }

    public Counter Commits { get; }

    public Histogram FsyncSeconds { get; }

    public Counter JournalAppends { get; }

    public Gauge SyncedFollowers { get; }

    public Gauge SnapshotSizeBytes { get; }

    public Histogram SnapshotSeconds { get; }

    public Counter Snapshots { get; }

    public Counter Elections { get; }

    public Histogram ElectionSeconds { get; }

    /// <summary>The zxid and wall-clock time of the last snapshot this server wrote; -1 before the first.</summary>
    public (long Zxid, long UnixMs) LastSnapshot => (Interlocked.Read(ref _lastSnapshotZxid), Interlocked.Read(ref _lastSnapshotUnixMs));

    // ---- events, reported by the actors where they happen ----

    /// <summary>SessionActor: a reply left for a request read <paramref name="latencyMs"/> ago.</summary>
    public void RequestCompleted(OpCode op, long latencyMs)
    {
        var i = (int)op + OpCodeOffset;
        if ((uint)i >= (uint)_latencyByOp.Length) return;
        var h = Volatile.Read(ref _latencyByOp[i]);
        if (h is null)
        {
            // First reply of this opcode: create the child (the family returns the same one to a racing thread).
            h = _requestLatency.WithLabels(OpName(op));
            Volatile.Write(ref _latencyByOp[i], h);
        }
        h.Observe(latencyMs / 1000.0);
    }

    /// <summary>LeaderActor: a batch of txns was proposed; the last one carries the newest zxid.</summary>
    public void Proposed(int txns, long lastZxid)
    {
        Proposals.Inc(txns);
        Interlocked.Exchange(ref _lastProposedZxid, lastZxid);
    }

    /// <summary>LeaderActor: a follower acknowledged everything up to <paramref name="zxid"/>.</summary>
    public void FollowerAcked(int serverId, long zxid) => _followerAckedZxid[serverId] = zxid;

    public void FollowerGone(int serverId) => _followerAckedZxid.TryRemove(serverId, out _);

    /// <summary>The leader role ended: it has no followers any more.</summary>
    public void LeadershipEnded() => _followerAckedZxid.Clear();

    public void SnapshotWritten(long zxid, long sizeBytes, long durationMs, long unixMs)
    {
        Snapshots.Inc();
        SnapshotSizeBytes.Set(sizeBytes);
        SnapshotSeconds.Observe(durationMs / 1000.0);
        Interlocked.Exchange(ref _lastSnapshotZxid, zxid);
        Interlocked.Exchange(ref _lastSnapshotUnixMs, unixMs);
    }

    public void ElectionFinished(long durationMs)
    {
        Elections.Inc();
        ElectionSeconds.Observe(durationMs / 1000.0);
    }

    // ---- state, refreshed by the host before a scrape ----

    public void SetRole(ServerState state)
    {
        var current = state.Mode switch
        {
            ServerMode.Standalone => 1,
            ServerMode.Leader => 2,
            ServerMode.Follower => 3,
            ServerMode.Observer => 4,
            _ => 0,
        };
        for (var i = 0; i < RoleNames.Length; i++) _role.WithLabels(RoleNames[i]).Set(i == current ? 1 : 0);
        Epoch.Set(state.Epoch);
        Serving.Set(state.IsServing ? 1 : 0);
        if (state.Mode is not ServerMode.Leader) LeadershipEnded();
    }

    public void SetTree(TreeStatus tree)
    {
        ZnodeCount.Set(tree.ZkNodeCount);
        WatchCount.Set(tree.WatchCount);
        EphemeralsCount.Set(tree.EphemeralCount);
        ApproximateDataSizeBytes.Set(tree.ApproximateDataSize);
        GlobalSessions.Set(tree.SessionCount);
        LastZxid.Set(tree.LastZxid);
    }

    /// <summary>What the leader knows of each follower, lowest server id first.</summary>
    public IReadOnlyList<FollowerProgress> Followers()
    {
        var last = Interlocked.Read(ref _lastProposedZxid);
        return [.. _followerAckedZxid.OrderBy(kv => kv.Key).Select(kv => new FollowerProgress(kv.Key, kv.Value, Lag(last, kv.Value)))];
    }

    /// <summary>Txns between an acknowledged zxid and the last proposed one; a follower still in an older epoch lags
    /// by the whole of the current epoch so far.</summary>
    public static long Lag(long lastProposedZxid, long ackedZxid)
    {
        if (ackedZxid >= lastProposedZxid) return 0;
        var sameEpoch = (lastProposedZxid >>> 32) == (ackedZxid >>> 32);
        return sameEpoch ? lastProposedZxid - ackedZxid : lastProposedZxid & 0xffff_ffffL;
    }

    private void CollectFollowers()
    {
        var followers = Followers();
        _followerLag.Clear();
        _followerAcked.Clear();
        foreach (var f in followers)
        {
            var id = f.ServerId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _followerLag.WithLabels(id).Set(f.LagTxns);
            _followerAcked.WithLabels(id).Set(f.AckedZxid);
        }
        SyncedFollowers.Set(followers.Count);
    }

    /// <summary>ZooKeeper's camelCase spelling of an opcode ("getData", "create2").</summary>
    public static string OpName(OpCode op)
    {
        var name = op.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }
}
