// Specifications of the reads the tree serves and their check order (reference §6): exists, getData,
// getChildren(2), getACL with digest masking, getAllChildrenNumber, getEphemerals and multiRead.
using Zk.Core.Testing;
using Zk.Protocol;
using Zk.Protocol.Records;
using Zk.Core.DataTree;
using Zk.Core.DataTree.Auth;

namespace Zk.Core.Tests.DataTree;

public sealed class ReadTests
{
    private static readonly AuthContext Alice = TreeHarness.Digest("alice", "secret");
    private static readonly Id AliceId = new("digest", DigestHash.Hash("alice:secret"));

    private static TreeHarness World()
    {
        var h = new TreeHarness();
        h.CreatePath("/a", [1, 2]);
        h.CreatePath("/a/b");
        h.CreatePath("/a/b/c");
        h.CreatePath("/a/d");
        Assert.Equal(KeeperErrorCode.Ok, h.Create("/secret", [9], acl: [new(Perms.All, AliceId)], auth: Alice).Err);
        Assert.Equal(KeeperErrorCode.Ok, h.Create("/adminonly", acl: [new(Perms.Admin, Id.Anyone)]).Err);
        Assert.Equal(KeeperErrorCode.Ok, h.Create("/mixed", acl: [new(Perms.Read, Id.Anyone), new(Perms.All, AliceId)]).Err);
        return h;
    }

