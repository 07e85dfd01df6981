// The seeded random operations of the differential test. Each step is one request (or a session restart) by one
// of three clients; choices depend only on the seed and on results already observed, so a run against Apache
// ZooKeeper and one against ZkActors issue the same requests for as long as their results agree.
//
// Left out on purpose, because Debian's ZooKeeper 3.8.0 and the 3.8.4+ semantics we target legitimately differ:
//  * exists on a node the caller cannot READ (3.8.4 answers NoAuth, 3.8.0 the Stat): the model steers such
//    calls to the root;
//  * multi with bad create flags (3.8.4 rejects the whole request with -5): multi creates use modes 0-4 only;
//  * create2 (op 15) inside a multi: 3.8.0 answers it with a plain create result (ZOOKEEPER-4026, fixed in
//    3.8.1), so multi creates use op 1 and op 19 only;
//  * a standard watch on a (connection, path) that holds a persistent watch, or addWatch in the other mode (3.8
//    keeps one mode per pair, 3.9 keeps both): the clients with persistent watches never set standard ones on
//    those paths and re-add them only in their own mode;
//  * checkWatches: 3.8's containsWatcher answers Ok when any connection watches the exact path (it never looks
//    for the caller among the watchers; 3.9's ZOOKEEPER-4466 rewrite fixed it); we answer for the caller's own
//    watches, as the reference says. removeWatches, which 3.8 does per connection, is compared.
// Compared in full although the brief expected differences: Debian's 3.8.0-11+deb12u2 carries the fix for
// CVE-2024-23944, so the watch ACL filter of 3.8.4 is there (the workload has unreadable nodes), and it masks
// digest ids in getACL for callers without ADMIN, as 3.8.4 does.
using System.Text;
using Zk.Protocol;
using Zk.Protocol.Records;

namespace Zk.Compat.Differential;

internal sealed record DiffStep(int Client, OpCode Op, Request? Body, string Label)
{
    /// <summary>The client closes its session and opens a new one (ephemerals go, watches go).</summary>
    public bool IsRestart => Body is null;
}

internal sealed class DiffWorkload(int seed, string root)
{
    public const int Clients = 3;
    /// <summary>Every path of the workload is under this node (one per seed, so seeds can share servers).</summary>
    public string Root { get; } = root;

    /// <summary>The digest identity of each client (client 2 only has its ip id).</summary>
    public static readonly string?[] Credentials = ["user1:pw1", "user2:pw2", null];

    /// <summary>Persistent watches held from the start: (client, path, mode).</summary>
    public (int Client, string Path, AddWatchMode Mode)[] PersistentWatches { get; } =
    [
        (2, root + "/b", AddWatchMode.PersistentRecursive),
        (1, root + "/c", AddWatchMode.Persistent),
        (0, root + "/a/a", AddWatchMode.PersistentRecursive),
    ];

    private static readonly string[] Names = ["a", "b", "c"];
    private readonly string[] _oddPaths =
        [root + "//a", root + "/a/", root[1..] + "/a", root + "/./a", root + "/a/..", "", root + "/a\u0000b", root + "/\u0007", "/zookeeper", "/zookeeper/quota", "/zookeeper/config", "/"];

    private readonly Random _rng = new(seed);
    private readonly List<string> _pool = BuildPool(root);

    public DiffModel Model { get; } = NewModel(root);

