// The per-op checks of the preparer in ZooKeeper 3.8's order (reference §6): the first failing check decides
// the error code. Same threading as TxnPreparer.
using Zk.Protocol;
using Zk.Protocol.Records;

namespace Zk.Core.DataTree;

// Each method records its pending changes only after every check passed, so a failed op leaves no trace.
public sealed partial class TxnPreparer
{
    private bool SessionOk(in PrepareContext ctx) => IsSessionLive(ctx.SessionId);

    private KeeperErrorCode PrepareCreate(in PrepareContext ctx, OpCode op, CreateRequest r, out TxnBody? txn)
    {
        txn = null;
        if (!CreateModes.IsValid(r.Flags)) return KeeperErrorCode.BadArguments;
        var mode = (CreateMode)r.Flags;
        if (mode.IsTtl() && !_options.ExtendedTypesEnabled) return KeeperErrorCode.Unimplemented;
        if (mode.IsTtl() ? r.Ttl is <= 0 or > NodeKinds.MaxTtlMs || op != OpCode.CreateTtl : op == OpCode.CreateTtl)
            return KeeperErrorCode.BadArguments;
        // Ephemeral creates check the global session (ZOOKEEPER-1208: none for a closing session); others the
        // session; without local sessions both come to the same thing.
        if (!SessionOk(ctx)) return KeeperErrorCode.SessionExpired;
        var path = r.Path;
        if (path is null || path.LastIndexOf('/') < 0 || path.Contains('\0')) return KeeperErrorCode.BadArguments;
        var aclCode = Auth.AclPolicy.Fixup(r.Acl, ctx.Auth, out var acl);
        if (aclCode != KeeperErrorCode.Ok) return aclCode;
        var parentPath = TreePath.Parent(path)!;
        var parent = GetRecord(parentPath);
        if (parent is null) return KeeperErrorCode.NoNode;
        if (!_aclPolicy.Check(parent.Acl, Perms.Create, ctx.Auth)) return KeeperErrorCode.NoAuth;
        if (mode.IsSequential()) path += TreePath.SequenceSuffix(parent.ChildCreations);
        if (!TreePath.IsValid(path)) return KeeperErrorCode.BadArguments;
        if (GetRecord(path) is not null) return KeeperErrorCode.NodeExists;
        if (NodeKinds.Classify(parent.EphemeralOwner, _options.ExtendedTypesEnabled) == NodeKind.Ephemeral)
            return KeeperErrorCode.NoChildrenForEphemerals;
        if ((r.Data?.Length ?? 0) > _options.MaxDataBytes) return KeeperErrorCode.BadArguments;

        // The opcode decides containers and TTL nodes; a plain create with container flags makes a persistent
        // node, as ZooKeeper's CreateTxn (which only knows "ephemeral or not") does.
        var effective = op switch
        {
            OpCode.CreateContainer => CreateMode.Container,
            OpCode.CreateTtl => mode,
            _ => mode == CreateMode.Container ? CreateMode.Persistent : mode,
        };
        var ttl = op == OpCode.CreateTtl ? r.Ttl : 0;
        var creations = unchecked(parent.ChildCreations + 1);
        txn = new CreateTxn(path, r.Data, acl, effective, ttl, creations);
        _pending.Add(parent with { Zxid = ctx.Zxid, ChildCreations = creations, ChildCount = parent.ChildCount + 1 });
        _pending.Add(new ChangeRecord(ctx.Zxid, path, true, 0, 0, 0, 0,
            NodeKinds.OwnerFor(effective, ttl, ctx.SessionId), acl));
        return KeeperErrorCode.Ok;
    }

    private KeeperErrorCode PrepareDelete(in PrepareContext ctx, DeleteRequest r, out TxnBody? txn)
    {
        txn = null;
        if (!SessionOk(ctx)) return KeeperErrorCode.SessionExpired;
        var path = r.Path;
        if (!IsDeletablePath(path)) return KeeperErrorCode.BadArguments;
        var parent = GetRecord(TreePath.Parent(path)!);
        if (parent is null) return KeeperErrorCode.NoNode;
        if (!_aclPolicy.Check(parent.Acl, Perms.Delete, ctx.Auth)) return KeeperErrorCode.NoAuth;
        var node = GetRecord(path);
        if (node is null) return KeeperErrorCode.NoNode;
        if (r.Version != -1 && r.Version != node.Version) return KeeperErrorCode.BadVersion;
        if (node.ChildCount > 0) return KeeperErrorCode.NotEmpty;
        txn = new DeleteTxn(path);
        RecordDelete(ctx.Zxid, parent, path);
        return KeeperErrorCode.Ok;
    }

