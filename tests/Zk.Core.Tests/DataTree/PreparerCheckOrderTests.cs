// Table-driven specifications of every error path of the write ops and of the order in which ZooKeeper 3.8
// checks them (reference §6): each row breaks several rules at once, and the first check in the order wins.
using Zk.Core.Testing;
using Zk.Protocol;
using Zk.Protocol.Records;
using Zk.Core.DataTree;
using Zk.Core.DataTree.Auth;

namespace Zk.Core.Tests.DataTree;

public sealed class PreparerCheckOrderTests
{
    private const long Unknown = 0x0900_0000_0000_0009;
    private static readonly AuthContext Alice = TreeHarness.Digest("alice", "secret");
    private static readonly IReadOnlyList<Acl> AliceOnly = [new(Perms.All, new Id("digest", DigestHash.Hash("alice:secret")))];
    private static readonly IReadOnlyList<Acl> Open = Acl.OpenAclUnsafe;

    // /p open with child /p/exists; /locked readable by nobody but alice, with a child; /eph an ephemeral of S1;
    // /full has a child; /ro is world-readable only; /cont is a container, /ttl a TTL node.
    private static TreeHarness World(int maxDataBytes = 1_048_575)
    {
        var h = new TreeHarness(new DataTreeOptions { ExtendedTypesEnabled = true, MaxDataBytes = maxDataBytes });
        h.CreatePath("/p");
        h.CreatePath("/p/exists", [1]);
        Assert.Equal(KeeperErrorCode.Ok, h.Create("/locked", acl: AliceOnly, auth: Alice).Err);
        Assert.Equal(KeeperErrorCode.Ok, h.Create("/locked/child", acl: AliceOnly, auth: Alice).Err);
        h.CreatePath("/eph", mode: CreateMode.Ephemeral);
        h.CreatePath("/full");
        h.CreatePath("/full/c");
        Assert.Equal(KeeperErrorCode.Ok, h.Create("/ro", [1], acl: Acl.ReadAclUnsafe).Err);
        Assert.Equal(KeeperErrorCode.Ok, h.Run(OpCode.CreateContainer, new CreateRequest("/cont", null, Open, 4)).Err);
        Assert.Equal(KeeperErrorCode.Ok, h.Run(OpCode.CreateTtl, new CreateRequest("/ttl", null, Open, 5, 1000)).Err);
        return h;
    }

    private static CreateRequest C(string path, int flags = 0, IReadOnlyList<Acl>? acl = null, byte[]? data = null, long ttl = 0) =>
        new(path, data, acl ?? Open, flags, ttl);

