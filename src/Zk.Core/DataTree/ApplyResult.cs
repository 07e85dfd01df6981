// What applying one txn produced: the outcome to answer the client with, and the tree changes that drive
// watch notifications. Immutable values; safe to pass to other actors.
using Zk.Protocol;

namespace Zk.Core.DataTree;

/// <summary>
/// One change to the tree, as watches see it. Acl is the ACL whose READ permission gates delivery: the node's
/// own for NodeCreated, NodeDeleted and NodeDataChanged; the parent's for NodeChildrenChanged.
/// </summary>
public readonly record struct TreeChange(EventType Type, string Path, IReadOnlyList<Acl> Acl);

/// <summary>
/// The result of one op. Path is the created path for creates (sequence suffix included); Stat is the node's
/// stat right after this op (create, setData, setACL), null otherwise.
/// </summary>
public readonly record struct OpResult(TxnType Type, KeeperErrorCode Err, string? Path, Stat? Stat);

/// <summary>
/// Err is the txn's outcome: its ErrorTxn code, or for a failed multi the first non-zero op code (the reply
/// header of a multi still carries 0). Multi holds one result per op for multi txns and is null otherwise.
/// </summary>
public readonly record struct ApplyResult(KeeperErrorCode Err, string? Path, Stat? Stat, IReadOnlyList<OpResult>? Multi)
{
    public static readonly ApplyResult Ok = new(KeeperErrorCode.Ok, null, null, null);
}
