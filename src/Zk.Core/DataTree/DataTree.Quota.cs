// ZooKeeper's quota statistics (reference §8): for each path P with a /zookeeper/quota/P/zookeeper_limits node, the
// server keeps /zookeeper/quota/P/zookeeper_stats at "count=N,bytes=M", the nodes (P included) and data bytes of
// P's subtree. Same threading as DataTree; every replica applies the same updates from the same txns.
using System.Globalization;
using System.Text;

namespace Zk.Core.DataTree;

// As in ZooKeeper: creating the stats node recounts P's subtree into it, creating or deleting the limits node
// adds or removes P, and each create, delete and setData below the deepest such P adds its difference to that
// P's stats. The stats node's data changes in place: no version, mzxid or watch event. Quotas are not enforced.
public sealed partial class DataTree
{
    private const string QuotaPrefix = "/zookeeper/quota";
    private const string QuotaLimitNode = "zookeeper_limits";
    private const string QuotaStatNode = "zookeeper_stats";

    private readonly HashSet<string> _quotaPaths = new(StringComparer.Ordinal);

    /// <summary>A node was created at <paramref name="path"/> with <paramref name="bytes"/> bytes of data.</summary>
    private void QuotaOnCreate(string path, int bytes)
    {
        if (QuotaNodeOf(path, out var quoted, out var name))
        {
            if (name == QuotaLimitNode) _quotaPaths.Add(quoted);
            if (name == QuotaStatNode) RecountQuota(quoted);
        }
        if (DeepestQuota(path) is { } quota) AddToQuotaStats(quota, 1, bytes);
    }

    /// <summary>The node at <paramref name="path"/>, holding <paramref name="bytes"/> bytes, was removed.</summary>
    private void QuotaOnDelete(string path, int bytes)
    {
        if (QuotaNodeOf(path, out var quoted, out var name) && name == QuotaLimitNode) _quotaPaths.Remove(quoted);
        if (DeepestQuota(path) is { } quota) AddToQuotaStats(quota, -1, -bytes);
    }

    private void QuotaOnSetData(string path, int bytesDiff)
    {
        if (DeepestQuota(path) is { } quota) AddToQuotaStats(quota, 0, bytesDiff);
    }

    /// <summary>After a snapshot load: finds every limits node again and recounts its path, as ZooKeeper does.</summary>
    private void RebuildQuotas()
    {
        _quotaPaths.Clear();
        if (Find(QuotaPrefix) is null) return;
        foreach (var (path, node) in Walk())
        {
            if (node.Name == QuotaLimitNode && QuotaNodeOf(path, out var quoted, out _)) _quotaPaths.Add(quoted);
        }
        foreach (var quoted in _quotaPaths) RecountQuota(quoted);
    }

    /// <summary>For /zookeeper/quota/P/name: P (never "" or "/") and name.</summary>
    private static bool QuotaNodeOf(string path, out string quoted, out string name)
    {
        quoted = name = "";
        if (!path.StartsWith(QuotaPrefix + "/", StringComparison.Ordinal)) return false;
        var slash = path.LastIndexOf('/');
        quoted = path[QuotaPrefix.Length..slash];
        name = path[(slash + 1)..];
        return quoted.Length > 1;
    }

    /// <summary>The longest path with a quota that is <paramref name="path"/> or one of its ancestors.</summary>
    private string? DeepestQuota(string path)
    {
        if (_quotaPaths.Count == 0) return null;
        for (var p = path; p.Length > 1; p = TreePath.Parent(p)!)
        {
            if (_quotaPaths.Contains(p)) return p;
        }
        return null;
    }

    private void RecountQuota(string quoted)
    {
        long count = 0, bytes = 0;
        var top = Find(quoted);
        if (top is not null)
        {
            var stack = new Stack<DataNode>();
            stack.Push(top);
            while (stack.Count > 0)
            {
                var n = stack.Pop();
                count++;
                bytes += n.DataLength;
                foreach (var child in n.Children) stack.Push(child);
            }
        }
        WriteQuotaStats(quoted, count, bytes);
    }

    private void AddToQuotaStats(string quoted, long countDiff, long bytesDiff)
    {
        var stats = Find(QuotaStatsPath(quoted));
        if (stats is null) return;
        var (count, bytes) = ParseQuotaStats(stats.Data);
        WriteQuotaStats(quoted, count + countDiff, bytes + bytesDiff);
    }

    private void WriteQuotaStats(string quoted, long count, long bytes)
    {
        var path = QuotaStatsPath(quoted);
        var node = Find(path);
        if (node is null) return;
        var data = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"count={count},bytes={bytes}"));
        var pathHash = TreeHash.Path(path);
        _digest += DataPart(pathHash, data) - DataPart(pathHash, node.Data);
        _dataSize += data.Length - node.DataLength;
        node.Data = data;
    }

    private static string QuotaStatsPath(string quoted) => QuotaPrefix + quoted + "/" + QuotaStatNode;

    /// <summary>ZooKeeper's StatsTrack reading of "count=N,bytes=M[...]": a missing or unreadable value is -1.</summary>
    private static (long Count, long Bytes) ParseQuotaStats(byte[]? data)
    {
        long count = -1, bytes = -1;
        if (data is null) return (count, bytes);
        foreach (var pair in Encoding.UTF8.GetString(data).Split(','))
        {
            var kv = pair.Split('=');
            if (kv.Length < 2 || !long.TryParse(kv[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)) continue;
            if (kv[0] == "count") count = v;
            else if (kv[0] == "bytes") bytes = v;
        }
        return (count, bytes);
    }
}
