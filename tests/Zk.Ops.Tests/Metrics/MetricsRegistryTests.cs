// The metrics registry in process: kinds, buckets, labels, exposition that our strict parser accepts, concurrency,
// and no allocation on the hot path.
using Zk.Actors.Server.Metrics;
using Zk.Ops.Tests.Infrastructure;
using Zk.Protocol;

namespace Zk.Ops.Tests.Metrics;

public sealed class MetricsRegistryTests
{
    [Fact]
    public void Histogram_puts_each_value_in_the_first_bucket_whose_bound_is_not_below_it()
    {
        var h = new Histogram([1, 2, 5]);
        foreach (var v in new[] { 0.5, 1, 1.5, 2, 4.9, 5, 7 }) h.Observe(v);
        Assert.Equal([2, 4, 6, 7], h.CumulativeCounts());
        Assert.Equal(7, h.Count);
        Assert.Equal(21.9, h.Sum, 9);
    }

    [Fact]
    public void Histogram_refuses_bounds_that_do_not_ascend() =>
        Assert.Throws<ArgumentException>(() => new Histogram([1, 1, 2]));

    [Fact]
    public void Exposition_is_valid_prometheus_text_with_help_type_labels_and_histograms()
    {
        var r = new MetricsRegistry();
        r.Counter("test_events_total", "Events\nwith a newline").Inc(3);
        r.GaugeFamily("test_temperature_celsius", "A gauge", "room").WithLabels("kitchen \"north\"\\").Set(-1.5);
        var h = r.HistogramFamily("test_duration_seconds", "A histogram", [0.1, 1], "op");
        h.WithLabels("read").Observe(0.05);
        h.WithLabels("read").Observe(3);
        var doc = PrometheusText.Parse(r.Scrape());
        Assert.Equal("counter", doc.TypeOf("test_events_total"));
        Assert.Equal("Events\nwith a newline", doc.Families["test_events_total"].Help);
        Assert.Equal(3, doc.Value("test_events_total"));
        Assert.Equal(-1.5, doc.Value("test_temperature_celsius", ("room", "kitchen \"north\"\\")));
        Assert.Equal(1, doc.Value("test_duration_seconds_bucket", ("op", "read"), ("le", "0.1")));
        Assert.Equal(1, doc.Value("test_duration_seconds_bucket", ("op", "read"), ("le", "1")));
        Assert.Equal(2, doc.Value("test_duration_seconds_bucket", ("op", "read"), ("le", "+Inf")));
        Assert.Equal(2, doc.Value("test_duration_seconds_count", ("op", "read")));
        Assert.Equal(3.05, doc.Value("test_duration_seconds_sum", ("op", "read")), 9);
    }

    [Fact]
    public void A_family_without_children_is_not_written_and_names_are_checked()
    {
        var r = new MetricsRegistry();
        r.GaugeFamily("test_empty", "nothing yet", "id");
        Assert.DoesNotContain("test_empty", r.Scrape(), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => r.Counter("9bad", "x"));
        Assert.Throws<InvalidOperationException>(() => r.Counter("test_empty", "again"));
    }

    [Fact]
    public void Concurrent_updates_are_all_counted()
    {
        var r = new MetricsRegistry();
        var c = r.Counter("test_total", "c");
        var g = r.Gauge("test_gauge", "g");
        var h = r.Histogram("test_seconds", "h", Histogram.LatencySecondsBuckets());
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 100_000; i++)
            {
                c.Inc();
                g.Add(1);
                h.Observe(0.001);
            }
        });
        Assert.Equal(800_000, c.Value);
        Assert.Equal(800_000, g.Value);
        Assert.Equal(800_000, h.Count);
        Assert.Equal(800, h.Sum, 6);
    }

    [Fact]
    public void Updating_metrics_on_the_hot_path_allocates_nothing()
    {
        var m = new ServerMetrics();
        m.RequestCompleted(OpCode.GetData, 1);
        m.FsyncSeconds.Observe(0.001);
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
    public void Follower_lag_counts_txns_behind_the_last_proposal_and_a_whole_epoch_when_behind_one()
    {
        Assert.Equal(0, ServerMetrics.Lag(0x5_0000_0010, 0x5_0000_0010));
        Assert.Equal(6, ServerMetrics.Lag(0x5_0000_0010, 0x5_0000_000a));
        Assert.Equal(0x10, ServerMetrics.Lag(0x5_0000_0010, 0x4_0000_0099));
        var m = new ServerMetrics();
        m.Proposed(3, 0x2_0000_0009);
        m.FollowerAcked(2, 0x2_0000_0007);
        m.FollowerAcked(3, 0x2_0000_0009);
        var doc = PrometheusText.Parse(m.Registry.Scrape());
        Assert.Equal(2, doc.Value("zk_follower_lag_txns", ("server_id", "2")));
        Assert.Equal(0, doc.Value("zk_follower_lag_txns", ("server_id", "3")));
        Assert.Equal(2, doc.Value("zk_synced_followers"));
        m.FollowerGone(2);
        Assert.Single(m.Followers());
    }

    [Fact]
    public void Request_latency_is_labelled_with_zookeepers_opcode_names()
    {
        var m = new ServerMetrics();
        m.RequestCompleted(OpCode.Create2, 3);
        m.RequestCompleted(OpCode.GetChildren2, 250);
        var doc = PrometheusText.Parse(m.Registry.Scrape());
        Assert.Equal(1, doc.Value("zk_request_latency_seconds_count", ("op", "create2")));
        Assert.Equal(0.25, doc.Value("zk_request_latency_seconds_sum", ("op", "getChildren2")), 9);
        Assert.Equal(1, doc.Value("zk_request_latency_seconds_bucket", ("op", "getChildren2"), ("le", "0.25")));
        Assert.Equal(0, doc.Value("zk_request_latency_seconds_bucket", ("op", "getChildren2"), ("le", "0.1")));
    }
}
