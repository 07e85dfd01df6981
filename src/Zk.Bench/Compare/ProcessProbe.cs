// Reads a server's resource use from Linux /proc: CPU time (utime+stime of every thread) and resident memory.
// Stateless; a missing process reads as null so a crashed server shows as such instead of throwing.
using System.Globalization;

namespace Zk.Bench.Compare;

public static class ProcessProbe
{
    /// <summary>USER_HZ, the unit of /proc/&lt;pid&gt;/stat times: 100 on every Linux architecture .NET runs on.</summary>
    public const double ClockTicksPerSecond = 100;

    /// <summary>User plus system CPU seconds of all the process's threads so far; null if it is gone.</summary>
    public static double? CpuSeconds(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        return ParseCpuSeconds(stat);
    }

    /// <summary>Fields 14 (utime) and 15 (stime) of /proc/&lt;pid&gt;/stat, counted after the parenthesised command name.</summary>
    public static double? ParseCpuSeconds(string stat)
    {
        var close = stat.LastIndexOf(')');
        if (close < 0) return null;
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state), so field n is fields[n - 3].
        if (fields.Length < 13) return null;
        var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
        var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (utime + stime) / ClockTicksPerSecond;
    }

    /// <summary>VmRSS of /proc/&lt;pid&gt;/status in bytes; null if the process is gone.</summary>
    public static long? RssBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
                var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
            return null;
        }
        return null;
    }

    /// <summary>Sums over the processes of a server (one for a standalone server, one per member of an ensemble).</summary>
    public static double? CpuSeconds(IReadOnlyList<int> pids) => Sum(pids, CpuSeconds);

    public static long? RssBytes(IReadOnlyList<int> pids)
    {
        var sum = Sum(pids, p => (double?)RssBytes(p));
        return sum is null ? null : (long)sum.Value;
    }

    private static double? Sum(IReadOnlyList<int> pids, Func<int, double?> read)
    {
        if (pids.Count == 0) return null;
        double total = 0;
        foreach (var pid in pids)
        {
            var v = read(pid);
            if (v is null) return null;
            total += v.Value;
        }
        return total;
    }
}
