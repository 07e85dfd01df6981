// The metrics of one server, named once here, as prometheus-net counters, gauges and histograms in a registry of
// their own: actors report events (a reply, an fsync, a proposal, a commit, a snapshot, an election) from their own
// threads; the host sets the gauges that mirror state kept elsewhere (Zk.Host's HostGauges before each scrape, its
// TreeGaugeSampler on a timer, so that a scrape never waits on the data tree). Thread-safe: prometheus-net updates are
// lock-free; what runs before a scrape takes _collectLock, because two scrapes may run at once.
using System.Collections.Concurrent;
using System.Globalization;
using Prometheus;
using Zk.Actors.Tree;
using Zk.Core.DataTree;
using Zk.Protocol;

namespace Zk.Actors.Server.Metrics;

public sealed record FollowerProgress(int ServerId, long AckedZxid, long LagTxns);

public sealed class ServerMetrics
{
    private const int OpCodeOffset = 11;
    private static readonly string[] RoleNames = ["looking", "standalone", "leader", "follower", "observer"];

    private readonly Histogram _requestLatency;
    private readonly Histogram.Child?[] _latencyByOp = new Histogram.Child?[OpCodeOffset + 128];
    private readonly Gauge.Child[] _role;
    private readonly Gauge _followerLag;
    private readonly Gauge _followerAcked;
    private readonly ConcurrentDictionary<int, long> _followerAckedZxid = new();
    private readonly Lock _collectLock = new();
    private readonly HashSet<int> _publishedFollowers = [];
    private long _lastProposedZxid;
    private long _lastSnapshotZxid = -1;
    private long _lastSnapshotUnixMs;
    private long _packetsReceivedSeen;
    private long _packetsSentSeen;

    public ServerMetrics()
    {
        // Exemplars only show in OpenMetrics, which /metrics does not serve; without them an update reads no trace context.
        var f = Prometheus.Metrics.WithCustomRegistry(Registry);
        f.ExemplarBehavior = ExemplarBehavior.NoExemplars();
        _requestLatency = f.CreateHistogram("zk_request_latency_seconds", "Time from reading a request to writing its reply, by opcode",
            new HistogramConfiguration { LabelNames = ["op"], Buckets = MetricBuckets.RequestLatencySeconds.ToArray() });
        ZnodeCount = f.CreateGauge("zk_znode_count", "Znodes in the data tree (counting / twice, as ZooKeeper does)");
        WatchCount = f.CreateGauge("zk_watch_count", "Watches registered on this server");
        EphemeralsCount = f.CreateGauge("zk_ephemerals_count", "Ephemeral znodes");
        ApproximateDataSizeBytes = f.CreateGauge("zk_approximate_data_size_bytes", "Sum of path and data lengths over all znodes");
        GlobalSessions = f.CreateGauge("zk_global_sessions", "Sessions in the replicated session table");
        TreeSampledSeconds = f.CreateGauge("zk_tree_sampled_timestamp_seconds",
            "Unix time at which the data tree gauges (znodes, watches, ephemerals, data size, sessions, last zxid) were last sampled");
        AliveConnections = f.CreateGauge("zk_alive_connections", "Open client connections of this server");
        OutstandingRequests = f.CreateGauge("zk_outstanding_requests", "Client requests read but not yet answered");
        PacketsReceived = f.CreateCounter("zk_packets_received_total", "Client packets received");
        PacketsSent = f.CreateCounter("zk_packets_sent_total", "Client packets sent");
        var role = f.CreateGauge("zk_zab_role", "1 for the ZAB role this server is in, 0 for the others", "role");
        _role = [.. RoleNames.Select(r => role.WithLabels(r))];
        Epoch = f.CreateGauge("zk_zab_epoch", "The current epoch of this server");
        LastZxid = f.CreateGauge("zk_last_zxid", "The zxid of the last txn applied to the data tree");
        Serving = f.CreateGauge("zk_serving", "1 while this server serves clients");
        UptimeSeconds = f.CreateGauge("zk_uptime_seconds", "Seconds since the server started");
        Proposals = f.CreateCounter("zk_proposals_total", "Txns this server proposed as leader");
        Commits = f.CreateCounter("zk_commits_total", "Txns this server committed as leader");
        FsyncSeconds = f.CreateHistogram("zk_fsync_seconds", "Duration of each journal sync (one per group commit)",
            new HistogramConfiguration { Buckets = MetricBuckets.FsyncSeconds.ToArray() });
        JournalAppends = f.CreateCounter("zk_journal_appends_total", "Txns appended to the journal");
        _followerLag = f.CreateGauge("zk_follower_lag_txns", "Leader only: txns proposed but not yet acknowledged by each follower", "server_id");
        _followerAcked = f.CreateGauge("zk_follower_acked_zxid", "Leader only: the last zxid each follower acknowledged", "server_id");
        SyncedFollowers = f.CreateGauge("zk_synced_followers", "Leader only: followers that acknowledge proposals");
        SnapshotSizeBytes = f.CreateGauge("zk_snapshot_size_bytes", "Size of the last snapshot written");
        SnapshotSeconds = f.CreateHistogram("zk_snapshot_duration_seconds", "Time to write and retain a snapshot",
            new HistogramConfiguration { Buckets = MetricBuckets.SnapshotSeconds.ToArray() });
        Snapshots = f.CreateCounter("zk_snapshots_total", "Snapshots written");
        Elections = f.CreateCounter("zk_elections_total", "Leader elections this server finished");
        ElectionSeconds = f.CreateHistogram("zk_election_duration_seconds", "Time from LOOKING to a decided election",
            new HistogramConfiguration { Buckets = MetricBuckets.ElectionSeconds.ToArray() });
        Registry.AddBeforeCollectCallback(CollectFollowers);
    }

