// GET /metrics: prometheus-net's exporter over this server's registry, in Prometheus text format 0.0.4 whatever the
// Accept header asks (OpenMetrics is off, so the content type never changes under a scraper). Before each scrape it
// sets the gauges that mirror state kept elsewhere — role, connections, packets, uptime — from fields and the
// connection list only; the data tree's gauges come from TreeGaugeSampler. Runs on Kestrel's request threads,
// concurrently: ServerMetrics locks what must not interleave.
using Microsoft.AspNetCore.Http;
using Prometheus;

namespace Zk.Host.Admin;

internal sealed class MetricsEndpoint
{
    private readonly AdminSources _sources;
    private readonly MetricServerMiddleware _exporter;

    public MetricsEndpoint(AdminSources sources)
    {
        _sources = sources;
        var registry = sources.Metrics.Registry;
        // No DotNetStats (process_* and dotnet_* series): its process_open_handles lists /proc/self/fd on every scrape,
        // which alone made a scrape cost 3-4 ms of CPU instead of under 1 ms (docs/BENCHMARKS.md).
        registry.AddBeforeCollectCallback(SetHostGauges);
        _exporter = new MetricServerMiddleware(_ => Task.CompletedTask,
            new MetricServerMiddleware.Settings { Registry = registry, EnableOpenMetrics = false });
    }

    public Task ServeAsync(HttpContext ctx) => _exporter.Invoke(ctx);

    private void SetHostGauges()
    {
        var metrics = _sources.Metrics;
        if (_sources.State is { } state) metrics.SetRole(state);
        var connections = _sources.Connections;
        metrics.AliveConnections.Set(connections.Count);
        long outstanding = 0;
        foreach (var c in connections.All) outstanding += c.Stats.Outstanding;
        metrics.OutstandingRequests.Set(outstanding);
        metrics.SetPacketTotals(_sources.Stats.Received, _sources.Stats.Sent);
        metrics.UptimeSeconds.Set((_sources.NowMs - _sources.Identity.StartedMs) / 1000.0);
    }
}
