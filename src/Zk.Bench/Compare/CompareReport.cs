// What `zkbench compare` measured, per workload and server, and the machine it ran on. Immutable records that
// are printed as one table and written as JSON.
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

public sealed record WorkloadComparison(string Workload, IReadOnlyList<ServerRun> Runs);

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
    BenchResult Populate);

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
    /// <summary>Every run's issued = completed + errors, and no run had an error.</summary>
    public bool AllClean =>
        Workloads.SelectMany(w => w.Runs).Select(r => r.Result).Concat(Memory.Select(m => m.Populate))
            .All(r => r.CountsAddUp && r.Errors == 0);
}
