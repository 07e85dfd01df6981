// The leader's validation stage (ZooKeeper's PrepRequestProcessor): one write request in, one txn out.
// Pure and single-threaded; it reads the tree without mutating it, so it must run on the tree's owner.
using Zk.Core.DataTree.Auth;
using Zk.Protocol;
using Zk.Protocol.Records;

namespace Zk.Core.DataTree;

/// <summary>Who asks and what the leader stamped: the zxid and time the resulting txn will carry.</summary>
public readonly record struct PrepareContext(long SessionId, int Cxid, long Zxid, long TimeMs, AuthContext Auth);

/// <summary>The body of a createSession the leader prepares after negotiating the timeout and drawing a password.</summary>
public sealed record CreateSessionRequest(int TimeoutMs, byte[] Password) : Request;

/// <summary>The body of the reaper's deleteContainer (op 20).</summary>
public sealed record DeleteContainerRequest(string Path) : Request;

// Requests are checked against the applied tree plus every txn prepared but not yet applied; Applied(zxid)
// must follow the tree's Apply of that zxid. Every request yields a txn: a failure is an ErrorTxn and still
// consumes its zxid. The op-by-op checks live in TxnPreparer.Ops.cs.
public sealed partial class TxnPreparer
{
    private readonly DataTree _tree;
    private readonly DataTreeOptions _options;
    private readonly AclPolicy _aclPolicy;
    private readonly PendingChanges _pending = new();
    private readonly Dictionary<long, long> _pendingSessions = [];
    private readonly Dictionary<long, long> _closingSessions = [];
    private long _lastZxid;

    public TxnPreparer(DataTree tree)
    {
        _tree = tree;
        _options = tree.Options;
        _aclPolicy = tree.AclPolicy;
        _lastZxid = tree.LastProcessedZxid;
    }

    /// <summary>Change records of prepared, unapplied txns.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>
    /// A session is live when the tree or a pending createSession knows it and no closeSession for it has been
    /// prepared. Requests of any other session fail with SessionExpired (there are no local sessions).
    /// </summary>
    public bool IsSessionLive(long sessionId) =>
        !_closingSessions.ContainsKey(sessionId)
        && (_tree.HasSession(sessionId) || _pendingSessions.ContainsKey(sessionId));

    public bool IsSessionClosing(long sessionId) => _closingSessions.ContainsKey(sessionId);

    public Txn Prepare(in PrepareContext ctx, OpCode op, Request body)
    {
        if (ctx.Zxid <= _lastZxid)
            throw new InvalidOperationException($"prepare of 0x{ctx.Zxid:x} after 0x{_lastZxid:x}: zxids must only grow");
        _lastZxid = ctx.Zxid;
        var result = (op, body) switch
        {
            (OpCode.Multi, MultiRequest m) => PrepareMulti(ctx, m),
            // A multi whose ops could not be decoded (Zk.Protocol's BadMultiRequest): ZooKeeper logs an error txn.
            (OpCode.Multi, _) => new ErrorTxn(KeeperErrorCode.MarshallingError),
            (OpCode.CreateSession, CreateSessionRequest s) => PrepareCreateSession(ctx, s),
            (OpCode.CloseSession, _) => PrepareCloseSession(ctx),
            // Reconfig is not supported: ZooKeeper with reconfigEnabled=false fails it at prepare, consuming a zxid.
            (OpCode.Reconfig, _) => new ErrorTxn(KeeperErrorCode.ReconfigDisabled),
            _ => PrepareSingle(ctx, op, body),
        };
        return new Txn(ctx.SessionId, ctx.Cxid, ctx.Zxid, ctx.TimeMs, result);
    }

    /// <summary>The tree has applied every txn up to zxid: drop what the preparer tracked for them.</summary>
    public void Applied(long zxid)
    {
        _pending.Applied(zxid);
        RemoveUpTo(_pendingSessions, zxid);
        RemoveUpTo(_closingSessions, zxid);
    }

    /// <summary>Leadership lost: every prepared-but-unapplied txn is forgotten.</summary>
    public void Clear()
    {
        _pending.Clear();
        _pendingSessions.Clear();
        _closingSessions.Clear();
        _lastZxid = Math.Max(_lastZxid, _tree.LastProcessedZxid);
    }

    private static void RemoveUpTo(Dictionary<long, long> map, long zxid)
    {
        if (map.Count == 0) return;
        List<long>? done = null;
        foreach (var (sid, z) in map)
            if (z <= zxid) (done ??= []).Add(sid);
        if (done is null) return;
        foreach (var sid in done) map.Remove(sid);
    }

    private TxnBody PrepareSingle(in PrepareContext ctx, OpCode op, Request body)
    {
        var code = PrepareOp(ctx, op, body, out var txn);
        return code == KeeperErrorCode.Ok ? txn! : new ErrorTxn(code);
    }

