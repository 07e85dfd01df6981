// Renders a CompareReport as text tables (standalone, ensembles, fail-over): a column per server and a ratio column
// for each server after the first (the baseline). Pure formatting.
using System.Globalization;
using System.Text;
using Zk.Bench.Report;

namespace Zk.Bench.Compare;

public static class CompareTable
{
    public static string Render(CompareReport report)
    {
        var sb = new StringBuilder();
        var m = report.Machine;
        sb.Append(CultureInfo.InvariantCulture,
            $"machine: {m.Cpu}, {m.Cores} cores, {TableFormat.Bytes(m.MemTotalBytes)} RAM, Linux {m.Kernel}, {m.Runtime}; load average {m.LoadAverageAtStart} at start, {m.LoadAverageAtEnd} at end\n");
        sb.Append(CultureInfo.InvariantCulture,
            $"each workload: {report.WarmupS:F0} s warm-up, {report.DurationS:F0} s measured, {report.PayloadBytes} B payload, {report.Znodes} znodes; ratios are column / baseline\n");
        if (report.ServerSettings is { } settings) sb.Append(CultureInfo.InvariantCulture, $"servers: {settings}\n");
        var modes = report.Workloads.Select(w => w.Members).Concat(report.Memory.Select(r => r.Members)).Distinct().Order().ToArray();
        foreach (var members in modes)
        {
            sb.Append('\n');
            if (modes.Length > 1 || members > 1) sb.Append(ModeTitle(members)).Append('\n');
            sb.Append(TableFormat.Grid(ModeRows(report, members)));
        }
        if (report.Failover.Count > 0)
        {
            sb.Append('\n').Append(FailoverTitle(report)).Append('\n');
            sb.Append(TableFormat.Grid(FailoverRows(report)));
        }
        return sb.ToString();
    }

    private static string ModeTitle(int members) => members == 1
        ? "standalone servers"
        : $"{members}-node ensembles on loopback (the connect string lists every member; server CPU and RSS are sums over the members, heap the mean per member)";

    private static string FailoverTitle(CompareReport report)
    {
        var members = report.Failover.Max(f => f.Members);
        return $"fail-over, {members}-node ensembles: SIGKILL of the leader to the first write acknowledged to a client that was on a follower "
            + "(retrying every 5 ms, reconnecting to the survivors in turn with its session); the killed member restarts before the next round. "
            + "It depends on tickTime and syncLimit, which both servers share";
    }

    private static List<string[]> ModeRows(CompareReport report, int members)
    {
        var servers = report.Servers;
        var rows = new List<string[]> { Header("workload", servers) };
        foreach (var w in report.Workloads.Where(w => w.Members == members)) AddWorkload(rows, servers, w);
        foreach (var group in report.Memory.Where(r => r.Members == members).GroupBy(r => (r.Znodes, r.PayloadBytes)))
            AddMemory(rows, servers, group.ToList());
        return rows;
    }

    private static List<string[]> FailoverRows(CompareReport report)
    {
        var servers = report.Servers;
        var runs = servers.Select(s => report.Failover.FirstOrDefault(f => f.Server == s)).ToArray();
        var rows = new List<string[]> { Header("fail-over", servers) };
        Row(rows, "leader killed", "rounds", runs, r => r.Rounds.Count, TableFormat.Count);
        Row(rows, "", "median", runs, r => r.MedianMs, Milliseconds);
        Row(rows, "", "p90", runs, r => r.P90Ms, Milliseconds);
        Row(rows, "", "max", runs, r => r.MaxMs, Milliseconds);
        Row(rows, "", "min", runs, r => r.MinMs, Milliseconds);
        Row(rows, "", "restarted member serves again (median)", runs, r => r.RejoinMedianMs, Milliseconds);
        if (runs.Any(r => r?.Error is not null))
        {
            var error = new List<string> { "", "stopped early" };
            error.AddRange(runs.Select(r => r?.Error ?? "-"));
            for (var j = 1; j < runs.Length; j++) error.Add("");
            rows.Add(error.ToArray());
        }
        var rounds = runs.Max(r => r?.Rounds.Count ?? 0);
        for (var i = 0; i < rounds; i++)
        {
            var round = i;
            var row = new List<string> { "", $"round {round + 1}" };
            row.AddRange(runs.Select(r => r is not null && round < r.Rounds.Count ? Milliseconds(r.Rounds[round].FailoverMs) : "-"));
            for (var j = 1; j < runs.Length; j++) row.Add("");
            rows.Add(row.ToArray());
        }
        return rows;
    }

    private static string[] Header(string first, IReadOnlyList<string> servers)
    {
        var header = new List<string> { first, "metric" };
        header.AddRange(servers);
        for (var i = 1; i < servers.Count; i++) header.Add($"{servers[i]} / {servers[0]}");
        return header.ToArray();
    }

    private static string Milliseconds(double ms) => TableFormat.Latency(ms * 1000);

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
