// The exposition of an in-process prometheus-net registry, as /metrics would serve it (text format 0.0.4).
using System.Text;
using Prometheus;

namespace Zk.Ops.Tests.Infrastructure;

public static class RegistryText
{
    public static async Task<string> ScrapeAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static async Task<PrometheusDocument> ParseAsync(CollectorRegistry registry) =>
        await PrometheusText.ParseAsync(await ScrapeAsync(registry));
}