    public static TheoryData<string, OpCode, Request, KeeperErrorCode> Cases() => new()
    {
        { "exists: NUL first", OpCode.Exists, new ExistsRequest("/secret\0", false), KeeperErrorCode.BadArguments },
        { "exists: present but unreadable", OpCode.Exists, new ExistsRequest("/secret", true), KeeperErrorCode.NoAuth },
        { "exists: missing", OpCode.Exists, new ExistsRequest("/none", true), KeeperErrorCode.NoNode },
        { "exists: present", OpCode.Exists, new ExistsRequest("/a", false), KeeperErrorCode.Ok },
        { "getData: missing", OpCode.GetData, new GetDataRequest("/none", false), KeeperErrorCode.NoNode },
        { "getData: bad path is just missing", OpCode.GetData, new GetDataRequest("/a/", false), KeeperErrorCode.NoNode },
        { "getData: relative path is just missing", OpCode.GetData, new GetDataRequest("a", false), KeeperErrorCode.NoNode },
        { "getData: no READ", OpCode.GetData, new GetDataRequest("/secret", false), KeeperErrorCode.NoAuth },
        { "getData: ADMIN alone is not READ", OpCode.GetData, new GetDataRequest("/adminonly", false), KeeperErrorCode.NoAuth },
        { "getChildren: missing", OpCode.GetChildren, new GetChildrenRequest("/none", false), KeeperErrorCode.NoNode },
        { "getChildren: no READ", OpCode.GetChildren, new GetChildrenRequest("/secret", false), KeeperErrorCode.NoAuth },
        { "getChildren2: no READ", OpCode.GetChildren2, new GetChildrenRequest("/secret", false), KeeperErrorCode.NoAuth },
        { "getACL: missing", OpCode.GetAcl, new GetAclRequest("/none"), KeeperErrorCode.NoNode },
        { "getACL: neither READ nor ADMIN", OpCode.GetAcl, new GetAclRequest("/secret"), KeeperErrorCode.NoAuth },
        { "getACL: ADMIN suffices", OpCode.GetAcl, new GetAclRequest("/adminonly"), KeeperErrorCode.Ok },
        { "getAllChildrenNumber: missing", OpCode.GetAllChildrenNumber, new GetAllChildrenNumberRequest("/none"), KeeperErrorCode.NoNode },
        { "getAllChildrenNumber: no READ", OpCode.GetAllChildrenNumber, new GetAllChildrenNumberRequest("/secret"), KeeperErrorCode.NoAuth },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Read_errors_follow_ZooKeeper_check_order(string rule, OpCode op, Request body, KeeperErrorCode expected)
    {
        var r = World().Read(op, body);
        Assert.True(expected == r.Err, $"{rule}: expected {expected}, got {r.Err}");
        Assert.Equal(expected == KeeperErrorCode.Ok, r.Body is not null);
    }

    [Fact]
    public void Owner_reads_what_others_cannot()
    {
        var h = World();
        var r = h.Read(OpCode.GetData, new GetDataRequest("/secret", false), Alice);
        Assert.Equal(new byte[] { 9 }, ((GetDataResponse)r.Body!).Data);
    }

    [Fact]
    public void GetData_returns_data_and_the_node_stat()
    {
        var h = World();
        var r = (GetDataResponse)h.Read(OpCode.GetData, new GetDataRequest("/a", true)).Body!;
        Assert.Equal(new byte[] { 1, 2 }, r.Data);
        Assert.Equal(h.Stat("/a"), r.Stat);
    }

    [Fact]
    public void GetChildren_lists_names_and_getChildren2_adds_the_node_own_stat()
    {
        var h = World();
        var c = (GetChildrenResponse)h.Read(OpCode.GetChildren, new GetChildrenRequest("/a", false)).Body!;
        Assert.Equal(["b", "d"], c.Children.Order());
        var c2 = (GetChildren2Response)h.Read(OpCode.GetChildren2, new GetChildrenRequest("/a", false)).Body!;
        Assert.Equal(["b", "d"], c2.Children.Order());
        Assert.Equal(h.Stat("/a"), c2.Stat);
        var root = (GetChildrenResponse)h.Read(OpCode.GetChildren, new GetChildrenRequest("/", false)).Body!;
        Assert.Contains("zookeeper", root.Children);
    }

    [Fact]
    public void GetAcl_masks_digest_ids_for_callers_without_ADMIN()
    {
        var h = World();
        var masked = (GetAclResponse)h.Read(OpCode.GetAcl, new GetAclRequest("/mixed")).Body!;
        Assert.Equal([new Acl(Perms.Read, Id.Anyone), new Acl(Perms.All, new Id("digest", "alice:x"))], masked.Acl);
        var full = (GetAclResponse)h.Read(OpCode.GetAcl, new GetAclRequest("/mixed"), Alice).Body!;
        Assert.Equal([new Acl(Perms.Read, Id.Anyone), new Acl(Perms.All, AliceId)], full.Acl);
        Assert.Equal(h.Stat("/mixed"), full.Stat);
    }

    [Fact]
    public void Digest_masking_replaces_from_each_colon_to_the_end_of_its_line()
    {
        var masked = AclPolicy.MaskDigests([new Acl(Perms.Read, new Id("digest", "u:a:b\nv:c")), new Acl(Perms.Read, new Id("ip", "1.2.3.4"))]);
        Assert.Equal("u:x\nv:x", masked[0].Id.Ident);
        Assert.Equal("1.2.3.4", masked[1].Id.Ident);
    }

    [Fact]
    public void GetAllChildrenNumber_counts_descendants_and_root_includes_the_zookeeper_nodes()
    {
        var h = World();
        Assert.Equal(3, ((GetAllChildrenNumberResponse)h.Read(OpCode.GetAllChildrenNumber, new GetAllChildrenNumberRequest("/a")).Body!).TotalNumber);
        Assert.Equal(h.Tree.NodeCount - 1, ((GetAllChildrenNumberResponse)h.Read(OpCode.GetAllChildrenNumber, new GetAllChildrenNumberRequest("/")).Body!).TotalNumber);
        Assert.Equal(0, ((GetAllChildrenNumberResponse)h.Read(OpCode.GetAllChildrenNumber, new GetAllChildrenNumberRequest("/a/d")).Body!).TotalNumber);
    }

    [Fact]
    public void GetEphemerals_returns_only_the_caller_session_filtered_by_plain_string_prefix()
    {
        var h = new TreeHarness();
        h.CreatePath("/a", mode: CreateMode.Ephemeral);
        h.CreatePath("/ab", mode: CreateMode.Ephemeral);
        h.CreatePath("/b", mode: CreateMode.Ephemeral);
        h.CreatePath("/c", mode: CreateMode.Ephemeral, session: TreeHarness.S2);
        IReadOnlyList<string> Eph(string? prefix, long sid = TreeHarness.S1) =>
            ((GetEphemeralsResponse)h.Read(OpCode.GetEphemerals, new GetEphemeralsRequest(prefix), session: sid).Body!).Ephemerals;
        Assert.Equal(["/a", "/ab"], Eph("/a"));
        Assert.Equal(["/a", "/ab", "/b"], Eph(null));
        Assert.Equal(["/a", "/ab", "/b"], Eph(" / "));
        Assert.Equal(["/a", "/ab", "/b"], Eph(""));
        Assert.Equal(["/c"], Eph(null, TreeHarness.S2));
        Assert.Empty(Eph(null, 12345));
    }

    [Fact]
    public void MultiRead_answers_each_op_alone_and_never_fails_as_a_whole()
    {
        var h = World();
        var r = h.Read(OpCode.MultiRead, new MultiRequest([
            new MultiOp(OpCode.GetData, new GetDataRequest("/a", true)),
            new MultiOp(OpCode.GetChildren, new GetChildrenRequest("/none", false)),
            new MultiOp(OpCode.GetData, new GetDataRequest("/secret", false)),
            new MultiOp(OpCode.GetChildren, new GetChildrenRequest("/a/b", false)),
        ]));
        Assert.Equal(KeeperErrorCode.Ok, r.Err);
        var results = ((MultiResponse)r.Body!).Results;
        Assert.Equal([OpCode.GetData, OpCode.Error, OpCode.Error, OpCode.GetChildren], results.Select(x => x.Op));
        Assert.Equal([KeeperErrorCode.Ok, KeeperErrorCode.NoNode, KeeperErrorCode.NoAuth, KeeperErrorCode.Ok], results.Select(x => x.Err));
        Assert.Equal(KeeperErrorCode.NoNode, ((ErrorResponse)results[1].Body!).Err);
        Assert.Equal(["c"], ((GetChildrenResponse)results[3].Body!).Children);
    }

    [Fact]
    public void Empty_path_reads_the_root_as_ZooKeeper_node_map_alias_does()
    {
        var h = World();
        var r = h.Read(OpCode.Exists, new ExistsRequest("", false));
        Assert.Equal(h.Stat("/"), ((StatResponse)r.Body!).Stat);
    }

    [Fact]
    public void Non_read_ops_are_refused_loudly()
    {
        var h = World();
        Assert.Throws<ArgumentException>(() => h.Read(OpCode.SetData, new SetDataRequest("/a", null, -1)));
    }
}