    public static TheoryData<string, OpCode, Request, long, bool, KeeperErrorCode> CreateCases() => new()
    {
        { "flags out of range before everything", OpCode.Create, C("bad", flags: 7, acl: []), Unknown, false, KeeperErrorCode.BadArguments },
        { "negative flags", OpCode.Create, C("/p/x", flags: -1), TreeHarness.S1, false, KeeperErrorCode.BadArguments },
        { "ttl out of range before the session", OpCode.CreateTtl, C("/p/x", flags: 5, ttl: 0), Unknown, false, KeeperErrorCode.BadArguments },
        { "ttl above 2^40-1", OpCode.CreateTtl, C("/p/x", flags: 6, ttl: 1L << 40), TreeHarness.S1, false, KeeperErrorCode.BadArguments },
        { "createTTL with a non-TTL mode", OpCode.CreateTtl, C("/p/x", flags: 0, ttl: 10), TreeHarness.S1, false, KeeperErrorCode.BadArguments },
        { "TTL flags on a plain create", OpCode.Create, C("/p/x", flags: 5, ttl: 10), TreeHarness.S1, false, KeeperErrorCode.BadArguments },
        { "unknown session before the path", OpCode.Create, C("noslash", acl: []), Unknown, false, KeeperErrorCode.SessionExpired },
        { "unknown session, ephemeral", OpCode.Create, C("/p/x", flags: 1), Unknown, false, KeeperErrorCode.SessionExpired },
        { "no slash before the ACL", OpCode.Create, C("noslash", acl: []), TreeHarness.S1, false, KeeperErrorCode.BadArguments },
        { "NUL before the ACL", OpCode.Create, C("/p/a\0b", acl: []), TreeHarness.S1, false, KeeperErrorCode.BadArguments },
        { "empty path", OpCode.Create, C(""), TreeHarness.S1, false, KeeperErrorCode.BadArguments },
        { "empty ACL before a missing parent", OpCode.Create, C("/missing/x", acl: []), TreeHarness.S1, false, KeeperErrorCode.InvalidAcl },
        { "missing parent before no CREATE", OpCode.Create, C("/locked/none/x"), TreeHarness.S1, false, KeeperErrorCode.NoNode },
        { "no CREATE on parent before exists", OpCode.Create, C("/locked/child"), TreeHarness.S1, false, KeeperErrorCode.NoAuth },
        { "no CREATE on parent before a bad full path", OpCode.Create, C("/locked/."), TreeHarness.S1, false, KeeperErrorCode.NoAuth },
        { "relative segment after the parent checks", OpCode.Create, C("/p/."), TreeHarness.S1, false, KeeperErrorCode.BadArguments },
        { "dot-dot segment", OpCode.Create, C("/p/.."), TreeHarness.S1, false, KeeperErrorCode.BadArguments },
        { "trailing slash with existing parent", OpCode.Create, C("/p/"), TreeHarness.S1, false, KeeperErrorCode.BadArguments },
        { "trailing slash with missing parent", OpCode.Create, C("/a/"), TreeHarness.S1, false, KeeperErrorCode.NoNode },
        { "control character", OpCode.Create, C("/p/a\u0001"), TreeHarness.S1, false, KeeperErrorCode.BadArguments },
        { "surrogate half", OpCode.Create, C("/p/a\ud800"), TreeHarness.S1, false, KeeperErrorCode.BadArguments },
        { "root exists", OpCode.Create, C("/"), TreeHarness.S1, false, KeeperErrorCode.NodeExists },
        { "node exists before data size", OpCode.Create, C("/p/exists", data: new byte[20]), TreeHarness.S1, false, KeeperErrorCode.NodeExists },
        { "ephemeral parent", OpCode.Create, C("/eph/c", data: new byte[20]), TreeHarness.S1, false, KeeperErrorCode.NoChildrenForEphemerals },
        { "data too large last", OpCode.Create, C("/p/big", data: new byte[20]), TreeHarness.S1, false, KeeperErrorCode.BadArguments },
        { "alice may create under locked", OpCode.Create, C("/locked/new"), TreeHarness.S1, true, KeeperErrorCode.Ok },
        { "sequential create with trailing slash is legal", OpCode.Create, C("/p/", flags: 2), TreeHarness.S1, false, KeeperErrorCode.Ok },
        { "children of containers are allowed", OpCode.Create, C("/cont/c"), TreeHarness.S1, false, KeeperErrorCode.Ok },
        { "children of TTL nodes are allowed", OpCode.Create, C("/ttl/c"), TreeHarness.S1, false, KeeperErrorCode.Ok },
    };