    public DiffStep Next()
    {
        var client = _rng.Next(Clients);
        var r = _rng.NextDouble();
        if (r < 0.005) return new DiffStep(client, OpCode.CloseSession, null, "restart session");
        if (r < 0.27) return Create(client);
        if (r < 0.39) return Delete(client);
        if (r < 0.53) return SetData(client);
        if (r < 0.61) return Read(client, OpCode.Exists);
        if (r < 0.69) return Read(client, OpCode.GetData);
        if (r < 0.77) return Read(client, _rng.Next(2) == 0 ? OpCode.GetChildren : OpCode.GetChildren2);
        if (r < 0.80) return GetAcl(client);
        if (r < 0.84) return SetAcl(client);
        if (r < 0.92) return Multi(client);
        if (r < 0.925) return AddWatch(client);
        if (r < 0.94) return RemoveWatches(client);
        if (r < 0.96) return MultiRead(client);
        if (r < 0.97)
        {
            var path = PickPath();
            return Step(client, OpCode.Sync, new SyncRequest(path), $"sync {path}");
        }
        if (r < 0.98)
        {
            var path = PickPath();
            return Step(client, OpCode.GetAllChildrenNumber, new GetAllChildrenNumberRequest(path), $"getAllChildrenNumber {path}");
        }
        if (r < 0.99)
        {
            var prefix = _rng.Next(3) == 0 ? null : PickPath();
            return Step(client, OpCode.GetEphemerals, new GetEphemeralsRequest(prefix), $"getEphemerals {prefix ?? "null"}");
        }
        return Create(client);
    }

    /// <summary>Updates the model from a step's successful result.</summary>
    public void Observe(DiffStep step, Response? body, KeeperErrorCode err)
    {
        if (step.IsRestart)
        {
            Model.SessionClosed(step.Client);
            return;
        }
        if (err != KeeperErrorCode.Ok) return;
        switch (step.Body)
        {
            case CreateRequest c:
                Model.Created(CreatedPath(body), Resolve(c.Acl, step.Client), IsEphemeral(c.Flags) ? step.Client : null);
                break;
            case DeleteRequest d:
                Model.Deleted(d.Path);
                break;
            case SetAclRequest s:
                Model.AclSet(s.Path, Resolve(s.Acl, step.Client));
                break;
            case MultiRequest m when step.Op == OpCode.Multi && body is MultiResponse mr && mr.Results.All(x => x.Op != OpCode.Error):
                for (var i = 0; i < m.Ops.Count; i++)
                {
                    if (m.Ops[i].Body is CreateRequest mc) Model.Created(CreatedPath(mr.Results[i].Body), Resolve(mc.Acl, step.Client), IsEphemeral(mc.Flags) ? step.Client : null);
                    else if (m.Ops[i].Body is DeleteRequest md) Model.Deleted(md.Path);
                }
                break;
        }
    }

    /// <summary>Whether this client may set a standard watch on the path (see the header).</summary>
    public bool MayWatch(int client, string path) =>
        !PersistentWatches.Any(w => w.Client == client && w.Path == path);

    private DiffStep Create(int client)
    {
        var sequential = _rng.Next(4) == 0;
        var path = sequential ? PickPath() + (_rng.Next(3) == 0 ? "/" : "/q") : PickPath();
        if (path.StartsWith("/zookeeper/", StringComparison.Ordinal)) path = Root + "/a";
        var data = Data();
        var (aclName, acl) = AclChoice(path);
        var m = _rng.NextDouble();
        if (m < 0.04)
        {
            var ttl = _rng.Next(3) switch { 0 => 0L, 1 => 1L << 41, _ => 3_600_000L };
            var flags = _rng.Next(3) switch { 0 => 0, 1 => 6, _ => 5 };
            return Step(client, OpCode.CreateTtl, new CreateRequest(path, data, acl, flags, ttl), $"createTTL {path} flags={flags} ttl={ttl} acl={aclName} data={Show(data)}");
        }
        if (m < 0.05)
        {
            var bad = _rng.Next(2) == 0 ? 7 : -1;
            return Step(client, OpCode.Create2, new CreateRequest(path, data, acl, bad), $"create2 {path} flags={bad} acl={aclName}");
        }
        if (m < 0.09) return Step(client, OpCode.CreateContainer, new CreateRequest(path, data, acl, (int)CreateMode.Container), $"createContainer {path} acl={aclName} data={Show(data)}");
        if (m < 0.10) return Step(client, OpCode.Create, new CreateRequest(path, data, acl, (int)CreateMode.PersistentWithTtl), $"create {path} flags=5 without ttl");
        var mode = sequential ? (_rng.Next(2) == 0 ? CreateMode.PersistentSequential : CreateMode.EphemeralSequential)
            : (_rng.Next(3) == 0 ? CreateMode.Ephemeral : CreateMode.Persistent);
        var op = _rng.Next(5) < 2 ? OpCode.Create : OpCode.Create2;
        return Step(client, op, new CreateRequest(path, data, acl, (int)mode), $"{Name(op)} {path} {mode} acl={aclName} data={Show(data)}");
    }

