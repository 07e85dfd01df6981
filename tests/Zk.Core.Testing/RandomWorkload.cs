// A seeded random write workload driven through the real preparer, like a leader would: requests are
// prepared in small batches (so later ones are validated against pending ones) and then applied in order.
// Paths come from a tiny alphabet so creates, deletes and re-creates of the same path collide often.
using Zk.Protocol;
using Zk.Protocol.Records;
using Tree = Zk.Core.DataTree.DataTree;
using Zk.Core.DataTree;
using Zk.Core.DataTree.Auth;

namespace Zk.Core.Testing;

public sealed class RandomWorkload
{
    public static readonly DataTreeOptions Options = new() { ExtendedTypesEnabled = true };

    private static readonly string[] Names = ["a", "b", "c", "d"];
    private static readonly AuthContext Alice = TreeHarness.Digest("alice", "pw");
    private static readonly IReadOnlyList<Acl> AliceAcl = [new(Perms.All, Alice.Ids[0]), new(Perms.Read, Id.Anyone)];

    private readonly Random _rng;
    private readonly TxnPreparer _preparer;
    private readonly List<long> _sessions = [];
    private long _nextSession = 0x0100_0000_0000_0100;
    private long _zxid;
    private long _time = 1_700_000_000_000;

    public RandomWorkload(int seed, Tree tree)
    {
        _rng = new Random(seed);
        Tree = tree;
        _preparer = new TxnPreparer(tree);
        _zxid = tree.LastProcessedZxid;
    }

    public Tree Tree { get; }

    public List<Txn> Log { get; } = [];

    /// <summary>Digest of the tree right after each logged txn, index-aligned with Log.</summary>
    public List<ulong> Digests { get; } = [];

    /// <summary>Prepares 1–5 requests against the pending state, then applies them in order.</summary>
    public void Step()
    {
        var batch = new List<Txn>();
        var n = _rng.Next(1, 6);
        for (var i = 0; i < n; i++)
        {
            var (op, body, session, auth) = NextRequest();
            _zxid++;
            _time += _rng.Next(0, 50);
            batch.Add(_preparer.Prepare(new PrepareContext(session, (int)_zxid, _zxid, _time, auth), op, body));
        }
        foreach (var txn in batch)
        {
            Tree.Apply(txn);
            _preparer.Applied(txn.Zxid);
            if (txn.Body is CloseSessionTxn) _sessions.Remove(txn.SessionId);
            Log.Add(txn);
            Digests.Add(Tree.Digest);
        }
    }

    public void Run(int txns)
    {
        var target = Log.Count + txns;
        while (Log.Count < target) Step();
    }

    private string RandomPath(int maxDepth = 3)
    {
        var depth = _rng.Next(1, maxDepth + 1);
        var path = "";
        for (var i = 0; i < depth; i++) path += "/" + Names[_rng.Next(Names.Length)];
        return path;
    }

    private long RandomSession() =>
        _sessions.Count == 0 || _rng.Next(20) == 0 ? 0x0700_0000_0000_0007 : _sessions[_rng.Next(_sessions.Count)];

    private byte[]? RandomData() => _rng.Next(6) switch
    {
        0 => null,
        1 => [],
        _ => Enumerable.Range(0, _rng.Next(1, 24)).Select(_ => (byte)_rng.Next(256)).ToArray(),
    };

    private (OpCode, Request, long, AuthContext) NextRequest()
    {
        var auth = _rng.Next(4) == 0 ? Alice : AuthContext.Anonymous;
        if (_sessions.Count < 2 || _rng.Next(40) == 0)
        {
            var sid = _nextSession++;
            _sessions.Add(sid);
            return (OpCode.CreateSession, new CreateSessionRequest(_rng.Next(4000, 40000), TreeHarness.Password(sid)), sid, auth);
        }
        if (_rng.Next(60) == 0) return (OpCode.CloseSession, EmptyRequest.Instance, _sessions[_rng.Next(_sessions.Count)], auth);
        if (_rng.Next(25) == 0) return (OpCode.DeleteContainer, new DeleteContainerRequest(ReapTarget()), 0, auth);
        var roll = _rng.Next(100);
        if (roll < 12) return (OpCode.Multi, RandomMulti(), RandomSession(), auth);
        var (op, body) = RandomWrite();
        return (op, body, RandomSession(), auth);
    }

