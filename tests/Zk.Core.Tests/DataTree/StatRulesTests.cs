// Specifications of the Stat every op leaves behind (reference §5), of the fresh tree, of sequence naming and
// of null versus empty data.
using Zk.Core.Testing;
using Zk.Protocol;
using Zk.Protocol.Records;
using Tree = Zk.Core.DataTree.DataTree;
using Zk.Core.DataTree;

namespace Zk.Core.Tests.DataTree;

public sealed class StatRulesTests
{
    [Fact]
    public void Fresh_tree_has_the_four_reserved_nodes_with_ZooKeeper_stats()
    {
        var tree = new Tree(new DataTreeOptions { ConfigData = [1, 2] });
        Assert.True(tree.TryGetStat("/", out var root));
        Assert.Equal(new Stat(0, 0, 0, 0, 0, -1, 0, 0, 0, 1, 0), root);
        Assert.True(tree.TryGetStat("/zookeeper", out var zk));
        Assert.Equal(new Stat(0, 0, 0, 0, 0, -2, 0, 0, 0, 2, 0), zk);
        Assert.True(tree.TryGetStat("/zookeeper/quota", out var quota));
        Assert.Equal(default, quota);
        Assert.True(tree.TryGetStat("/zookeeper/config", out var config));
        Assert.Equal(new Stat(0, 0, 0, 0, 0, 0, -1, 0, 2, 0, 0), config);
        Assert.Equal(0, tree.LastProcessedZxid);
    }

    [Fact]
    public void Fresh_root_data_is_empty_not_null_and_its_acl_is_open()
    {
        var h = new TreeHarness(withSessions: false);
        var data = (GetDataResponse)h.Read(OpCode.GetData, new GetDataRequest("/", false)).Body!;
        Assert.NotNull(data.Data);
        Assert.Empty(data.Data);
        var acl = (GetAclResponse)h.Read(OpCode.GetAcl, new GetAclRequest("/")).Body!;
        Assert.Equal(Acl.OpenAclUnsafe, acl.Acl);
        var config = (GetAclResponse)h.Read(OpCode.GetAcl, new GetAclRequest("/zookeeper/config")).Body!;
        Assert.Equal(Acl.ReadAclUnsafe, config.Acl);
    }

    [Fact]
    public void Fresh_tree_counts_match_ZooKeeper_srvr_and_mntr()
    {
        var tree = new Tree();
        Assert.Equal(4, tree.NodeCount);
        Assert.Equal(5, tree.ZkNodeCount);
        Assert.Equal(1 + 10 + 16 + 17, tree.ApproximateDataSize);
        Assert.Equal(0, tree.EphemeralCount);
        Assert.Equal(tree.ComputeDigest(), tree.Digest);
    }

    [Fact]
    public void Create_sets_every_zxid_and_time_of_the_new_node_and_zeroes_the_rest()
    {
        var h = new TreeHarness();
        var r = h.Create("/a", [1, 2, 3]);
        var z = h.Zxid;
        var expected = new Stat(z, z, h.TimeMs, h.TimeMs, 0, 0, 0, 0, 3, 0, z);
        Assert.Equal(expected, r.Stat);
        Assert.Equal(expected, h.Stat("/a"));
    }

    [Fact]
    public void Create_bumps_parent_cversion_pzxid_and_numChildren_but_not_its_mzxid_or_version()
    {
        var h = new TreeHarness();
        h.CreatePath("/p");
        h.SetData("/p", [1]);
        var before = h.Stat("/p");
        h.CreatePath("/p/c");
        var after = h.Stat("/p");
        Assert.Equal(before.Cversion + 1, after.Cversion);
        Assert.Equal(h.Zxid, after.Pzxid);
        Assert.Equal(before.NumChildren + 1, after.NumChildren);
        Assert.Equal(before.Mzxid, after.Mzxid);
        Assert.Equal(before.Mtime, after.Mtime);
        Assert.Equal(before.Version, after.Version);
    }