    private DiffStep Delete(int client)
    {
        var path = NotRoot(PickPath());
        var version = Version();
        return Step(client, OpCode.Delete, new DeleteRequest(path, version), $"delete {path} v={version}");
    }

    private DiffStep SetData(int client)
    {
        var path = PickPath();
        if (path.StartsWith("/zookeeper", StringComparison.Ordinal)) path = Root;
        var data = Data();
        var version = Version();
        return Step(client, OpCode.SetData, new SetDataRequest(path, data, version), $"setData {path} v={version} data={Show(data)}");
    }

    private DiffStep Read(int client, OpCode op)
    {
        var path = PickPath();
        if (op == OpCode.Exists && !Model.ExistsIsComparable(path, DigestId(client))) path = Root;
        var watch = _rng.Next(2) == 0 && MayWatch(client, path);
        Request body = op switch
        {
            OpCode.Exists => new ExistsRequest(path, watch),
            OpCode.GetData => new GetDataRequest(path, watch),
            _ => new GetChildrenRequest(path, watch),
        };
        return Step(client, op, body, $"{Name(op)} {path} watch={watch}");
    }

    private DiffStep GetAcl(int client)
    {
        var path = PickPath();
        return Step(client, OpCode.GetAcl, new GetAclRequest(path), $"getACL {path}");
    }

    private DiffStep SetAcl(int client)
    {
        var path = PickPath();
        if (path.StartsWith("/zookeeper", StringComparison.Ordinal)) path = Root + "/a";
        var (aclName, acl) = AclChoice(path);
        var version = _rng.Next(5) < 3 ? -1 : _rng.Next(3);
        return Step(client, OpCode.SetAcl, new SetAclRequest(path, acl, version), $"setACL {path} acl={aclName} v={version}");
    }

    /// <summary>addWatch (again) on the client's own persistent-watch path, always in that path's mode (see the header).</summary>
    private DiffStep AddWatch(int client)
    {
        var (_, path, mode) = PersistentWatches.First(w => w.Client == client);
        return Step(client, OpCode.AddWatch, new AddWatchRequest(path, (int)mode), $"addWatch {path} mode={mode}");
    }

    /// <summary>removeWatches of a type, on the client's persistent-watch path or on any path.</summary>
    private DiffStep RemoveWatches(int client)
    {
        var path = _rng.Next(3) == 0 ? PersistentWatches.First(w => w.Client == client).Path : PickPath();
        var type = 1 + _rng.Next(3);
        return Step(client, OpCode.RemoveWatches, new WatchesRequest(path, type), $"removeWatches {path} type={(WatcherType)type}");
    }