    /// <summary>This server's metrics and nothing else (not prometheus-net's process-wide default registry).</summary>
    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();

    public Gauge ZnodeCount { get; }

    public Gauge WatchCount { get; }

    public Gauge EphemeralsCount { get; }

    public Gauge ApproximateDataSizeBytes { get; }

    public Gauge GlobalSessions { get; }

    public Gauge TreeSampledSeconds { get; }

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
            // First reply of this opcode: create the child (prometheus-net hands a racing thread the same one).
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

    // ---- state, set by the host ----

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
        for (var i = 0; i < _role.Length; i++) _role[i].Set(i == current ? 1 : 0);
        Epoch.Set(state.Epoch);
        Serving.Set(state.IsServing ? 1 : 0);
        if (state.Mode is not ServerMode.Leader) LeadershipEnded();
    }

    /// <summary>A sample of the data tree, asked for at <paramref name="askedUnixMs"/> (so it holds everything done before).</summary>
    public void SetTree(TreeStatus tree, long askedUnixMs)
    {
        ZnodeCount.Set(tree.ZkNodeCount);
        WatchCount.Set(tree.WatchCount);
        EphemeralsCount.Set(tree.EphemeralCount);
        ApproximateDataSizeBytes.Set(tree.ApproximateDataSize);
        GlobalSessions.Set(tree.SessionCount);
        LastZxid.Set(tree.LastZxid);
        TreeSampledSeconds.Set(askedUnixMs / 1000.0);
    }

    /// <summary>
    /// The packet counters follow ServerStats' totals, which srst resets to zero: a counter only grows, so each call
    /// adds the growth since the last one, and after a reset the whole new total.
    /// </summary>
    public void SetPacketTotals(long received, long sent)
    {
        lock (_collectLock)
        {
            PacketsReceived.Inc(Growth(received, ref _packetsReceivedSeen));
            PacketsSent.Inc(Growth(sent, ref _packetsSentSeen));
        }
    }

    private static long Growth(long total, ref long seen)
    {
        var growth = total >= seen ? total - seen : total;
        seen = total;
        return growth;
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

    // Before each scrape: one series per follower the leader knows, and none for those it no longer does.
    private void CollectFollowers()
    {
        var followers = Followers();
        lock (_collectLock)
        {
            var now = new HashSet<int>();
            foreach (var f in followers)
            {
                var id = f.ServerId.ToString(CultureInfo.InvariantCulture);
                _followerLag.WithLabels(id).Set(f.LagTxns);
                _followerAcked.WithLabels(id).Set(f.AckedZxid);
                now.Add(f.ServerId);
            }
            foreach (var gone in _publishedFollowers.Where(id => !now.Contains(id)))
            {
                var id = gone.ToString(CultureInfo.InvariantCulture);
                _followerLag.RemoveLabelled(id);
                _followerAcked.RemoveLabelled(id);
            }
            _publishedFollowers.Clear();
            _publishedFollowers.UnionWith(now);
            SyncedFollowers.Set(followers.Count);
        }
    }

    /// <summary>ZooKeeper's camelCase spelling of an opcode ("getData", "create2").</summary>
    public static string OpName(OpCode op)
    {
        var name = op.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }
}
