// Read-only views of the tree for the admin dashboard: one node with its data, stat, ACL and children, and a search
// by path prefix. Pure: the caller (the DataTreeActor, on its turn) gets immutable copies, safe to hand to any thread.
using Zk.Protocol;

namespace Zk.Core.DataTree;

public sealed record NodeView(
    string Path,
    bool Exists,
    byte[]? Data,
    Stat Stat,
    NodeKind Kind,
    IReadOnlyList<Acl> Acl,
    IReadOnlyList<string> Children,
    bool ChildrenTruncated,
    long Zxid);

public sealed record NodeSearchResult(string Prefix, IReadOnlyList<string> Paths, bool Truncated, long Zxid);

public sealed partial class DataTree
{
    public NodeView Browse(string path, int maxChildren)
    {
        var n = Find(path == "/" ? "" : path);
        if (n is null) return new NodeView(path, false, null, default, NodeKind.Persistent, [], [], false, _lastProcessedZxid);
        var names = n.ChildNames();
        Array.Sort(names, StringComparer.Ordinal);
        var truncated = names.Length > maxChildren;
        var shown = truncated ? names[..Math.Max(0, maxChildren)] : names;
        return new NodeView(path, true, n.Data?.ToArray(), StatOf(n), NodeKinds.Classify(n.EphemeralOwner, _options.ExtendedTypesEnabled),
            [.. n.Acl], shown, truncated, _lastProcessedZxid);
    }

    /// <summary>"/app/co" finds /app/config and everything under it, and /app/cobalt; "" or "/" the whole tree.</summary>
    public NodeSearchResult Search(string prefix, int limit)
    {
        var found = new List<string>();
        var cut = prefix.LastIndexOf('/');
        var parent = cut <= 0 ? _root : Find(prefix.AsSpan(0, cut));
        var namePrefix = cut < 0 ? prefix : prefix[(cut + 1)..];
        var truncated = false;
        if (parent is not null && limit > 0)
        {
            if (cut <= 0 && namePrefix.Length == 0) found.Add("/");
            var parentPath = cut <= 0 ? "" : prefix[..cut];
            foreach (var child in SortedChildren(parent))
            {
                if (!child.Name.StartsWith(namePrefix, StringComparison.Ordinal)) continue;
                if (!Collect(parentPath + "/" + child.Name, child, found, limit))
                {
                    truncated = true;
                    break;
                }
            }
        }
        if (found.Count > limit)
        {
            found.RemoveRange(limit, found.Count - limit);
            truncated = true;
        }
        return new NodeSearchResult(prefix, found, truncated, _lastProcessedZxid);
    }

    /// <summary>Depth-first in ordinal order, which lists a parent right before its subtree; false once full.</summary>
    private static bool Collect(string path, DataNode node, List<string> found, int limit)
    {
        if (found.Count >= limit) return false;
        found.Add(path);
        foreach (var child in SortedChildren(node))
        {
            if (!Collect(path + "/" + child.Name, child, found, limit)) return false;
        }
        return true;
    }

    private static List<DataNode> SortedChildren(DataNode node)
    {
        var list = new List<DataNode>(node.ChildCount);
        foreach (var c in node.Children) list.Add(c);
        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return list;
    }
}