    private DiffStep Multi(int client)
    {
        var n = 1 + _rng.Next(4);
        var ops = new List<MultiOp>();
        var labels = new List<string>();
        for (var i = 0; i < n; i++)
        {
            var path = PickPath();
            if (path.StartsWith("/zookeeper", StringComparison.Ordinal)) path = Root + "/b";
            switch (_rng.Next(4))
            {
                case 0:
                    var mode = (CreateMode)_rng.Next(5);
                    var op = mode == CreateMode.Container ? OpCode.CreateContainer : OpCode.Create;
                    if (mode is CreateMode.PersistentSequential or CreateMode.EphemeralSequential) path += "/m";
                    ops.Add(new MultiOp(op, new CreateRequest(path, Data(), Acl.OpenAclUnsafe, (int)mode)));
                    labels.Add($"{Name(op)} {path} {mode}");
                    break;
                case 1:
                    path = NotRoot(path);
                    var dv = Version();
                    ops.Add(new MultiOp(OpCode.Delete, new DeleteRequest(path, dv)));
                    labels.Add($"delete {path} v={dv}");
                    break;
                case 2:
                    var sv = Version();
                    ops.Add(new MultiOp(OpCode.SetData, new SetDataRequest(path, Data(), sv)));
                    labels.Add($"setData {path} v={sv}");
                    break;
                default:
                    var cv = Version();
                    ops.Add(new MultiOp(OpCode.Check, new CheckVersionRequest(path, cv)));
                    labels.Add($"check {path} v={cv}");
                    break;
            }
        }
        return Step(client, OpCode.Multi, new MultiRequest(ops), $"multi [{string.Join("; ", labels)}]");
    }

    private DiffStep MultiRead(int client)
    {
        var ops = new List<MultiOp>();
        for (var i = 0; i < 1 + _rng.Next(3); i++)
        {
            var path = PickPath();
            ops.Add(_rng.Next(2) == 0 ? new MultiOp(OpCode.GetData, new GetDataRequest(path, true)) : new MultiOp(OpCode.GetChildren, new GetChildrenRequest(path, true)));
        }
        var label = string.Join("; ", ops.Select(o => $"{Name(o.Op)} {(o.Body is GetDataRequest g ? g.Path : ((GetChildrenRequest)o.Body).Path)}"));
        return Step(client, OpCode.MultiRead, new MultiRequest(ops), $"multiRead [{label}]");
    }

    private string PickPath()
    {
        var r = _rng.NextDouble();
        if (r < 0.5 || Model.Paths.Count == 0) return _pool[_rng.Next(_pool.Count)];
        if (r < 0.93) return Model.Paths[_rng.Next(Model.Paths.Count)];
        if (r < 0.96) return Root;
        return _oddPaths[_rng.Next(_oddPaths.Length)];
    }

    /// <summary>The workload's root is never deleted: everything else lives under it.</summary>
    private string NotRoot(string path) => path == Root ? Root + "/a" : path;

    private int Version() => _rng.Next(5) < 3 ? -1 : _rng.Next(4);

    private byte[]? Data() => _rng.Next(20) switch
    {
        0 => null,
        1 => [],
        2 => Enumerable.Range(0, 1500).Select(i => (byte)(i * 7)).ToArray(),
        _ => Encoding.ASCII.GetBytes("d" + _rng.Next(1000)),
    };

