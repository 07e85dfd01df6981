// The admin dashboard's queries of the tree, answered by the DataTreeActor on its own turn (so consistent at its last
// applied zxid). ACLs are not checked: the admin port is an operator's interface.
using Zk.Actors.Kernel;
using Zk.Core.DataTree;

namespace Zk.Actors.Tree;

/// <summary>A dashboard query; the DataTreeActor answers each on its turn.</summary>
public abstract record TreeQuery(ActorRef ReplyTo);

/// <summary>Answered with a <see cref="NodeView"/>; at most <paramref name="MaxChildren"/> child names (sorted).</summary>
public sealed record BrowseNode(string Path, int MaxChildren, ActorRef ReplyTo) : TreeQuery(ReplyTo);

/// <summary>Answered with <see cref="NodeSearchResult"/>: every path that starts with <paramref name="Prefix"/>, each
/// parent before its subtree and siblings in ordinal order, at most <paramref name="Limit"/>.</summary>
public sealed record SearchNodes(string Prefix, int Limit, ActorRef ReplyTo) : TreeQuery(ReplyTo);

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
