// Read-only queries of the admin dashboard: one node with its data, stat, ACL and children, and a search by path
// prefix. Answered by the DataTreeActor on its own turn (so consistent at its last applied zxid); the replies are
// immutable copies, safe to hand to any thread. ACLs are not checked: the admin port is an operator's interface.
using Zk.Actors.Kernel;
using Zk.Protocol;

namespace Zk.Actors.DataTree;

/// <summary>A dashboard query; the DataTreeActor answers each on its turn.</summary>
public abstract record TreeQuery(ActorRef ReplyTo);

/// <summary>Answered with a <see cref="NodeView"/>; at most <paramref name="MaxChildren"/> child names (sorted).</summary>
public sealed record BrowseNode(string Path, int MaxChildren, ActorRef ReplyTo) : TreeQuery(ReplyTo);

/// <summary>Answered with <see cref="NodeSearchResult"/>: every path that starts with <paramref name="Prefix"/>, each
/// parent before its subtree and siblings in ordinal order, at most <paramref name="Limit"/>.</summary>
public sealed record SearchNodes(string Prefix, int Limit, ActorRef ReplyTo) : TreeQuery(ReplyTo);

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

public sealed partial class DataTreeActor
{
    private void Answer(TreeQuery query)
    {
        object reply = query switch
        {
            BrowseNode b => _tree.Browse(b.Path, b.MaxChildren),
            SearchNodes s => _tree.Search(s.Prefix, s.Limit),
            _ => throw new ArgumentException($"unknown tree query {query.GetType().Name}"),
        };
        query.ReplyTo.Tell(reply, Self);
    }
}