    [Fact]
    public void Delete_bumps_visible_parent_cversion_and_pzxid_and_drops_numChildren()
    {
        var h = new TreeHarness();
        h.CreatePath("/p");
        h.CreatePath("/p/c");
        var before = h.Stat("/p");
        Assert.Equal(KeeperErrorCode.Ok, h.Delete("/p/c"));
        var after = h.Stat("/p");
        Assert.Equal(before.Cversion + 1, after.Cversion);
        Assert.Equal(h.Zxid, after.Pzxid);
        Assert.Equal(0, after.NumChildren);
        Assert.Equal(before.Mzxid, after.Mzxid);
    }

    [Fact]
    public void Visible_cversion_is_twice_the_creations_minus_the_children()
    {
        var h = new TreeHarness();
        h.CreatePath("/p");
        for (var i = 0; i < 5; i++) h.CreatePath($"/p/c{i}");
        h.Delete("/p/c1");
        h.Delete("/p/c3");
        var s = h.Stat("/p");
        Assert.Equal(3, s.NumChildren);
        Assert.Equal((2 * 5) - 3, s.Cversion);
    }

    [Fact]
    public void SetData_bumps_version_mzxid_mtime_and_dataLength_only()
    {
        var h = new TreeHarness();
        h.CreatePath("/a", [1]);
        h.CreatePath("/a/c");
        var before = h.Stat("/a");
        var r = h.SetData("/a", [1, 2, 3, 4]);
        var after = h.Stat("/a");
        Assert.Equal(after, r.Stat);
        Assert.Equal(before with { Version = 1, Mzxid = h.Zxid, Mtime = h.TimeMs, DataLength = 4 }, after);
    }

    [Fact]
    public void SetAcl_bumps_aversion_only()
    {
        var h = new TreeHarness();
        h.CreatePath("/a", [1]);
        var before = h.Stat("/a");
        var r = h.Run(OpCode.SetAcl, new SetAclRequest("/a", Acl.ReadAclUnsafe, -1));
        Assert.Equal(KeeperErrorCode.Ok, r.Err);
        Assert.Equal(before with { Aversion = 1 }, h.Stat("/a"));
        Assert.Equal(h.Stat("/a"), r.Stat);
    }

    [Fact]
    public void SetAcl_fires_no_watch_change()
    {
        var h = new TreeHarness();
        h.CreatePath("/a");
        h.Run(OpCode.SetAcl, new SetAclRequest("/a", Acl.ReadAclUnsafe, -1));
        Assert.Empty(h.Changes);
    }

    [Fact]
    public void Null_data_reads_back_null_with_dataLength_zero()
    {
        var h = new TreeHarness();
        h.CreatePath("/n");
        var r = (GetDataResponse)h.Read(OpCode.GetData, new GetDataRequest("/n", false)).Body!;
        Assert.Null(r.Data);
        Assert.Equal(0, r.Stat.DataLength);
    }

    [Fact]
    public void Empty_data_reads_back_empty_not_null()
    {
        var h = new TreeHarness();
        h.CreatePath("/e", []);
        var r = (GetDataResponse)h.Read(OpCode.GetData, new GetDataRequest("/e", false)).Body!;
        Assert.NotNull(r.Data);
        Assert.Empty(r.Data);
    }

    [Fact]
    public void SetData_to_null_keeps_null_distinct_from_empty_in_the_digest()
    {
        var a = new TreeHarness();
        var b = new TreeHarness();
        a.CreatePath("/x", [1]);
        b.CreatePath("/x", [1]);
        a.SetData("/x", null);
        b.SetData("/x", []);
        Assert.NotEqual(a.Tree.Digest, b.Tree.Digest);
        Assert.Equal(a.Tree.ComputeDigest(), a.Tree.Digest);
        Assert.Equal(b.Tree.ComputeDigest(), b.Tree.Digest);
    }

    [Fact]
    public void Ephemeral_owner_is_the_session_id_for_ephemerals()
    {
        var h = new TreeHarness();
        Assert.Equal(TreeHarness.S1, h.Create("/e", mode: CreateMode.Ephemeral).Stat!.Value.EphemeralOwner);
    }