    public static TheoryData<string, OpCode, Request, long, bool, KeeperErrorCode> OtherCases() => new()
    {
        { "delete: session first", OpCode.Delete, new DeleteRequest("/", 5), Unknown, false, KeeperErrorCode.SessionExpired },
        { "delete /", OpCode.Delete, new DeleteRequest("/", -1), TreeHarness.S1, false, KeeperErrorCode.BadArguments },
        { "delete /zookeeper", OpCode.Delete, new DeleteRequest("/zookeeper", -1), TreeHarness.S1, false, KeeperErrorCode.BadArguments },
        { "delete /zookeeper/quota", OpCode.Delete, new DeleteRequest("/zookeeper/quota", -1), TreeHarness.S1, false, KeeperErrorCode.BadArguments },
        { "delete /zookeeper/config", OpCode.Delete, new DeleteRequest("/zookeeper/config", -1), TreeHarness.S1, false, KeeperErrorCode.BadArguments },
        { "delete without slash", OpCode.Delete, new DeleteRequest("p", -1), TreeHarness.S1, false, KeeperErrorCode.BadArguments },
        { "delete with NUL", OpCode.Delete, new DeleteRequest("/p\0", -1), TreeHarness.S1, false, KeeperErrorCode.BadArguments },
        { "delete: missing parent", OpCode.Delete, new DeleteRequest("/missing/x", -1), TreeHarness.S1, false, KeeperErrorCode.NoNode },
        { "delete: no DELETE on parent before missing node", OpCode.Delete, new DeleteRequest("/locked/none", -1), TreeHarness.S1, false, KeeperErrorCode.NoAuth },
        { "delete: missing node", OpCode.Delete, new DeleteRequest("/p/none", -1), TreeHarness.S1, false, KeeperErrorCode.NoNode },
        { "delete: trailing slash is just a missing node", OpCode.Delete, new DeleteRequest("/p/", -1), TreeHarness.S1, false, KeeperErrorCode.NoNode },
        { "delete: bad version before not empty", OpCode.Delete, new DeleteRequest("/full", 3), TreeHarness.S1, false, KeeperErrorCode.BadVersion },
        { "delete: not empty", OpCode.Delete, new DeleteRequest("/full", 0), TreeHarness.S1, false, KeeperErrorCode.NotEmpty },
        { "delete: matching version", OpCode.Delete, new DeleteRequest("/p/exists", 0), TreeHarness.S1, false, KeeperErrorCode.Ok },
        { "setData: session first", OpCode.SetData, new SetDataRequest("bad", null, -1), Unknown, false, KeeperErrorCode.SessionExpired },
        { "setData: invalid path", OpCode.SetData, new SetDataRequest("/p/", null, -1), TreeHarness.S1, false, KeeperErrorCode.BadArguments },
        { "setData: missing node", OpCode.SetData, new SetDataRequest("/none", null, 5), TreeHarness.S1, false, KeeperErrorCode.NoNode },
        { "setData: no WRITE before bad version", OpCode.SetData, new SetDataRequest("/ro", null, 5), TreeHarness.S1, false, KeeperErrorCode.NoAuth },
        { "setData: data size before bad version", OpCode.SetData, new SetDataRequest("/p", new byte[20], 5), TreeHarness.S1, false, KeeperErrorCode.BadArguments },
        { "setData: bad version", OpCode.SetData, new SetDataRequest("/p", null, 5), TreeHarness.S1, false, KeeperErrorCode.BadVersion },
        { "setData: any version", OpCode.SetData, new SetDataRequest("/p", null, -1), TreeHarness.S1, false, KeeperErrorCode.Ok },
        { "setACL: session first", OpCode.SetAcl, new SetAclRequest("bad", [], -1), Unknown, false, KeeperErrorCode.SessionExpired },
        { "setACL: invalid path before bad ACL", OpCode.SetAcl, new SetAclRequest("bad", [], -1), TreeHarness.S1, false, KeeperErrorCode.BadArguments },
        { "setACL: bad ACL before missing node", OpCode.SetAcl, new SetAclRequest("/none", [], -1), TreeHarness.S1, false, KeeperErrorCode.InvalidAcl },
        { "setACL: missing node", OpCode.SetAcl, new SetAclRequest("/none", Open, -1), TreeHarness.S1, false, KeeperErrorCode.NoNode },
        { "setACL: no ADMIN before bad version", OpCode.SetAcl, new SetAclRequest("/ro", Open, 7), TreeHarness.S1, false, KeeperErrorCode.NoAuth },
        { "setACL: compares aversion not version", OpCode.SetAcl, new SetAclRequest("/p/exists", Open, 1), TreeHarness.S1, false, KeeperErrorCode.BadVersion },
        { "setACL: matching aversion", OpCode.SetAcl, new SetAclRequest("/p/exists", Open, 0), TreeHarness.S1, false, KeeperErrorCode.Ok },
        { "deleteContainer: reserved path", OpCode.DeleteContainer, new DeleteContainerRequest("/zookeeper"), 0, false, KeeperErrorCode.BadArguments },
        { "deleteContainer: missing", OpCode.DeleteContainer, new DeleteContainerRequest("/gone"), 0, false, KeeperErrorCode.NoNode },
        { "deleteContainer: not empty", OpCode.DeleteContainer, new DeleteContainerRequest("/full"), 0, false, KeeperErrorCode.NotEmpty },
        { "deleteContainer: persistent node", OpCode.DeleteContainer, new DeleteContainerRequest("/p/exists"), 0, false, KeeperErrorCode.BadVersion },
        { "deleteContainer: ephemeral node", OpCode.DeleteContainer, new DeleteContainerRequest("/eph"), 0, false, KeeperErrorCode.BadVersion },
        { "deleteContainer: container needs no session or ACL", OpCode.DeleteContainer, new DeleteContainerRequest("/cont"), 0, false, KeeperErrorCode.Ok },
        { "deleteContainer: TTL node", OpCode.DeleteContainer, new DeleteContainerRequest("/ttl"), 0, false, KeeperErrorCode.Ok },
    };