    private string ReapTarget()
    {
        var candidates = new List<string>();
        Tree.GetReapCandidates(_time + _rng.Next(0, 5000), _rng.Next(2) * 1000, candidates);
        return candidates.Count > 0 && _rng.Next(3) > 0 ? candidates[_rng.Next(candidates.Count)] : RandomPath();
    }

    private MultiRequest RandomMulti()
    {
        var ops = new List<MultiOp>();
        var n = _rng.Next(1, 5);
        for (var i = 0; i < n; i++)
        {
            if (_rng.Next(5) == 0)
            {
                ops.Add(new MultiOp(OpCode.Check, new CheckVersionRequest(RandomPath(), _rng.Next(-1, 3))));
                continue;
            }
            var (op, body) = RandomWrite();
            if (op == OpCode.SetAcl) (op, body) = (OpCode.Delete, new DeleteRequest(RandomPath(), -1));
            ops.Add(new MultiOp(op, body));
        }
        return new MultiRequest(ops);
    }

    private (OpCode, Request) RandomWrite()
    {
        var roll = _rng.Next(100);
        if (roll < 40) return RandomCreate();
        if (roll < 62) return (OpCode.Delete, new DeleteRequest(RandomPath(), _rng.Next(3) == 0 ? _rng.Next(0, 3) : -1));
        if (roll < 90) return (OpCode.SetData, new SetDataRequest(RandomPath(), RandomData(), _rng.Next(3) == 0 ? _rng.Next(0, 4) : -1));
        var acl = _rng.Next(3) switch
        {
            0 => Acl.OpenAclUnsafe,
            1 => AliceAcl,
            _ => (IReadOnlyList<Acl>)[new Acl(Perms.All & ~Perms.Delete, Id.Anyone)],
        };
        return (OpCode.SetAcl, new SetAclRequest(RandomPath(), acl, -1));
    }

    private (OpCode, Request) RandomCreate()
    {
        var path = RandomPath();
        var data = RandomData();
        IReadOnlyList<Acl> acl = _rng.Next(8) == 0 ? AliceAcl : Acl.OpenAclUnsafe;
        return _rng.Next(10) switch
        {
            0 => (OpCode.CreateContainer, new CreateRequest(path, data, acl, (int)CreateMode.Container)),
            1 => (OpCode.CreateTtl, new CreateRequest(path, data, acl, (int)CreateMode.PersistentWithTtl, _rng.Next(1, 3000))),
            2 or 3 => (OpCode.Create2, new CreateRequest(path, data, acl, (int)CreateMode.Ephemeral)),
            4 => (OpCode.Create, new CreateRequest(path, data, acl, (int)(_rng.Next(2) == 0 ? CreateMode.PersistentSequential : CreateMode.EphemeralSequential))),
            _ => (OpCode.Create, new CreateRequest(path, data, acl, (int)CreateMode.Persistent)),
        };
    }

    /// <summary>A canonical textual image of everything a tree holds, for exact comparisons.</summary>
    public static List<string> Dump(Tree tree)
    {
        var lines = tree.Walk()
            .Select(x => $"{x.Path}|{(x.Node.Data is null ? "null" : Convert.ToHexString(x.Node.Data))}|{x.Node.ToStat(true)}|" +
                         $"{x.Node.EphemeralOwner:x}|{x.Node.ChildCreations}|{x.Node.Acl}")
            .ToList();
        foreach (var sid in tree.SessionIds)
        {
            tree.TryGetSession(sid, out var s);
            lines.Add($"session {sid:x} {s.TimeoutMs} {Convert.ToHexString(s.Password)} eph={string.Join(",", tree.GetEphemerals(sid))}");
        }
        foreach (var (sid, paths) in tree.EphemeralsBySession()) lines.Add($"ephemerals {sid:x} {string.Join(",", paths)}");
        var reap = new List<string>();
        tree.GetReapCandidates(long.MaxValue / 2, 1, reap);
        lines.Add("reapable " + string.Join(",", reap));
        lines.Add($"counts {tree.NodeCount} {tree.ApproximateDataSize} {tree.EphemeralCount} {tree.SessionCount} {tree.AclCount} {tree.LastProcessedZxid:x}");
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}
