// Renders a CompareReport as one text table: a column per server and a ratio column for each server after the
// first (the baseline). Pure formatting.
using System.Globalization;
using System.Text;
using Zk.Bench.Report;

namespace Zk.Bench.Compare;

public static class CompareTable
{
    public static string Render(CompareReport report)
    {
        var servers = report.Servers;
        var header = new List<string> { "workload", "metric" };
        header.AddRange(servers);
        for (var i = 1; i < servers.Count; i++) header.Add($"{servers[i]} / {servers[0]}");
        var rows = new List<string[]> { header.ToArray() };
        foreach (var w in report.Workloads) AddWorkload(rows, servers, w);
        foreach (var group in report.Memory.GroupBy(m => (m.Znodes, m.PayloadBytes))) AddMemory(rows, servers, group.ToList());
        var sb = new StringBuilder();
        var m = report.Machine;
        sb.Append(CultureInfo.InvariantCulture,
            $"machine: {m.Cpu}, {m.Cores} cores, {TableFormat.Bytes(m.MemTotalBytes)} RAM, Linux {m.Kernel}, {m.Runtime}; load average {m.LoadAverageAtStart} at start, {m.LoadAverageAtEnd} at end\n");
        sb.Append(CultureInfo.InvariantCulture,
            $"each workload: {report.WarmupS:F0} s warm-up, {report.DurationS:F0} s measured, {report.PayloadBytes} B payload, {report.Znodes} znodes; ratios are column / baseline\n\n");
        sb.Append(TableFormat.Grid(rows));
        return sb.ToString();
    }

    private static void AddWorkload(List<string[]> rows, IReadOnlyList<string> servers, WorkloadComparison w)
    {
        var runs = servers.Select(s => w.Runs.FirstOrDefault(r => r.Server == s)).ToArray();
        Row(rows, w.Workload, "throughput (ops/s)", runs, r => r.Result.OpsPerS, TableFormat.Count);
        Row(rows, "", "latency p50", runs, r => r.Result.LatencyUs.P50Us, TableFormat.Latency);
        Row(rows, "", "latency p99", runs, r => r.Result.LatencyUs.P99Us, TableFormat.Latency);
        Row(rows, "", "latency p99.9", runs, r => r.Result.LatencyUs.P999Us, TableFormat.Latency);
        Row(rows, "", "server CPU s / 100k ops", runs, r => r.ServerCpuSPer100kOps, v => v.ToString("F2", CultureInfo.InvariantCulture));
        Row(rows, "", "server RSS", runs, r => r.ServerRssBytes, TableFormat.Bytes);
        Row(rows, "", "client CPU s / 100k ops", runs, r => r.ClientCpuSPer100kOps, v => v.ToString("F2", CultureInfo.InvariantCulture));
        if (runs.Any(r => r?.Result.WatchEvents > 0))
            Row(rows, "", "watch events / s", runs, r => r.Result.WatchEvents / Math.Max(r.Result.MeasuredS, 1e-9), TableFormat.Count);
        var errors = new List<string> { "", "errors / issued" };
        errors.AddRange(runs.Select(r => r is null ? "-" : $"{TableFormat.Count(r.Result.Errors)} / {TableFormat.Count(r.Result.Issued)}"));
        for (var i = 1; i < runs.Length; i++) errors.Add("");
        rows.Add(errors.ToArray());
    }

    private static void AddMemory(List<string[]> rows, IReadOnlyList<string> servers, List<MemoryRun> group)
    {
        var runs = servers.Select(s => group.FirstOrDefault(r => r.Server == s)).ToArray();
        var first = group[0];
        var title = $"memory {TableFormat.Count(first.Znodes)} x {first.PayloadBytes} B";
        Row(rows, title, "create (znodes/s)", runs, r => r.Populate.OpsPerS, TableFormat.Count);
        Row(rows, "", "RSS before", runs, r => r.RssBeforeBytes, TableFormat.Bytes);
        Row(rows, "", "RSS after", runs, r => r.RssAfterBytes, TableFormat.Bytes);
        Row(rows, "", "RSS / znode", runs, r => r.RssPerZnodeBytes, TableFormat.Bytes);
        Row(rows, "", "heap after full GC", runs, r => r.HeapAfterBytes, TableFormat.Bytes);
        Row(rows, "", "heap / znode", runs, r => r.HeapPerZnodeBytes, TableFormat.Bytes);
    }

    private static void Row<T>(List<string[]> rows, string workload, string metric, T?[] runs, Func<T, double?> value, Func<double, string> format)
        where T : class
    {
        var values = runs.Select(r => r is null ? null : value(r)).ToArray();
        var row = new List<string> { workload, metric };
        row.AddRange(values.Select(v => v is null ? "-" : format(v.Value)));
        for (var i = 1; i < values.Length; i++) row.Add(Ratio(values[i], values[0]));
        rows.Add(row.ToArray());
    }

    private static string Ratio(double? value, double? baseline) =>
        value is null || baseline is null || baseline.Value == 0
            ? "-"
            : (value.Value / baseline.Value).ToString("F2", CultureInfo.InvariantCulture);
}