    [Theory]
    [MemberData(nameof(CreateCases))]
    [MemberData(nameof(OtherCases))]
    public void First_failing_check_decides_the_error(string rule, OpCode op, Request body, long session, bool asAlice, KeeperErrorCode expected)
    {
        var h = World(maxDataBytes: 10);
        var txn = h.Prepare(op, body, session, asAlice ? Alice : AuthContext.Anonymous);
        var actual = txn.Body is ErrorTxn e ? e.Code : KeeperErrorCode.Ok;
        Assert.True(expected == actual, $"{rule}: expected {expected}, got {actual}");
        var applied = h.Apply(txn);
        Assert.Equal(expected, applied.Err);
        Assert.Equal(0, h.Tree.ReplayAnomalies);
    }

    public static TheoryData<string, Request, KeeperErrorCode> CheckCases() => new()
    {
        { "invalid path", new CheckVersionRequest("/p/", -1), KeeperErrorCode.BadArguments },
        { "missing node", new CheckVersionRequest("/none", -1), KeeperErrorCode.NoNode },
        { "no READ before bad version", new CheckVersionRequest("/locked", 9), KeeperErrorCode.NoAuth },
        { "bad version", new CheckVersionRequest("/p/exists", 9), KeeperErrorCode.BadVersion },
        { "matching version", new CheckVersionRequest("/p/exists", 0), KeeperErrorCode.Ok },
    };

    [Theory]
    [MemberData(nameof(CheckCases))]
    public void Check_inside_multi_follows_its_check_order(string rule, Request check, KeeperErrorCode expected)
    {
        var h = World();
        var r = h.Run(OpCode.Multi, new MultiRequest([new MultiOp(OpCode.Check, check)]));
        Assert.True(expected == r.Multi![0].Err, $"{rule}: expected {expected}, got {r.Multi![0].Err}");
    }

    [Fact]
    public void Ttl_create_with_extended_types_off_is_Unimplemented_even_with_a_bad_path()
    {
        var h = new TreeHarness();
        Assert.Equal(KeeperErrorCode.Unimplemented, h.Err(OpCode.CreateTtl, C("bad", flags: 5, ttl: 0)));
    }

    [Fact]
    public void Create_consumes_the_parent_creation_count_only_on_success()
    {
        var h = World();
        Assert.Equal(KeeperErrorCode.NodeExists, h.Create("/p/exists").Err);
        Assert.Equal("/p/s0000000001", h.CreatePath("/p/s", mode: CreateMode.PersistentSequential));
    }

    [Fact]
    public void Skip_acl_lets_everyone_through()
    {
        var h = new TreeHarness(new DataTreeOptions { SkipAcl = true });
        Assert.Equal(KeeperErrorCode.Ok, h.Create("/x", acl: Acl.ReadAclUnsafe).Err);
        Assert.Equal(KeeperErrorCode.Ok, h.SetData("/x", [1]).Err);
        Assert.Equal(KeeperErrorCode.Ok, h.Create("/x/y").Err);
    }

    [Fact]
    public void Super_user_passes_every_permission_check()
    {
        var h = new TreeHarness();
        Assert.Equal(KeeperErrorCode.Ok, h.Create("/x", acl: AliceOnly, auth: Alice).Err);
        var super = AuthContext.From([new Id("super", "")]);
        Assert.Equal(KeeperErrorCode.NoAuth, h.SetData("/x", [1]).Err);
        Assert.Equal(KeeperErrorCode.Ok, h.SetData("/x", [1], auth: super).Err);
        Assert.Equal(KeeperErrorCode.Ok, h.Create("/x/y", auth: super).Err);
    }
}
