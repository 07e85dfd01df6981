// /metrics of a real server process, read by the reference Prometheus parser (prometheus_client): every named series
// is there, typed as it should be, and moves with the work the fixture's client did.
using System.Net.Http.Headers;
using Zk.Ops.Tests.Infrastructure;

namespace Zk.Ops.Tests.Admin;

public sealed class MetricsEndpointTests(AdminServerFixture fx) : IClassFixture<AdminServerFixture>
{
    private static readonly TimeSpan SamplePatience = TimeSpan.FromSeconds(30);

    private async Task<PrometheusDocument> ScrapeAsync(string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (accept is not null) request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(accept));
        using var response = await fx.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return await PrometheusText.ParseAsync(await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// The data tree's gauges are sampled every few seconds, not computed per scrape: a scrape that must show the
    /// fixture's work waits for a sample asked for after it (zk_tree_sampled_timestamp_seconds says when).
    /// </summary>
    private async Task<PrometheusDocument> ScrapeAfterNextTreeSampleAsync()
    {
        var afterS = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1) / 1000.0;
        var deadline = DateTime.UtcNow + SamplePatience;
        while (true)
        {
            var doc = await ScrapeAsync();
            if (doc.Value("zk_tree_sampled_timestamp_seconds") >= afterS) return doc;
            Assert.True(DateTime.UtcNow < deadline, $"no tree sample within {SamplePatience.TotalSeconds} s");
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    [Theory]
    [InlineData("zk_znode_count", "gauge")]
    [InlineData("zk_watch_count", "gauge")]
    [InlineData("zk_ephemerals_count", "gauge")]
    [InlineData("zk_approximate_data_size_bytes", "gauge")]
    [InlineData("zk_global_sessions", "gauge")]
    [InlineData("zk_tree_sampled_timestamp_seconds", "gauge")]
    [InlineData("zk_alive_connections", "gauge")]
    [InlineData("zk_outstanding_requests", "gauge")]
    [InlineData("zk_packets_received_total", "counter")]
    [InlineData("zk_packets_sent_total", "counter")]
    [InlineData("zk_request_latency_seconds", "histogram")]
    [InlineData("zk_zab_role", "gauge")]
    [InlineData("zk_zab_epoch", "gauge")]
    [InlineData("zk_last_zxid", "gauge")]
    [InlineData("zk_serving", "gauge")]
    [InlineData("zk_uptime_seconds", "gauge")]
    [InlineData("zk_proposals_total", "counter")]
    [InlineData("zk_commits_total", "counter")]
    [InlineData("zk_fsync_seconds", "histogram")]
    [InlineData("zk_journal_appends_total", "counter")]
    [InlineData("zk_synced_followers", "gauge")]
    [InlineData("zk_snapshot_size_bytes", "gauge")]
    [InlineData("zk_snapshot_duration_seconds", "histogram")]
    [InlineData("zk_snapshots_total", "counter")]
    [InlineData("zk_elections_total", "counter")]
    [InlineData("zk_election_duration_seconds", "histogram")]
    public async Task Each_named_series_is_exposed_with_its_type(string family, string type)
    {
        var doc = await ScrapeAsync();
        Assert.Equal(type, doc.TypeOf(family));
        Assert.NotEmpty(doc.Families[family].Samples);
    }

    [Fact]
    public async Task The_values_follow_what_the_client_did()
    {
        var doc = await ScrapeAfterNextTreeSampleAsync();
        Assert.True(doc.Value("zk_znode_count") >= 9);
        Assert.Equal(1, doc.Value("zk_ephemerals_count"));
        Assert.True(doc.Value("zk_watch_count") >= 2);
        Assert.True(doc.Value("zk_global_sessions") >= 1);
        Assert.True(doc.Value("zk_alive_connections") >= 1);
        Assert.Equal(1, doc.Value("zk_zab_role", ("role", "standalone")));
        Assert.Equal(0, doc.Value("zk_zab_role", ("role", "leader")));
        Assert.Equal(1, doc.Value("zk_serving"));
        // create session, 4 creates, 5 setData at least: each a proposal, a commit and a journal append.
        Assert.True(doc.Value("zk_proposals_total") >= 10);
        Assert.True(doc.Value("zk_commits_total") >= 10);
        Assert.True(doc.Value("zk_journal_appends_total") >= 10);
        Assert.True(doc.Value("zk_last_zxid") >= 10);
        Assert.True(doc.Value("zk_fsync_seconds_count") >= 1);
        Assert.True(doc.Value("zk_snapshots_total") >= 1);
        Assert.True(doc.Value("zk_snapshot_size_bytes") > 0);
        Assert.True(doc.Value("zk_snapshot_duration_seconds_count") >= 1);
        Assert.Equal(0, doc.Value("zk_elections_total"));
    }

    [Fact]
    public async Task Request_latency_is_a_histogram_per_opcode()
    {
        await fx.Client.GetDataAsync("/ops/config");
        await fx.Client.ExistsAsync("/ops/nothing-here");
        var doc = await ScrapeAsync();
        var ops = doc.Samples("zk_request_latency_seconds_count").Select(s => s.Label("op")).ToHashSet();
        foreach (var op in new[] { "create", "setData", "getData", "getChildren", "exists" }) Assert.Contains(op, ops);
        Assert.True(doc.Value("zk_request_latency_seconds_count", ("op", "setData")) >= 5);
        Assert.Equal(doc.Value("zk_request_latency_seconds_count", ("op", "setData")),
            doc.Value("zk_request_latency_seconds_bucket", ("op", "setData"), ("le", "+Inf")));
    }

    [Fact]
    public async Task A_scraper_that_prefers_openmetrics_still_gets_text_format_0_0_4()
    {
        // What Prometheus sends; the exporter could answer in OpenMetrics, and /metrics keeps its content type instead.
        var doc = await ScrapeAsync("application/openmetrics-text; version=1.0.0");
        Assert.Equal("counter", doc.TypeOf("zk_commits_total"));
    }
}