    [Fact]
    public void Container_and_ttl_nodes_store_their_marker_owner_but_show_zero()
    {
        var h = new TreeHarness(new DataTreeOptions { ExtendedTypesEnabled = true });
        var c = h.Run(OpCode.CreateContainer, new CreateRequest("/c", null, Acl.OpenAclUnsafe, (int)CreateMode.Container));
        var t = h.Run(OpCode.CreateTtl, new CreateRequest("/t", null, Acl.OpenAclUnsafe, (int)CreateMode.PersistentWithTtl, 5000));
        Assert.Equal(0, c.Stat!.Value.EphemeralOwner);
        Assert.Equal(0, t.Stat!.Value.EphemeralOwner);
        Assert.Equal(unchecked((long)0x8000000000000000UL), h.Tree.Find("/c")!.EphemeralOwner);
        Assert.Equal(unchecked((long)0xFF00000000000000UL) | 5000, h.Tree.Find("/t")!.EphemeralOwner);
    }

    [Fact]
    public void First_sequential_child_is_numbered_zero_even_under_root()
    {
        var h = new TreeHarness();
        Assert.Equal("/s0000000000", h.CreatePath("/s", mode: CreateMode.PersistentSequential));
    }

    [Fact]
    public void Sequence_counts_every_child_ever_created_including_deleted_and_non_sequential_ones()
    {
        var h = new TreeHarness();
        h.CreatePath("/p");
        h.CreatePath("/p/a");
        h.CreatePath("/p/b");
        h.Delete("/p/a");
        h.Delete("/p/b");
        Assert.Equal("/p/x0000000002", h.CreatePath("/p/x", mode: CreateMode.PersistentSequential));
        Assert.Equal("/p/x0000000003", h.CreatePath("/p/x", mode: CreateMode.EphemeralSequential));
    }

    [Fact]
    public void Sequential_create_with_trailing_slash_names_the_child_by_number_alone()
    {
        var h = new TreeHarness();
        h.CreatePath("/q");
        Assert.Equal("/q/0000000000", h.CreatePath("/q/", mode: CreateMode.PersistentSequential));
    }

    [Fact]
    public void Sequence_counter_is_a_signed_int_that_goes_negative_after_int_max()
    {
        var h = new TreeHarness();
        h.CreatePath("/p");
        // Put the parent's creation count at int.MaxValue the way a replayed txn would.
        h.ApplyBody(new CreateTxn("/p/seed", null, Acl.OpenAclUnsafe, CreateMode.Persistent, 0, int.MaxValue));
        Assert.Equal("/p/s2147483647", h.CreatePath("/p/s", mode: CreateMode.PersistentSequential));
        Assert.Equal("/p/s-2147483648", h.CreatePath("/p/s", mode: CreateMode.PersistentSequential));
        Assert.Equal("/p/s-2147483647", h.CreatePath("/p/s", mode: CreateMode.PersistentSequential));
    }

    [Fact]
    public void Version_wraps_through_minus_one_as_in_3_8()
    {
        var h = new TreeHarness();
        h.CreatePath("/v");
        h.ApplyBody(new SetDataTxn("/v", null, -2));
        Assert.Equal(-1, h.SetData("/v", [1], -2).Stat!.Value.Version);
        Assert.Equal(0, h.SetData("/v", [1], -1).Stat!.Value.Version);
    }

    [Fact]
    public void Version_wraps_from_int_max_to_int_min()
    {
        var h = new TreeHarness();
        h.CreatePath("/v");
        h.ApplyBody(new SetDataTxn("/v", null, int.MaxValue));
        Assert.Equal(int.MinValue, h.SetData("/v", [1], int.MaxValue).Stat!.Value.Version);
    }

    [Fact]
    public void Apply_refuses_a_zxid_that_does_not_grow()
    {
        var h = new TreeHarness();
        var z = h.Zxid;
        Assert.Throws<InvalidOperationException>(() => h.Tree.Apply(new Txn(1, 1, z, 1, new ErrorTxn(KeeperErrorCode.NoNode))));
    }

    [Fact]
    public void Failed_request_consumes_its_zxid()
    {
        var h = new TreeHarness();
        var r = h.Create("/missing/child");
        Assert.Equal(KeeperErrorCode.NoNode, r.Err);
        Assert.Equal(h.Zxid, h.Tree.LastProcessedZxid);
    }

