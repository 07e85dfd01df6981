// Plain-text rendering: number formats with units and the table of one run's result. Pure functions.
using System.Globalization;
using System.Text;

namespace Zk.Bench.Report;

public static class TableFormat
{
    /// <summary>A latency given in microseconds, shown in µs below 1 ms and in ms above.</summary>
    public static string Latency(double us) => us switch
    {
        < 1000 => string.Create(CultureInfo.InvariantCulture, $"{us:F0} µs"),
        < 100_000 => string.Create(CultureInfo.InvariantCulture, $"{us / 1000:F2} ms"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{us / 1000:F0} ms"),
    };

    public static string Count(double n) => n.ToString("N0", CultureInfo.InvariantCulture);

    public static string Bytes(double bytes) => bytes switch
    {
        < 10 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes:F0} B"),
        < 10 * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024:F0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024):F0} MiB"),
    };

    public static string Seconds(double s) => string.Create(CultureInfo.InvariantCulture, $"{s:F2} s");

    /// <summary>Columns padded to their widest cell; the first column left-aligned, the others right-aligned.</summary>
    public static string Grid(IReadOnlyList<string[]> rows)
    {
        var widths = new int[rows.Max(r => r.Length)];
        foreach (var row in rows)
            for (var c = 0; c < row.Length; c++) widths[c] = Math.Max(widths[c], row[c].Length);
        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            for (var c = 0; c < row.Length; c++)
            {
                if (c > 0) sb.Append("  ");
                sb.Append(c == 0 ? row[c].PadRight(widths[c]) : row[c].PadLeft(widths[c]));
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    public static string Result(BenchResult r)
    {
        var l = r.LatencyUs;
        List<string[]> rows =
        [
            ["workload", Describe(r)],
            ["target", r.ConnectString],
            ["sessions x window", $"{r.Sessions} x {r.Window}"],
            ["payload", Bytes(r.PayloadBytes)],
            ["znodes", Count(r.Znodes)],
            ["warm-up / measured", $"{Seconds(r.WarmupS)} / {Seconds(r.MeasuredS)}"],
            ["issued", Count(r.Issued)],
            ["completed", Count(r.Completed)],
            ["errors", Count(r.Errors) + ErrorDetail(r)],
            ["throughput", $"{Count(r.OpsPerS)} ops/s"],
            ["latency min", Latency(l.MinUs)],
            ["latency p50", Latency(l.P50Us)],
            ["latency p90", Latency(l.P90Us)],
            ["latency p99", Latency(l.P99Us)],
            ["latency p99.9", Latency(l.P999Us)],
            ["latency max", Latency(l.MaxUs)],
            ["latency mean", Latency(l.MeanUs)],
        ];
        if (r.WatchEvents > 0) rows.Insert(10, ["watch events", $"{Count(r.WatchEvents)} ({Count(r.WatchEvents / Math.Max(r.MeasuredS, 1e-9))}/s)"]);
        if (r.Scrapes is { } s) rows.Add(["metrics scrapes", Scrapes(s)]);
        return Grid(rows);
    }

    /// <summary>"12 every 1 s, 0 failed, p50 1.20 ms, max 3.40 ms, 9 KiB each".</summary>
    public static string Scrapes(Runner.ScrapeStats s) =>
        string.Create(CultureInfo.InvariantCulture, $"{Count(s.Scrapes)} every {s.IntervalS:0.###} s, {Count(s.Failures)} failed, ")
        + $"p50 {Latency(s.P50Ms * 1000)}, max {Latency(s.MaxMs * 1000)}, {Bytes(s.MeanBytes)} each"
        + (s.LastFailure is { } why ? $" (last failure: {why})" : "");

    private static string Describe(BenchResult r) =>
        r.ReadPercent is { } p ? $"{r.Workload} ({p}% reads)" : r.Workload;

    private static string ErrorDetail(BenchResult r) =>
        r.ErrorsByKind.Count == 0 ? "" : " (" + string.Join(", ", r.ErrorsByKind.Select(kv => $"{kv.Key} {kv.Value}")) + ")";
}
