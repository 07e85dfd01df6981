// Applying committed txns: the only way the tree changes. Same threading as DataTree (one owner), and
// tolerant of replay over a fuzzy snapshot (see the note on Apply).
using System.Diagnostics;
using Zk.Protocol;

namespace Zk.Core.DataTree;

public sealed partial class DataTree
{
    public ApplyResult Apply(Txn txn) => Apply(txn, null);

    // Replay tolerance: bodies carry resulting values (versions, the parent's creation count C, pzxid = zxid)
    // and are applied as absolute assignments, so replaying every txn after a fuzzy snapshot's start zxid, in
    // order, ends in exactly the original tree. A create over an existing node rebuilds it from scratch (its
    // later children are re-created by later txns); a delete or setData of a missing node is skipped (that
    // node existed at the snapshot's start and is deleted again later in the log); a delete of a node that still
    // has children drops the subtree (those children belong to a later incarnation that later txns re-create).
    // Each such case counts as a ReplayAnomaly; the fuzzy-snapshot property tests check the convergence.

    /// <summary>
    /// Applies one committed txn and appends the watch-relevant changes to <paramref name="changes"/> (null to
    /// discard them, e.g. during replay). The zxid must exceed LastProcessedZxid: a txn applied twice or out of
    /// order is a broken invariant, not an expected outcome.
    /// </summary>
    public ApplyResult Apply(Txn txn, List<TreeChange>? changes)
    {
        if (txn.Zxid <= _lastProcessedZxid)
            throw new InvalidOperationException(
                $"txn 0x{txn.Zxid:x} applied after 0x{_lastProcessedZxid:x}: zxids must only grow");
        var result = txn.Body switch
        {
            MultiTxn m => ApplyMulti(txn, m, changes),
            CreateSessionTxn s => ApplyCreateSession(txn.SessionId, s),
            CloseSessionTxn c => ApplyCloseSession(txn, c, changes),
            ErrorTxn e => new ApplyResult(e.Code, null, null, null),
            var body => ToApplyResult(ApplyOp(txn, body, changes)),
        };
        _lastProcessedZxid = txn.Zxid;
        return result;
    }

    private static ApplyResult ToApplyResult(OpResult r) => new(r.Err, r.Path, r.Stat, null);

    private OpResult ApplyOp(Txn txn, TxnBody body, List<TreeChange>? changes) => body switch
    {
        CreateTxn c => ApplyCreate(txn, c, changes),
        DeleteTxn d => ApplyDelete(txn.Zxid, d.Path, TxnType.Delete, changes),
        DeleteContainerTxn d => ApplyDelete(txn.Zxid, d.Path, TxnType.DeleteContainer, changes),
        SetDataTxn s => ApplySetData(txn, s, changes),
        SetAclTxn s => ApplySetAcl(s),
        CheckTxn c => new OpResult(TxnType.Check, KeeperErrorCode.Ok, c.Path, null),
        ErrorTxn e => new OpResult(TxnType.Error, e.Code, null, null),
        _ => throw new InvalidOperationException($"{body.Type} cannot be an op of a multi"),
    };

    private OpResult ApplyCreate(Txn txn, CreateTxn c, List<TreeChange>? changes)
    {
        var path = c.Path;
        var slash = path.LastIndexOf('/');
        var parentSpan = TreePath.ParentSpan(path);
        var parent = slash < 0 ? null : Find(parentSpan);
        var name = path.AsSpan(slash + 1);
        if (parent is null || name.Length == 0)
            return Anomaly(TxnType.Create, parent is null ? KeeperErrorCode.NoNode : KeeperErrorCode.NodeExists);

        var parentHash = TreeHash.Path(parentSpan);
        var parentBefore = StatPart(parentHash, parent);
        var existing = parent.GetChild(name);
        if (existing is not null)
        {
            ReplayAnomalies++;
            parent.RemoveChild(name);
            Detach(path, existing);
        }

        var node = DataNode.Create(name, c.Data, _acls.Acquire(c.Acl), NodeKinds.OwnerFor(c.Mode, c.Ttl, txn.SessionId));
        // Czxid first: a node's pzxid defaults to its czxid, and only a different pzxid costs the node its NodeExtras.
        node.Czxid = node.Mzxid = txn.Zxid;
        node.Ctime = node.Mtime = txn.TimeMs;
        parent.AddChild(node);
        parent.ChildCreations = c.ParentCreations;
        parent.Pzxid = txn.Zxid;
        _digest += StatPart(parentHash, parent) - parentBefore;
        _digest += NodeDigest(TreeHash.Path(path), node);
        _nodeCount++;
        _dataSize += path.Length + node.DataLength;
        Index(path, node.EphemeralOwner);

        if (changes is not null)
        {
            changes.Add(new TreeChange(EventType.NodeCreated, path, node.Acl));
            changes.Add(new TreeChange(EventType.NodeChildrenChanged, TreePath.Parent(path)!, parent.Acl));
        }
        // The reply's stat is taken before the quota bookkeeping, which may rewrite a new stats node's data.
        var stat = node.ToStat(_options.ExtendedTypesEnabled);
        QuotaOnCreate(path, node.DataLength);
        return new OpResult(c.Type, KeeperErrorCode.Ok, path, stat);
    }

