// Normalises zkCli.sh output so that two runs against different servers compare equal when they behave alike:
// times are blanked, zxids and session ids renamed in order of first appearance (so equal stays equal), the
// JVM's log noise dropped, and watch events moved to their own list (the event thread prints them concurrently).
using System.Text.RegularExpressions;

namespace Zk.Compat.ZkCli;

public sealed partial record ZkCliOutput(IReadOnlyList<string> Lines, IReadOnlyList<string> Events)
{
    public static ZkCliOutput Normalize(string raw)
    {
        var zxids = new Dictionary<string, string>(StringComparer.Ordinal);
        var sessions = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = new List<string>();
        var events = new List<string>();
        foreach (var rawLine in raw.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (IsNoise(line)) continue;
            if (line.StartsWith("WatchedEvent ", StringComparison.Ordinal))
            {
                events.Add(line);
                continue;
            }
            line = Time().Replace(line, "$1 = <time>");
            line = Zxid().Replace(line, m => $"{m.Groups[1].Value} = {Rename(zxids, m.Groups[2].Value, "Z")}");
            line = Owner().Replace(line, m => $"ephemeralOwner = {Rename(sessions, m.Groups[1].Value, "S")}");
            lines.Add(line);
        }
        SortWhoAmIBlocks(lines);
        DropFinalClose(events);
        return new ZkCliOutput(lines, events);
    }

    // `quit` closes the session and exits the JVM; whether the event thread prints the client's own Closed event
    // before the exit is a race inside zkCli, whichever server it talks to. Closed events mid-script (connect) stay.
    private static void DropFinalClose(List<string> events)
    {
        if (events is [.., "WatchedEvent state:Closed type:None path:null"]) events.RemoveAt(events.Count - 1);
    }

    private static bool IsNoise(string line) =>
        line.Length == 0
        || line.StartsWith("SLF4J:", StringComparison.Ordinal)
        || line == "WATCHER::"
        || line == "Welcome to ZooKeeper!"
        || line.StartsWith("JLine support is", StringComparison.Ordinal)
        || line.StartsWith("Connecting to ", StringComparison.Ordinal)
        || LogLine().IsMatch(line);

    private static string Rename(Dictionary<string, string> names, string value, string prefix)
    {
        if (!names.TryGetValue(value, out var name)) names[value] = name = prefix + (names.Count + 1);
        return name;
    }

    // whoami prints the connection's auth ids from a hash set in ZooKeeper: their order is unspecified.
    private static void SortWhoAmIBlocks(List<string> lines)
    {
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i] != "Auth scheme: User") continue;
            var end = i + 1;
            while (end < lines.Count && AuthIdLine().IsMatch(lines[end])) end++;
            lines.Sort(i + 1, end - i - 1, StringComparer.Ordinal);
        }
    }

    [GeneratedRegex(@"^(ctime|mtime) = .*$")]
    private static partial Regex Time();

    [GeneratedRegex(@"^(cZxid|mZxid|pZxid) = (0x[0-9a-f]+)$")]
    private static partial Regex Zxid();

    [GeneratedRegex(@"^ephemeralOwner = (0x[0-9a-f]*[1-9a-f][0-9a-f]*)$")]
    private static partial Regex Owner();

    [GeneratedRegex(@"^(ip|digest|super|sasl|x509|world): ")]
    private static partial Regex AuthIdLine();

    [GeneratedRegex(@"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d[,.]\d{3} ")]
    private static partial Regex LogLine();
}
