// The plain-text table of a scrape-cost run: per workload the median throughput without and with the scraper, the
// median and range of the pairs' ratios, the server's CPU per operation on each side, and the scrapes made. Pure.
using System.Globalization;
using System.Text;
using Zk.Bench.Report;

namespace Zk.Bench.Compare;

public static class ScrapeCostTable
{
    public static string Render(ScrapeCostReport report)
    {
        var sb = new StringBuilder();
        var m = report.Machine;
        sb.Append(CultureInfo.InvariantCulture,
            $"ZkActors standalone; /metrics scraped every {report.ScrapeIntervalS:0.###} s in one run of each pair, the order swapped every round; ")
            .Append(CultureInfo.InvariantCulture, $"{report.WarmupS:0.#} s warm-up + {report.DurationS:0.#} s measured per run\n")
            .Append(CultureInfo.InvariantCulture, $"{m.Cpu}, {m.Cores} cores; load average {m.LoadAverageAtStart} at the start, {m.LoadAverageAtEnd} at the end\n\n");
        List<string[]> rows =
        [
            ["workload", "pairs", "ops/s without", "ops/s with", "with/without: median (range)", "server CPU s/100k ops without / with", "scrapes (failed)"],
        ];
        foreach (var w in report.Workloads)
        {
            var ratios = w.PairRatios;
            rows.Add(
            [
                w.Workload,
                TableFormat.Count(ratios.Count),
                Show(w.MedianOpsPerSWithout, TableFormat.Count),
                Show(w.MedianOpsPerSWith, TableFormat.Count),
                ratios.Count == 0 ? "–" : string.Create(CultureInfo.InvariantCulture, $"{w.MedianPairRatio:0.000} ({ratios.Min():0.000}–{ratios.Max():0.000})"),
                $"{Show(w.MedianCpuPer100kWithout, Cpu)} / {Show(w.MedianCpuPer100kWith, Cpu)}",
                $"{TableFormat.Count(w.Scrapes)} ({TableFormat.Count(w.ScrapeFailures)})",
            ]);
        }
        sb.Append(TableFormat.Grid(rows));
        return sb.ToString();
    }

    private static string Cpu(double s) => s.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Show(double? v, Func<double, string> format) => v is { } x ? format(x) : "–";
}
