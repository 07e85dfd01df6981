// What `zkbench compare` measured, per workload and server (standalone or ensemble), the fail-over rounds, and the
// machine it ran on. Immutable records that are printed as tables and written as JSON.
using System.Globalization;
using Zk.Bench.Report;

namespace Zk.Bench.Compare;

public sealed record MachineInfo(string Cpu, int Cores, long MemTotalBytes, string Kernel, string LoadAverageAtStart, string LoadAverageAtEnd, string Runtime)
{
    public static MachineInfo Read(string loadAtStart) => new(
        ProcLine("/proc/cpuinfo", "model name") ?? "unknown",
        Environment.ProcessorCount,
        (ProcLong("/proc/meminfo", "MemTotal") ?? 0) * 1024,
        File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : Environment.OSVersion.VersionString,
        loadAtStart,
        LoadAverage(),
        System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);

    /// <summary>The 1, 5 and 15 minute load averages: how busy the machine was besides the benchmark.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "";

    private static string? ProcLine(string file, string key)
    {
        if (!File.Exists(file)) return null;
        var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line?[(line.IndexOf(':') + 1)..].Trim();
    }

    private static long? ProcLong(string file, string key)
    {
        var v = ProcLine(file, key)?.Split(' ')[0];
        return v is null ? null : long.Parse(v, CultureInfo.InvariantCulture);
    }
}

/// <summary>One workload on one server. Server CPU and RSS come from /proc over exactly the measured phase.</summary>
public sealed record ServerRun(
    string Server,
    BenchResult Result,
    double? ServerCpuS,
    double? ServerCpuSPer100kOps,
    long? ServerRssBytes,
    double ClientCpuSPer100kOps);

public sealed record WorkloadComparison(string Workload, IReadOnlyList<ServerRun> Runs)
{
    /// <summary>1: standalone servers; N: N-member ensembles, whose CPU and RSS are sums over the members.</summary>
    public int Members { get; init; } = 1;
}

/// <summary>
/// The memory workload on a fresh server: RSS (and the live heap after a full GC, where the server can tell)
/// before and after creating Znodes znodes of PayloadBytes each.
/// </summary>
public sealed record MemoryRun(
    string Server,
    int Znodes,
    int PayloadBytes,
    long? RssBeforeBytes,
    long? RssAfterBytes,
    double? RssPerZnodeBytes,
    long? HeapBeforeBytes,
    long? HeapAfterBytes,
    double? HeapPerZnodeBytes,
    BenchResult Populate)
{
    /// <summary>1: a standalone server; N: an N-member ensemble (RSS summed over the members, heap their mean).</summary>
    public int Members { get; init; } = 1;
}

/// <summary>
/// One fail-over round: the member (by myid) that led and was killed with SIGKILL, the follower the client was on,
/// the time from the kill to the first acknowledged write, and how long the restarted member took to serve again.
/// </summary>
public sealed record FailoverRound(
    int Round,
    int KilledMyId,
    int ClientMyId,
    int AcknowledgedByMyId,
    double FailoverMs,
    int Attempts,
    int Reconnects,
    bool NewSession,
    double RejoinMs,
    IReadOnlyDictionary<string, int> ErrorsByKind);

/// <summary>Every fail-over round against one server kind's ensemble, with the median, p90 (nearest rank) and max.</summary>
public sealed record FailoverRun(string Server, int Members, IReadOnlyList<FailoverRound> Rounds)
{
    /// <summary>Why the rounds stopped before the last one; null when all of them ran.</summary>
    public string? Error { get; init; }

    public double? MedianMs => Percentiles.Median(Rounds.Select(r => r.FailoverMs));

    public double? P90Ms => Percentiles.NearestRank(Rounds.Select(r => r.FailoverMs), 90);

    public double? MaxMs => Rounds.Count == 0 ? null : Rounds.Max(r => r.FailoverMs);

    public double? MinMs => Rounds.Count == 0 ? null : Rounds.Min(r => r.FailoverMs);

    public double? RejoinMedianMs => Percentiles.Median(Rounds.Select(r => r.RejoinMs));
}

public static class Percentiles
{
    /// <summary>The middle value, or the mean of the two middle ones; null for no values.</summary>
    public static double? Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return null;
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>The smallest value with at least <paramref name="percent"/> % of the values at or below it.</summary>
    public static double? NearestRank(IEnumerable<double> values, double percent)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return null;
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}

public sealed record CompareReport(
    MachineInfo Machine,
    IReadOnlyList<string> Servers,
    double WarmupS,
    double DurationS,
    int PayloadBytes,
    int Znodes,
    IReadOnlyList<WorkloadComparison> Workloads,
    IReadOnlyList<MemoryRun> Memory)
{
    /// <summary>The zoo.cfg settings both servers ran with (null for servers started elsewhere).</summary>
    public string? ServerSettings { get; init; }

    /// <summary>Fail-over rounds per server kind; empty when none ran.</summary>
    public IReadOnlyList<FailoverRun> Failover { get; init; } = [];

    /// <summary>Every run's issued = completed + errors, no run had an error, and every fail-over round ran.</summary>
    public bool AllClean =>
        Workloads.SelectMany(w => w.Runs).Select(r => r.Result).Concat(Memory.Select(m => m.Populate))
            .All(r => r.CountsAddUp && r.Errors == 0)
        && Failover.All(f => f.Error is null);
}
