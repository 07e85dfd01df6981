// A server's metrics in process, read back through the reference parser: each histogram's bucket layout, where a
// whole-millisecond latency lands, counts from many threads, no allocation on the hot path, followers appearing and
// leaving, packet counters across srst, and the tree gauges sampled once per interval whatever the scrape rate.
using System.Globalization;
using Zk.Actors.Tree;
using Zk.Actors.Kernel;
using Zk.Actors.Server;
using Zk.Actors.Server.Metrics;
using Zk.Host.Admin;
using Zk.Ops.Tests.Infrastructure;
using Zk.Protocol;

namespace Zk.Ops.Tests.Metrics;

public sealed class ServerMetricsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Each_histogram_exposes_the_buckets_chosen_for_what_it_measures()
    {
        // Frozen: dashboards and alerts name these bounds in le="...".
        double[] request = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];
        double[] fsync = [0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
        double[] snapshot = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100];
        double[] election = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30, 60];
        Assert.Equal(request, MetricBuckets.RequestLatencySeconds.ToArray());
        Assert.Equal(fsync, MetricBuckets.FsyncSeconds.ToArray());
        Assert.Equal(snapshot, MetricBuckets.SnapshotSeconds.ToArray());
        Assert.Equal(election, MetricBuckets.ElectionSeconds.ToArray());

        var m = new ServerMetrics();
        m.RequestCompleted(OpCode.GetData, 0);
        var doc = await RegistryText.ParseAsync(m.Registry);
        Assert.Equal([.. request, double.PositiveInfinity], Bounds(doc, "zk_request_latency_seconds"));
        Assert.Equal([.. fsync, double.PositiveInfinity], Bounds(doc, "zk_fsync_seconds"));
        Assert.Equal([.. snapshot, double.PositiveInfinity], Bounds(doc, "zk_snapshot_duration_seconds"));
        Assert.Equal([.. election, double.PositiveInfinity], Bounds(doc, "zk_election_duration_seconds"));
    }

    [Fact]
    public async Task A_whole_millisecond_latency_lands_in_the_first_bucket_whose_bound_is_not_below_it()
    {
        var m = new ServerMetrics();
        foreach (var ms in new long[] { 0, 1, 2, 3, 250 }) m.RequestCompleted(OpCode.GetData, ms);
        m.RequestCompleted(OpCode.Create2, 3);
        m.RequestCompleted(OpCode.GetChildren2, 250);
        var doc = await RegistryText.ParseAsync(m.Registry);
        double GetData(double le) => Bucket(doc, "zk_request_latency_seconds", le, ("op", "getData"));
        Assert.Equal(2, GetData(0.001));
        Assert.Equal(3, GetData(0.002));
        Assert.Equal(4, GetData(0.005));
        Assert.Equal(4, GetData(0.2));
        Assert.Equal(5, GetData(0.5));
        Assert.Equal(5, doc.Value("zk_request_latency_seconds_count", ("op", "getData")));
        Assert.Equal(0.256, doc.Value("zk_request_latency_seconds_sum", ("op", "getData")), 9);
        // Labelled with ZooKeeper's spelling of the opcode.
        Assert.Equal(1, doc.Value("zk_request_latency_seconds_count", ("op", "create2")));
        Assert.Equal(0, Bucket(doc, "zk_request_latency_seconds", 0.2, ("op", "getChildren2")));
        Assert.Equal(1, Bucket(doc, "zk_request_latency_seconds", 0.5, ("op", "getChildren2")));
    }

    [Fact]
    public async Task Events_reported_from_many_threads_are_all_counted()
    {
        var m = new ServerMetrics();
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 50_000; i++)
            {
                m.RequestCompleted(OpCode.GetData, 1);
                m.Commits.Inc();
                m.FsyncSeconds.Observe(0.0001);
            }
        });
        var doc = await RegistryText.ParseAsync(m.Registry);
        Assert.Equal(400_000, doc.Value("zk_request_latency_seconds_count", ("op", "getData")));
        Assert.Equal(400_000, Bucket(doc, "zk_request_latency_seconds", 0.001, ("op", "getData")));
        Assert.Equal(400_000, doc.Value("zk_commits_total"));
        Assert.Equal(400_000, Bucket(doc, "zk_fsync_seconds", 0.0001));
        Assert.Equal(40, doc.Value("zk_fsync_seconds_sum"), 6);
    }

    [Fact]
    public void Reporting_events_on_the_hot_path_allocates_nothing()
    {
        var m = new ServerMetrics();
        m.RequestCompleted(OpCode.GetData, 1);
        m.FsyncSeconds.Observe(0.001);
        m.Commits.Inc();
        m.Proposed(1, 1);
        m.JournalAppends.Inc(2);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            m.RequestCompleted(OpCode.GetData, i % 7);
            m.FsyncSeconds.Observe(0.0005);
            m.Commits.Inc();
            m.Proposed(1, i);
            m.JournalAppends.Inc(2);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task Follower_lag_counts_txns_behind_the_last_proposal_and_a_gone_follower_leaves_the_scrape()
    {
        Assert.Equal(0, ServerMetrics.Lag(0x5_0000_0010, 0x5_0000_0010));
        Assert.Equal(6, ServerMetrics.Lag(0x5_0000_0010, 0x5_0000_000a));
        Assert.Equal(0x10, ServerMetrics.Lag(0x5_0000_0010, 0x4_0000_0099));
        var m = new ServerMetrics();
        m.Proposed(3, 0x2_0000_0009);
        m.FollowerAcked(2, 0x2_0000_0007);
        m.FollowerAcked(3, 0x2_0000_0009);
        var doc = await RegistryText.ParseAsync(m.Registry);
        Assert.Equal(2, doc.Value("zk_follower_lag_txns", ("server_id", "2")));
        Assert.Equal(0, doc.Value("zk_follower_lag_txns", ("server_id", "3")));
        Assert.Equal(0x2_0000_0007, doc.Value("zk_follower_acked_zxid", ("server_id", "2")));
        Assert.Equal(2, doc.Value("zk_synced_followers"));

        m.FollowerGone(2);
        doc = await RegistryText.ParseAsync(m.Registry);
        Assert.Equal(["3"], doc.Samples("zk_follower_lag_txns").Select(s => s.Label("server_id")));
        Assert.Equal(["3"], doc.Samples("zk_follower_acked_zxid").Select(s => s.Label("server_id")));
        Assert.Equal(1, doc.Value("zk_synced_followers"));

        m.LeadershipEnded();
        doc = await RegistryText.ParseAsync(m.Registry);
        Assert.Empty(doc.Samples("zk_follower_lag_txns"));
        Assert.Equal(0, doc.Value("zk_synced_followers"));
    }

    [Fact]
    public async Task The_role_gauge_has_one_series_per_role_and_1_on_the_current_one()
    {
        var m = new ServerMetrics();
        var state = new ServerState();
        state.Set(ServerMode.Follower, serving: true, epoch: 7, leaderId: 1);
        m.SetRole(state);
        var doc = await RegistryText.ParseAsync(m.Registry);
        foreach (var role in new[] { "looking", "standalone", "leader", "observer" }) Assert.Equal(0, doc.Value("zk_zab_role", ("role", role)));
        Assert.Equal(1, doc.Value("zk_zab_role", ("role", "follower")));
        Assert.Equal(7, doc.Value("zk_zab_epoch"));
        Assert.Equal(1, doc.Value("zk_serving"));
    }

    [Fact]
    public async Task Packet_counters_follow_the_server_totals_across_a_stat_reset()
    {
        var m = new ServerMetrics();
        m.SetPacketTotals(received: 100, sent: 90);
        m.SetPacketTotals(received: 150, sent: 140);
        // srst zeroed the totals; 20 and 10 packets came since.
        m.SetPacketTotals(received: 20, sent: 10);
        var doc = await RegistryText.ParseAsync(m.Registry);
        Assert.Equal(170, doc.Value("zk_packets_received_total"));
        Assert.Equal(150, doc.Value("zk_packets_sent_total"));
    }

    [Fact]
    public async Task A_tree_sample_sets_the_tree_gauges_stamped_with_when_it_was_asked_for()
    {
        var time = new VirtualTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_250));
        var m = new ServerMetrics();
        var sampler = new TreeGaugeSampler(m, _ =>
        {
            // The tree answers two seconds later; the stamp is still the time of the question.
            time.Advance(TimeSpan.FromSeconds(2));
            return Task.FromResult<TreeStatus?>(Tree(lastZxid: 0x1_0000_0042, znodes: 12, watches: 3, ephemerals: 2, dataBytes: 345, sessions: 4));
        }, time);
        await sampler.SampleOnceAsync(CancellationToken.None);
        var doc = await RegistryText.ParseAsync(m.Registry);
        Assert.Equal(12, doc.Value("zk_znode_count"));
        Assert.Equal(3, doc.Value("zk_watch_count"));
        Assert.Equal(2, doc.Value("zk_ephemerals_count"));
        Assert.Equal(345, doc.Value("zk_approximate_data_size_bytes"));
        Assert.Equal(4, doc.Value("zk_global_sessions"));
        Assert.Equal(0x1_0000_0042, doc.Value("zk_last_zxid"));
        Assert.Equal(1_800_000_000.25, doc.Value("zk_tree_sampled_timestamp_seconds"), 6);
    }

    [Fact]
    public async Task A_tree_without_a_status_to_give_leaves_the_last_sample_and_its_stamp()
    {
        var time = new VirtualTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
        var m = new ServerMetrics();
        TreeStatus? next = Tree(lastZxid: 9, znodes: 20, watches: 0, ephemerals: 0, dataBytes: 0, sessions: 1);
        var sampler = new TreeGaugeSampler(m, _ => Task.FromResult<TreeStatus?>(next), time);
        await sampler.SampleOnceAsync(CancellationToken.None);
        next = null;
        time.Advance(TimeSpan.FromSeconds(5));
        await sampler.SampleOnceAsync(CancellationToken.None);
        var doc = await RegistryText.ParseAsync(m.Registry);
        Assert.Equal(20, doc.Value("zk_znode_count"));
        Assert.Equal(1_800_000_000, doc.Value("zk_tree_sampled_timestamp_seconds"), 6);
    }

    [Fact]
    public async Task The_tree_is_asked_once_per_interval_however_often_metrics_are_scraped()
    {
        var time = new VirtualTimeProvider();
        var m = new ServerMetrics();
        var asks = 0;
        using var asked = new SemaphoreSlim(0);
        Task<TreeStatus?> Ask(CancellationToken _)
        {
            var n = Interlocked.Increment(ref asks);
            asked.Release();
            return Task.FromResult<TreeStatus?>(Tree(lastZxid: n, znodes: 5, watches: 0, ephemerals: 0, dataBytes: 0, sessions: 0));
        }
        await using var sampler = new TreeGaugeSampler(m, Ask, time);
        sampler.Start(TimeSpan.FromSeconds(5));
        Assert.True(await asked.WaitAsync(Patience), "no first sample");
        for (var i = 0; i < 20; i++) await RegistryText.ScrapeAsync(m.Registry);
        Assert.Equal(1, Volatile.Read(ref asks));

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(await asked.WaitAsync(Patience), "no sample after the interval");
        for (var i = 0; i < 20; i++) await RegistryText.ScrapeAsync(m.Registry);
        Assert.Equal(2, Volatile.Read(ref asks));
    }

    private static TreeStatus Tree(long lastZxid, int znodes, int watches, int ephemerals, long dataBytes, int sessions) =>
        new(lastZxid, NodeCount: znodes - 1, ZkNodeCount: znodes, ApproximateDataSize: dataBytes, EphemeralCount: ephemerals,
            SessionCount: sessions, WatchCount: watches, DataWatchers: 0, DataWatchPaths: 0, DataWatchCount: 0, Digest: 0,
            WatchesBySession: [], WatchesByPath: [], Ephemerals: [], Sessions: [], Serving: true);

    private static double[] Bounds(PrometheusDocument doc, string histogram) =>
        [.. doc.Samples(histogram + "_bucket").Select(s => ParseBound(s.Label("le")))];

    private static double Bucket(PrometheusDocument doc, string histogram, double le, params (string Key, string Value)[] labels) =>
        doc.Samples(histogram + "_bucket").Single(s => ParseBound(s.Label("le")) == le && labels.All(l => s.Label(l.Key) == l.Value)).Value;

    private static double ParseBound(string le) =>
        le == "+Inf" ? double.PositiveInfinity : double.Parse(le, NumberStyles.Float, CultureInfo.InvariantCulture);
}