    /// <summary>
    /// A random ACL. The root and the first level stay open (or get an invalid ACL, which fails): a restrictive ACL
    /// there would shut most clients out of most of the tree for the rest of the run.
    /// </summary>
    private (string Name, IReadOnlyList<Acl> Acl) AclChoice(string path)
    {
        var r = _rng.Next(100);
        var shallow = path.Count(c => c == '/') < 3;
        if (shallow && r is >= 55 and < 96) return ("open", Acl.OpenAclUnsafe);
        var readAll = new Acl(Perms.Read, Id.Anyone);
        if (r < 55) return ("open", Acl.OpenAclUnsafe);
        if (r < 60) return ("read", Acl.ReadAclUnsafe);
        if (r < 67) return ("user1", [new Acl(Perms.All, new Id("digest", DigestAuth.Hash("user1:pw1"))), readAll]);
        if (r < 74) return ("user2", [new Acl(Perms.All, new Id("digest", DigestAuth.Hash("user2:pw2"))), readAll]);
        if (r < 81) return ("auth", [new Acl(Perms.All, new Id("auth", "")), readAll]);
        if (r < 86) return ("cdr", [new Acl(Perms.Create | Perms.Delete | Perms.Read, Id.Anyone)]);
        if (r < 88) return ("dup", [new Acl(Perms.All, Id.Anyone), new Acl(Perms.All, Id.Anyone)]);
        if (r < 91) return ("ip-local", [new Acl(Perms.All, new Id("ip", "127.0.0.1")), readAll]);
        if (r < 93) return ("ip-other", [new Acl(Perms.All, new Id("ip", "10.0.0.0/8")), readAll]);
        if (r < 96)
        {
            // Nodes some or all clients cannot read: their watch events are filtered (the 3.8.4 / CVE-2024-23944 rule).
            return _rng.Next(3) switch
            {
                0 => ("user1-only", [new Acl(Perms.All, new Id("digest", DigestAuth.Hash("user1:pw1")))]),
                1 => ("no-read", [new Acl(Perms.Create | Perms.Delete | Perms.Write | Perms.Admin, Id.Anyone)]),
                _ => ("auth-only", [new Acl(Perms.All, new Id("auth", ""))]),
            };
        }
        return _rng.Next(7) switch
        {
            0 => ("empty", []),
            1 => ("world-someone", [new Acl(Perms.All, new Id("world", "someone"))]),
            2 => ("digest-nocolon", [new Acl(Perms.All, new Id("digest", "nocolon"))]),
            3 => ("super", [new Acl(Perms.All, new Id("super", "x"))]),
            4 => ("ip-bad", [new Acl(Perms.All, new Id("ip", "1.2.3.999"))]),
            5 => ("ip-mask33", [new Acl(Perms.All, new Id("ip", "10.0.0.0/33"))]),
            _ => ("unknown-scheme", [new Acl(Perms.All, new Id("foo", "bar"))]),
        };
    }

    private static DiffModel NewModel(string root)
    {
        var model = new DiffModel();
        model.Created(root, Acl.OpenAclUnsafe, null, listed: false);
        return model;
    }

    private static string? DigestId(int client) => Credentials[client] is { } cred ? DigestAuth.Hash(cred) : null;

    private static DiffStep Step(int client, OpCode op, Request body, string label) => new(client, op, body, label);

    private static IReadOnlyList<Acl> Resolve(IReadOnlyList<Acl> acl, int client)
    {
        var resolved = new List<Acl>();
        foreach (var a in acl)
        {
            var e = a.Id.Scheme == "auth" && Credentials[client] is { } cred ? new Acl(a.Perms, new Id("digest", DigestAuth.Hash(cred))) : a;
            if (!resolved.Contains(e)) resolved.Add(e);
        }
        return resolved;
    }

    private static string CreatedPath(Response? body) => body switch
    {
        CreateResponse c => c.Path,
        Create2Response c2 => c2.Path,
        _ => throw new InvalidOperationException($"a successful create answered {body?.GetType().Name}"),
    };

    private static bool IsEphemeral(int flags) => flags is 1 or 3;

    private static string Name(OpCode op) => op switch
    {
        OpCode.Create => "create",
        OpCode.Create2 => "create2",
        OpCode.CreateContainer => "createContainer",
        OpCode.GetChildren => "getChildren",
        OpCode.GetChildren2 => "getChildren2",
        OpCode.GetData => "getData",
        OpCode.Exists => "exists",
        _ => op.ToString(),
    };

    internal static string Show(byte[]? data) => data switch
    {
        null => "null",
        { Length: > 40 } => $"<{data.Length} bytes>",
        _ => "'" + Encoding.ASCII.GetString(data) + "'",
    };

    private static List<string> BuildPool(string root)
    {
        var pool = new List<string>();
        foreach (var a in Names)
        {
            pool.Add($"{root}/{a}");
            foreach (var b in Names)
            {
                pool.Add($"{root}/{a}/{b}");
                foreach (var c in Names) pool.Add($"{root}/{a}/{b}/{c}");
            }
        }
        return pool;
    }
}