    /// <summary>
    /// Ops are validated in order against the accumulating pending state (so /a then /a/b works and sequence
    /// numbers advance). On the first failure everything the earlier ops recorded is rolled back and the txn
    /// becomes all ErrorTxns: 0 before the failing op, its code, RuntimeInconsistency after.
    /// </summary>
    private TxnBody PrepareMulti(in PrepareContext ctx, MultiRequest m)
    {
        var ops = new TxnBody[m.Ops.Count];
        _pending.BeginSavepoint();
        for (var i = 0; i < ops.Length; i++)
        {
            var (op, body) = (m.Ops[i].Op, m.Ops[i].Body);
            TxnBody? txn = null;
            var code = IsMultiOp(op) ? PrepareOp(ctx, op, body, out txn) : KeeperErrorCode.MarshallingError;
            if (code == KeeperErrorCode.Ok)
            {
                ops[i] = txn!;
                continue;
            }
            _pending.RollbackSavepoint();
            for (var j = 0; j < i; j++) ops[j] = new ErrorTxn(KeeperErrorCode.Ok);
            ops[i] = new ErrorTxn(code);
            for (var j = i + 1; j < ops.Length; j++) ops[j] = new ErrorTxn(KeeperErrorCode.RuntimeInconsistency);
            return new MultiTxn(ops);
        }
        _pending.CommitSavepoint();
        return new MultiTxn(ops);
    }

    private static bool IsMultiOp(OpCode op) =>
        op.IsCreate() || op is OpCode.Delete or OpCode.SetData or OpCode.Check;

    private KeeperErrorCode PrepareOp(in PrepareContext ctx, OpCode op, Request body, out TxnBody? txn)
    {
        txn = null;
        return (op, body) switch
        {
            (OpCode.Create or OpCode.Create2 or OpCode.CreateContainer or OpCode.CreateTtl, CreateRequest r) =>
                PrepareCreate(ctx, op, r, out txn),
            (OpCode.Delete, DeleteRequest r) => PrepareDelete(ctx, r, out txn),
            (OpCode.SetData, SetDataRequest r) => PrepareSetData(ctx, r, out txn),
            (OpCode.SetAcl, SetAclRequest r) => PrepareSetAcl(ctx, r, out txn),
            (OpCode.Check, CheckVersionRequest r) => PrepareCheck(ctx, r, out txn),
            (OpCode.DeleteContainer, DeleteContainerRequest r) => PrepareDeleteContainer(ctx, r, out txn),
            _ => throw new ArgumentException($"{op} with {body.GetType().Name} is not a write the preparer handles"),
        };
    }

    private CreateSessionTxn PrepareCreateSession(in PrepareContext ctx, CreateSessionRequest s)
    {
        _pendingSessions[ctx.SessionId] = ctx.Zxid;
        return new CreateSessionTxn(s.TimeoutMs, s.Password);
    }

    /// <summary>
    /// Lists the session's ephemerals as the pending state has them (applied ones, minus pending deletes, plus
    /// pending creates), records their deletion, and marks the session closing so that nothing new is
    /// prepared for it (ZOOKEEPER-1208). Never fails: the expiry path closes sessions it does not own.
    /// </summary>
    private CloseSessionTxn PrepareCloseSession(in PrepareContext ctx)
    {
        var sid = ctx.SessionId;
        var paths = new HashSet<string>(_tree.GetEphemerals(sid), StringComparer.Ordinal);
        foreach (var record in _pending.InOrder())
        {
            if (!record.Exists) paths.Remove(record.Path);
            else if (record.EphemeralOwner == sid) paths.Add(record.Path);
        }
        var sorted = paths.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        foreach (var path in sorted)
        {
            // Unlike ZooKeeper we also count the deletion in the parent's pending child count, so a delete of the
            // parent prepared before the close applies is judged on the state it will really meet.
            var parent = GetRecord(TreePath.Parent(path)!);
            if (parent is not null) _pending.Add(parent with { Zxid = ctx.Zxid, ChildCount = parent.ChildCount - 1 });
            _pending.Add(ChangeRecord.Deleted(ctx.Zxid, path));
        }
        _closingSessions[sid] = ctx.Zxid;
        return new CloseSessionTxn(sorted);
    }

    /// <summary>The node as pending txns leave it, or null when it does not exist (or is pending deletion).</summary>
    private ChangeRecord? GetRecord(string path)
    {
        if (_pending.TryGet(path, out var record)) return record.Exists ? record : null;
        var n = _tree.Find(path);
        if (n is null) return null;
        return new ChangeRecord(-1, path, true, n.Version, n.Aversion, n.ChildCreations, n.ChildCount, n.EphemeralOwner, n.Acl);
    }
}