    // delete validates only this much: a '/', no NUL, and not one of the four reserved nodes.
    private static bool IsDeletablePath(string? path) =>
        path is not null && path.LastIndexOf('/') >= 0 && !path.Contains('\0') && !TreePath.IsSpecial(path);

    private void RecordDelete(long zxid, ChangeRecord parent, string path)
    {
        _pending.Add(parent with { Zxid = zxid, ChildCount = parent.ChildCount - 1 });
        _pending.Add(ChangeRecord.Deleted(zxid, path));
    }

    private KeeperErrorCode PrepareSetData(in PrepareContext ctx, SetDataRequest r, out TxnBody? txn)
    {
        txn = null;
        if (!SessionOk(ctx)) return KeeperErrorCode.SessionExpired;
        if (r.Path is null || !TreePath.IsValid(r.Path)) return KeeperErrorCode.BadArguments;
        var node = GetRecord(r.Path);
        if (node is null) return KeeperErrorCode.NoNode;
        if (!_aclPolicy.Check(node.Acl, Perms.Write, ctx.Auth)) return KeeperErrorCode.NoAuth;
        if ((r.Data?.Length ?? 0) > _options.MaxDataBytes) return KeeperErrorCode.BadArguments;
        if (r.Version != -1 && r.Version != node.Version) return KeeperErrorCode.BadVersion;
        // 3.8 lets the version wrap through -1 (master skips it).
        var version = unchecked(node.Version + 1);
        txn = new SetDataTxn(r.Path, r.Data, version);
        _pending.Add(node with { Zxid = ctx.Zxid, Version = version });
        return KeeperErrorCode.Ok;
    }

    private KeeperErrorCode PrepareSetAcl(in PrepareContext ctx, SetAclRequest r, out TxnBody? txn)
    {
        txn = null;
        if (!SessionOk(ctx)) return KeeperErrorCode.SessionExpired;
        if (r.Path is null || !TreePath.IsValid(r.Path)) return KeeperErrorCode.BadArguments;
        var aclCode = Auth.AclPolicy.Fixup(r.Acl, ctx.Auth, out var acl);
        if (aclCode != KeeperErrorCode.Ok) return aclCode;
        var node = GetRecord(r.Path);
        if (node is null) return KeeperErrorCode.NoNode;
        if (!_aclPolicy.Check(node.Acl, Perms.Admin, ctx.Auth)) return KeeperErrorCode.NoAuth;
        if (r.Version != -1 && r.Version != node.Aversion) return KeeperErrorCode.BadVersion;
        var aversion = unchecked(node.Aversion + 1);
        txn = new SetAclTxn(r.Path, acl, aversion);
        _pending.Add(node with { Zxid = ctx.Zxid, Aversion = aversion, Acl = acl });
        return KeeperErrorCode.Ok;
    }

    private KeeperErrorCode PrepareCheck(in PrepareContext ctx, CheckVersionRequest r, out TxnBody? txn)
    {
        txn = null;
        if (!SessionOk(ctx)) return KeeperErrorCode.SessionExpired;
        if (r.Path is null || !TreePath.IsValid(r.Path)) return KeeperErrorCode.BadArguments;
        var node = GetRecord(r.Path);
        if (node is null) return KeeperErrorCode.NoNode;
        if (!_aclPolicy.Check(node.Acl, Perms.Read, ctx.Auth)) return KeeperErrorCode.NoAuth;
        if (r.Version != -1 && r.Version != node.Version) return KeeperErrorCode.BadVersion;
        txn = new CheckTxn(r.Path, node.Version);
        return KeeperErrorCode.Ok;
    }

    /// <summary>
    /// The reaper's delete: no session or ACL check, but the node must still be empty and still be a container
    /// or TTL node. ZooKeeper only refuses plain ephemerals here; refusing persistent nodes too closes the race
    /// where a container is deleted and re-created as a persistent node between the reaper's scan and this txn.
    /// </summary>
    private KeeperErrorCode PrepareDeleteContainer(in PrepareContext ctx, DeleteContainerRequest r, out TxnBody? txn)
    {
        txn = null;
        var path = r.Path;
        if (!IsDeletablePath(path)) return KeeperErrorCode.BadArguments;
        var node = GetRecord(path);
        if (node is null) return KeeperErrorCode.NoNode;
        if (node.ChildCount > 0) return KeeperErrorCode.NotEmpty;
        if (NodeKinds.Classify(node.EphemeralOwner, _options.ExtendedTypesEnabled) is not (NodeKind.Container or NodeKind.Ttl))
            return KeeperErrorCode.BadVersion;
        var parent = GetRecord(TreePath.Parent(path)!);
        if (parent is null) return KeeperErrorCode.NoNode;
        txn = new DeleteContainerTxn(path);
        RecordDelete(ctx.Zxid, parent, path);
        return KeeperErrorCode.Ok;
    }
}