    [Fact]
    public void Counters_follow_creates_deletes_and_data_changes()
    {
        var h = new TreeHarness();
        var size0 = h.Tree.ApproximateDataSize;
        h.CreatePath("/abc", [1, 2]);
        Assert.Equal(5, h.Tree.NodeCount);
        Assert.Equal(size0 + 4 + 2, h.Tree.ApproximateDataSize);
        h.SetData("/abc", [1, 2, 3, 4, 5]);
        Assert.Equal(size0 + 4 + 5, h.Tree.ApproximateDataSize);
        h.CreatePath("/e", mode: CreateMode.Ephemeral);
        Assert.Equal(1, h.Tree.EphemeralCount);
        h.Delete("/abc");
        h.Delete("/e");
        Assert.Equal(4, h.Tree.NodeCount);
        Assert.Equal(size0, h.Tree.ApproximateDataSize);
        Assert.Equal(0, h.Tree.EphemeralCount);
    }

    [Fact]
    public void Identical_acl_lists_share_one_instance()
    {
        var h = new TreeHarness();
        var acls = h.Tree.AclCount;
        for (var i = 0; i < 10; i++) Assert.Equal(KeeperErrorCode.Ok, h.Create($"/n{i}", acl: [new(Perms.All, Id.Anyone)]).Err);
        Assert.Equal(acls, h.Tree.AclCount);
        Assert.Equal(KeeperErrorCode.Ok, h.Create("/r", acl: [new(Perms.Read, Id.Anyone), new(Perms.Write, Id.Anyone)]).Err);
        Assert.Equal(acls + 1, h.Tree.AclCount);
        h.Delete("/r");
        Assert.Equal(acls, h.Tree.AclCount);
    }

    [Fact]
    public void Tree_changes_carry_the_acl_that_gates_delivery()
    {
        var h = new TreeHarness();
        IReadOnlyList<Acl> parentAcl = [new(Perms.All, new Id("ip", "10.0.0.1"))];
        var ip = Zk.Core.DataTree.Auth.AuthContext.From([new Id("ip", "10.0.0.1")]);
        Assert.Equal(KeeperErrorCode.Ok, h.Create("/p", acl: parentAcl).Err);
        Assert.Equal(KeeperErrorCode.Ok, h.Create("/p/c", acl: Acl.ReadAclUnsafe, auth: ip).Err);
        Assert.Equal([(EventType.NodeCreated, "/p/c", Acl.ReadAclUnsafe), (EventType.NodeChildrenChanged, "/p", parentAcl)],
            h.Changes.Select(c => (c.Type, c.Path, (IReadOnlyList<Acl>)c.Acl.ToList())).ToList(), new ChangeComparer());
        Assert.Equal(KeeperErrorCode.Ok, h.Delete("/p/c", auth: ip));
        Assert.Equal([(EventType.NodeDeleted, "/p/c", Acl.ReadAclUnsafe), (EventType.NodeChildrenChanged, "/p", parentAcl)],
            h.Changes.Select(c => (c.Type, c.Path, (IReadOnlyList<Acl>)c.Acl.ToList())).ToList(), new ChangeComparer());
        Assert.Equal(KeeperErrorCode.Ok, h.SetData("/p", [1], auth: ip).Err);
        Assert.Equal([(EventType.NodeDataChanged, "/p", parentAcl)],
            h.Changes.Select(c => (c.Type, c.Path, (IReadOnlyList<Acl>)c.Acl.ToList())).ToList(), new ChangeComparer());
    }

    private sealed class ChangeComparer : IEqualityComparer<(EventType, string, IReadOnlyList<Acl>)>
    {
        public bool Equals((EventType, string, IReadOnlyList<Acl>) x, (EventType, string, IReadOnlyList<Acl>) y) =>
            x.Item1 == y.Item1 && x.Item2 == y.Item2 && x.Item3.SequenceEqual(y.Item3);

        public int GetHashCode((EventType, string, IReadOnlyList<Acl>) obj) => obj.Item2.GetHashCode(StringComparison.Ordinal);
    }
}