    private OpResult ApplyDelete(long zxid, string path, TxnType type, List<TreeChange>? changes)
    {
        var slash = path.LastIndexOf('/');
        var parentSpan = TreePath.ParentSpan(path);
        var parent = slash < 0 ? null : Find(parentSpan);
        var name = path.AsSpan(slash + 1);
        if (parent is null || name.Length == 0) return Anomaly(type, KeeperErrorCode.NoNode);

        // As in ZooKeeper the parent's pzxid moves even when the child is already gone: the delete happened.
        var parentHash = TreeHash.Path(parentSpan);
        var parentBefore = StatPart(parentHash, parent);
        parent.Pzxid = zxid;
        var node = parent.RemoveChild(name);
        if (node is not null)
        {
            if (node.ChildCount > 0) ReplayAnomalies++;
            Detach(path, node);
        }
        _digest += StatPart(parentHash, parent) - parentBefore;
        if (node is null) return Anomaly(type, KeeperErrorCode.NoNode);

        if (changes is not null)
        {
            changes.Add(new TreeChange(EventType.NodeDeleted, path, node.Acl));
            changes.Add(new TreeChange(EventType.NodeChildrenChanged, TreePath.Parent(path)!, parent.Acl));
        }
        return new OpResult(type, KeeperErrorCode.Ok, path, null);
    }

    /// <summary>Takes a node (already unlinked from its parent) and everything below it out of the digest, counters and indexes.</summary>
    private void Detach(string path, DataNode node)
    {
        _digest -= NodeDigest(TreeHash.Path(path), node);
        _nodeCount--;
        _dataSize -= path.Length + node.DataLength;
        _acls.Release(node.Acl);
        Unindex(path, node.EphemeralOwner);
        QuotaOnDelete(path, node.DataLength);
        foreach (var child in node.Children) Detach(TreePath.Combine(path, child.Name), child);
        node.ClearChildren();
    }

    private OpResult ApplySetData(Txn txn, SetDataTxn s, List<TreeChange>? changes)
    {
        var node = Find(s.Path);
        if (node is null) return Anomaly(TxnType.SetData, KeeperErrorCode.NoNode);
        var pathHash = TreeHash.Path(s.Path);
        var before = StatPart(pathHash, node) + DataPart(pathHash, node.Data);
        var bytesDiff = (s.Data?.Length ?? 0) - node.DataLength;
        _dataSize += bytesDiff;
        node.Data = s.Data;
        node.Version = s.Version;
        node.Mzxid = txn.Zxid;
        node.Mtime = txn.TimeMs;
        _digest += StatPart(pathHash, node) + DataPart(pathHash, node.Data) - before;
        changes?.Add(new TreeChange(EventType.NodeDataChanged, s.Path, node.Acl));
        var stat = node.ToStat(_options.ExtendedTypesEnabled);
        QuotaOnSetData(s.Path, bytesDiff);
        return new OpResult(TxnType.SetData, KeeperErrorCode.Ok, s.Path, stat);
    }

    // setACL bumps aversion only: mzxid and mtime stay, and no watch fires.
    private OpResult ApplySetAcl(SetAclTxn s)
    {
        var node = Find(s.Path);
        if (node is null) return Anomaly(TxnType.SetAcl, KeeperErrorCode.NoNode);
        var pathHash = TreeHash.Path(s.Path);
        var before = StatPart(pathHash, node);
        var old = node.Acl;
        node.Acl = _acls.Acquire(s.Acl);
        _acls.Release(old);
        node.Aversion = s.Aversion;
        _digest += StatPart(pathHash, node) - before;
        return new OpResult(TxnType.SetAcl, KeeperErrorCode.Ok, s.Path, node.ToStat(_options.ExtendedTypesEnabled));
    }

    private OpResult Anomaly(TxnType type, KeeperErrorCode err)
    {
        ReplayAnomalies++;
        return new OpResult(type, err, null, null);
    }

    private ApplyResult ApplyMulti(Txn txn, MultiTxn m, List<TreeChange>? changes)
    {
        var results = new OpResult[m.Ops.Count];
        var err = KeeperErrorCode.Ok;
        if (m.Failed)
        {
            // Nothing is applied; every op reports its recorded code (0 before the failing op, -2 after it).
            for (var i = 0; i < results.Length; i++)
            {
                var code = m.Ops[i] is ErrorTxn e ? e.Code : KeeperErrorCode.RuntimeInconsistency;
                results[i] = new OpResult(TxnType.Error, code, null, null);
                if (err == KeeperErrorCode.Ok) err = code;
            }
            return new ApplyResult(err, null, null, results);
        }
        for (var i = 0; i < results.Length; i++)
        {
            Debug.Assert(m.Ops[i] is not (MultiTxn or CreateSessionTxn or CloseSessionTxn), "session and multi txns never nest");
            results[i] = ApplyOp(txn, m.Ops[i], changes);
            if (err == KeeperErrorCode.Ok) err = results[i].Err;
        }
        return new ApplyResult(err, null, null, results);
    }

    private ApplyResult ApplyCreateSession(long sessionId, CreateSessionTxn s)
    {
        var session = new SessionInfo(sessionId, s.TimeoutMs, s.Password);
        if (_sessions.Remove(sessionId, out var old)) _digest -= SessionDigest(old);
        _sessions.Add(sessionId, session);
        _digest += SessionDigest(session);
        return ApplyResult.Ok;
    }

    private ApplyResult ApplyCloseSession(Txn txn, CloseSessionTxn c, List<TreeChange>? changes)
    {
        foreach (var path in c.PathsToDelete) ApplyDelete(txn.Zxid, path, TxnType.Delete, changes);
        if (_sessions.Remove(txn.SessionId, out var old)) _digest -= SessionDigest(old);
        return ApplyResult.Ok;
    }
}
