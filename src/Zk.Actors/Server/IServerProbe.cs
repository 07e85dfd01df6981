// Test hook: the deterministic simulator observes consensus events of a server at the moment they happen, to
// check zab.md §13's invariants. Null (and never called) in production. Called on the calling actor's turn.
using Zk.Actors.Tree;
using Zk.Actors.Zab;
using Zk.Core.DataTree;
using Zk.Core.Storage;
using Zk.Core.Zab;

namespace Zk.Actors.Server;

internal interface IServerProbe
{
    /// <summary>The leader of <paramref name="epoch"/> proposed this txn (before it goes to any journal).</summary>
    void Proposed(int serverId, long epoch, Txn txn, ReadOnlyMemory<byte> payload);

    /// <summary>The leader of <paramref name="epoch"/> committed these proposals, in order.</summary>
    void Committed(int serverId, long epoch, IReadOnlyList<Proposal> proposals);

    /// <summary>A NEWLEADER quorum formed: the leader's initial history is its tree (at <paramref name="treeZxid"/>)
    /// plus <paramref name="history"/> up to <paramref name="lastZxid"/>.</summary>
    void LeaderEstablished(int serverId, long epoch, TxnHistory history, long treeZxid, long lastZxid);

    /// <summary>The data tree applied a committed txn; <paramref name="tree"/> is the state right after it.</summary>
    void Applied(int serverId, Txn txn, DataTree tree);

    /// <summary>A SNAP sync replaced the whole tree.</summary>
    void TreeReplaced(int serverId, DataTree tree);
}
