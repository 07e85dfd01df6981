// Reads against the applied tree, ACL-checked in ZooKeeper's order (reference §6). Same threading as
// DataTree; reads register no watches, which keeps the tree free of connection state.
using Zk.Core.DataTree.Auth;
using Zk.Protocol;
using Zk.Protocol.Records;

namespace Zk.Core.DataTree;

/// <summary>Body is null whenever Err is not Ok (error replies carry only the header).</summary>
public readonly record struct ReadResult(KeeperErrorCode Err, Response? Body)
{
    public static ReadResult Error(KeeperErrorCode err) => new(err, null);
}

public sealed partial class DataTree
{
    // The caller registers watches from the outcome: exists on Ok and on NoNode, getData/getChildren on Ok only.

    /// <summary>
    /// Serves one read: exists, getData, getChildren, getChildren2, getACL, getAllChildrenNumber, getEphemerals
    /// (the caller's own session) or multiRead. Any other op is a caller bug.
    /// </summary>
    public ReadResult Read(OpCode op, Request body, AuthContext auth, long sessionId) => (op, body) switch
    {
        (OpCode.Exists, ExistsRequest r) => Exists(r.Path, auth),
        (OpCode.GetData, GetDataRequest r) => GetData(r.Path, auth),
        (OpCode.GetChildren, GetChildrenRequest r) => GetChildren(r.Path, auth, withStat: false),
        (OpCode.GetChildren2, GetChildrenRequest r) => GetChildren(r.Path, auth, withStat: true),
        (OpCode.GetAcl, GetAclRequest r) => GetAcl(r.Path, auth),
        (OpCode.GetAllChildrenNumber, GetAllChildrenNumberRequest r) => GetAllChildrenNumber(r.Path, auth),
        (OpCode.GetEphemerals, GetEphemeralsRequest r) => new ReadResult(KeeperErrorCode.Ok, GetEphemerals(sessionId, r.PrefixPath)),
        (OpCode.MultiRead, MultiRequest r) => MultiRead(r, auth),
        _ => throw new ArgumentException($"{op} with {body.GetType().Name} is not a read the tree serves"),
    };

    private Stat StatOf(DataNode n) => n.ToStat(_options.ExtendedTypesEnabled);

    // exists: a NUL is rejected first; a present node needs READ; a missing one is NoNode (and still gets the watch).
    private ReadResult Exists(string path, AuthContext auth)
    {
        if (path.Contains('\0')) return ReadResult.Error(KeeperErrorCode.BadArguments);
        var n = Find(path);
        if (n is null) return ReadResult.Error(KeeperErrorCode.NoNode);
        if (!_aclPolicy.Check(n.Acl, Perms.Read, auth)) return ReadResult.Error(KeeperErrorCode.NoAuth);
        return new ReadResult(KeeperErrorCode.Ok, new StatResponse(StatOf(n)));
    }

    private ReadResult GetData(string path, AuthContext auth)
    {
        var n = Find(path);
        if (n is null) return ReadResult.Error(KeeperErrorCode.NoNode);
        if (!_aclPolicy.Check(n.Acl, Perms.Read, auth)) return ReadResult.Error(KeeperErrorCode.NoAuth);
        return new ReadResult(KeeperErrorCode.Ok, new GetDataResponse(n.Data, StatOf(n)));
    }

    private ReadResult GetChildren(string path, AuthContext auth, bool withStat)
    {
        var n = Find(path);
        if (n is null) return ReadResult.Error(KeeperErrorCode.NoNode);
        if (!_aclPolicy.Check(n.Acl, Perms.Read, auth)) return ReadResult.Error(KeeperErrorCode.NoAuth);
        var names = n.ChildNames();
        return new ReadResult(KeeperErrorCode.Ok,
            withStat ? new GetChildren2Response(names, StatOf(n)) : new GetChildrenResponse(names));
    }

    private ReadResult GetAcl(string path, AuthContext auth)
    {
        var n = Find(path);
        if (n is null) return ReadResult.Error(KeeperErrorCode.NoNode);
        if (!_aclPolicy.Check(n.Acl, Perms.Read | Perms.Admin, auth)) return ReadResult.Error(KeeperErrorCode.NoAuth);
        IReadOnlyList<Acl> acl = _aclPolicy.Check(n.Acl, Perms.Admin, auth) ? n.Acl : AclPolicy.MaskDigests(n.Acl);
        return new ReadResult(KeeperErrorCode.Ok, new GetAclResponse(acl, StatOf(n)));
    }

    private ReadResult GetAllChildrenNumber(string path, AuthContext auth)
    {
        var n = Find(path);
        if (n is null) return ReadResult.Error(KeeperErrorCode.NoNode);
        if (!_aclPolicy.Check(n.Acl, Perms.Read, auth)) return ReadResult.Error(KeeperErrorCode.NoAuth);
        // ZooKeeper counts the keys of its node map that start with path + "/"; for "" (which finds the root) that
        // includes the "/" alias of the root, so the answer is one more than for "/".
        var count = CountDescendants(n) + (path.Length == 0 ? 1 : 0);
        return new ReadResult(KeeperErrorCode.Ok, new GetAllChildrenNumberResponse(count));
    }

    private static int CountDescendants(DataNode n)
    {
        var total = 0;
        foreach (var child in n.Children) total += 1 + CountDescendants(child);
        return total;
    }

    /// <summary>A plain string prefix ("/a" matches "/ab"); a null, blank or "/" prefix returns them all.</summary>
    private GetEphemeralsResponse GetEphemerals(long sessionId, string? prefix)
    {
        var all = GetEphemerals(sessionId);
        var trimmed = prefix?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed == "/") return new GetEphemeralsResponse(all);
        return new GetEphemeralsResponse(all.Where(p => p.StartsWith(prefix!, StringComparison.Ordinal)).ToList());
    }

    // multiRead never fails as a whole: each op answers alone; watch flags are ignored.
    private ReadResult MultiRead(MultiRequest r, AuthContext auth)
    {
        var results = new MultiResult[r.Ops.Count];
        for (var i = 0; i < results.Length; i++)
        {
            var (op, body) = (r.Ops[i].Op, r.Ops[i].Body);
            var one = (op, body) switch
            {
                (OpCode.GetData, GetDataRequest g) => GetData(g.Path, auth),
                (OpCode.GetChildren, GetChildrenRequest g) => GetChildren(g.Path, auth, withStat: false),
                _ => ReadResult.Error(KeeperErrorCode.MarshallingError),
            };
            results[i] = one.Err == KeeperErrorCode.Ok
                ? new MultiResult(op, KeeperErrorCode.Ok, one.Body)
                : new MultiResult(OpCode.Error, one.Err, new ErrorResponse(one.Err));
        }
        return new ReadResult(KeeperErrorCode.Ok, new MultiResponse(results));
    }
}
