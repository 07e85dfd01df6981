// Specifications of validation against txns prepared but not yet applied (ZooKeeper's outstandingChanges),
// of multi atomicity and result shapes, and of session rules: ephemerals, closing sessions, ZOOKEEPER-1208.
using Zk.Core.Testing;
using Zk.Protocol;
using Zk.Protocol.Records;
using Zk.Core.DataTree;

namespace Zk.Core.Tests.DataTree;

public sealed class PreparerPendingTests
{
    private static CreateRequest C(string path, CreateMode mode = CreateMode.Persistent, byte[]? data = null) =>
        new(path, data, Acl.OpenAclUnsafe, (int)mode);

    private static MultiOp Op(OpCode op, Request body) => new(op, body);

    private static KeeperErrorCode Code(Txn txn) => txn.Body is ErrorTxn e ? e.Code : KeeperErrorCode.Ok;

    [Fact]
    public void Pending_create_is_visible_to_the_next_prepare()
    {
        var h = new TreeHarness();
        var first = h.Prepare(OpCode.Create, C("/a"));
        Assert.Equal(KeeperErrorCode.NodeExists, Code(h.Prepare(OpCode.Create, C("/a"))));
        Assert.Equal(KeeperErrorCode.Ok, Code(h.Prepare(OpCode.Create, C("/a/b"))));
        Assert.Equal(KeeperErrorCode.Ok, first.Body is CreateTxn ? KeeperErrorCode.Ok : KeeperErrorCode.SystemError);
    }

    [Fact]
    public void Pending_creates_count_toward_NotEmpty()
    {
        var h = new TreeHarness();
        h.CreatePath("/a");
        h.Prepare(OpCode.Create, C("/a/child"));
        Assert.Equal(KeeperErrorCode.NotEmpty, Code(h.Prepare(OpCode.Delete, new DeleteRequest("/a", -1))));
    }

    [Fact]
    public void Pending_deletes_make_a_parent_deletable()
    {
        var h = new TreeHarness();
        h.CreatePath("/a");
        h.CreatePath("/a/child");
        var d1 = h.Prepare(OpCode.Delete, new DeleteRequest("/a/child", -1));
        var d2 = h.Prepare(OpCode.Delete, new DeleteRequest("/a", -1));
        Assert.Equal(KeeperErrorCode.Ok, Code(d2));
        h.Apply(d1);
        h.Apply(d2);
        Assert.False(h.Tree.Exists("/a"));
        Assert.Equal(0, h.Tree.ReplayAnomalies);
    }

    [Fact]
    public void Pending_delete_hides_the_node_from_later_prepares()
    {
        var h = new TreeHarness();
        h.CreatePath("/a");
        h.Prepare(OpCode.Delete, new DeleteRequest("/a", -1));
        Assert.Equal(KeeperErrorCode.NoNode, Code(h.Prepare(OpCode.SetData, new SetDataRequest("/a", null, -1))));
        Assert.Equal(KeeperErrorCode.Ok, Code(h.Prepare(OpCode.Create, C("/a"))));
    }

    [Fact]
    public void Pending_setData_versions_chain()
    {
        var h = new TreeHarness();
        h.CreatePath("/a");
        var t1 = h.Prepare(OpCode.SetData, new SetDataRequest("/a", [1], 0));
        var t2 = h.Prepare(OpCode.SetData, new SetDataRequest("/a", [2], 1));
        Assert.Equal(KeeperErrorCode.BadVersion, Code(h.Prepare(OpCode.SetData, new SetDataRequest("/a", [3], 1))));
        Assert.Equal(1, ((SetDataTxn)t1.Body).Version);
        Assert.Equal(2, ((SetDataTxn)t2.Body).Version);
    }

    [Fact]
    public void Sequence_numbers_count_pending_creations()
    {
        var h = new TreeHarness();
        h.CreatePath("/q");
        var a = h.Prepare(OpCode.Create, C("/q/n-", CreateMode.PersistentSequential));
        var b = h.Prepare(OpCode.Create, C("/q/n-", CreateMode.PersistentSequential));
        Assert.Equal("/q/n-0000000000", ((CreateTxn)a.Body).Path);
        Assert.Equal("/q/n-0000000001", ((CreateTxn)b.Body).Path);
        Assert.Equal(1, ((CreateTxn)a.Body).ParentCreations);
        Assert.Equal(2, ((CreateTxn)b.Body).ParentCreations);
    }

    [Fact]
    public void Applied_forgets_pending_changes_and_the_tree_answers_again()
    {
        var h = new TreeHarness();
        var t = h.Prepare(OpCode.Create, C("/a"));
        Assert.True(h.Preparer.PendingCount > 0);
        h.Apply(t);
        Assert.Equal(0, h.Preparer.PendingCount);
        Assert.Equal(KeeperErrorCode.NodeExists, Code(h.Prepare(OpCode.Create, C("/a"))));
    }

    [Fact]
    public void Clear_forgets_pending_changes_when_leadership_is_lost()
    {
        var h = new TreeHarness();
        h.Prepare(OpCode.Create, C("/a"));
        h.Preparer.Clear();
        Assert.Equal(0, h.Preparer.PendingCount);
        Assert.Equal(KeeperErrorCode.Ok, Code(h.Prepare(OpCode.Create, C("/a"))));
    }

    [Fact]
    public void Prepare_refuses_a_zxid_that_does_not_grow()
    {
        var h = new TreeHarness();
        var ctx = new PrepareContext(TreeHarness.S1, 1, h.Zxid, 0, Zk.Core.DataTree.Auth.AuthContext.Anonymous);
        Assert.Throws<InvalidOperationException>(() => h.Preparer.Prepare(ctx, OpCode.Create, C("/a")));
    }

    [Fact]
    public void Successful_multi_applies_every_op_under_one_zxid_with_results_in_order()
    {
        var h = new TreeHarness();
        h.CreatePath("/x", [0]);
        var request = new MultiRequest([
            Op(OpCode.Create, C("/a")),
            Op(OpCode.Create2, C("/a/b", CreateMode.PersistentSequential, [1])),
            Op(OpCode.SetData, new SetDataRequest("/x", [2], 0)),
            Op(OpCode.Check, new CheckVersionRequest("/x", 1)),
            Op(OpCode.Delete, new DeleteRequest("/x", 1)),
        ]);
        var r = h.Run(OpCode.Multi, request);
        var z = h.Zxid;
        Assert.Equal(KeeperErrorCode.Ok, r.Err);
        Assert.Equal([TxnType.Create, TxnType.Create, TxnType.SetData, TxnType.Check, TxnType.Delete], r.Multi!.Select(o => o.Type));
        Assert.All(r.Multi!, o => Assert.Equal(KeeperErrorCode.Ok, o.Err));
        Assert.Equal("/a/b0000000000", r.Multi![1].Path);
        Assert.Equal(z, h.Stat("/a").Czxid);
        Assert.Equal(z, h.Stat("/a/b0000000000").Czxid);
        Assert.False(h.Tree.Exists("/x"));
        // The stat of each op is the one right after that op: /a had no children yet when it was created.
        Assert.Equal(0, r.Multi![0].Stat!.Value.NumChildren);
        Assert.Equal(1, h.Stat("/a").NumChildren);
        Assert.Equal(1, r.Multi![2].Stat!.Value.Version);
        Assert.Null(r.Multi![3].Stat);
    }

    [Fact]
    public void Failed_multi_applies_nothing_and_reports_zero_code_then_minus_two()
    {
        var h = new TreeHarness();
        h.CreatePath("/x", [0]);
        var digest = h.Tree.Digest;
        var stat = h.Stat("/");
        var request = new MultiRequest([
            Op(OpCode.Create, C("/a")),
            Op(OpCode.SetData, new SetDataRequest("/x", [1], -1)),
            Op(OpCode.Create, C("/a")),
            Op(OpCode.Delete, new DeleteRequest("/x", -1)),
        ]);
        var txn = h.Prepare(OpCode.Multi, request);
        var m = Assert.IsType<MultiTxn>(txn.Body);
        Assert.Equal([KeeperErrorCode.Ok, KeeperErrorCode.Ok, KeeperErrorCode.NodeExists, KeeperErrorCode.RuntimeInconsistency],
            m.Ops.Select(o => Assert.IsType<ErrorTxn>(o).Code));
        var r = h.Apply(txn);
        Assert.Equal(KeeperErrorCode.NodeExists, r.Err);
        Assert.Empty(h.Changes);
        Assert.False(h.Tree.Exists("/a"));
        Assert.Equal(h.Zxid, h.Tree.LastProcessedZxid);
        Assert.Equal(stat, h.Stat("/"));
        Assert.NotEqual(0UL, digest);
        Assert.Equal(digest, h.Tree.Digest);
        Assert.All(r.Multi!, x => Assert.Equal(TxnType.Error, x.Type));
        Assert.Equal([0, 0, -110, -2], r.Multi!.Select(x => (int)x.Err));
    }

    [Fact]
    public void Failed_multi_rolls_back_its_pending_changes()
    {
        var h = new TreeHarness();
        h.CreatePath("/q");
        h.Prepare(OpCode.Multi, new MultiRequest([
            Op(OpCode.Create, C("/q/s", CreateMode.PersistentSequential)),
            Op(OpCode.Create, C("/missing/x")),
        ]));
        // Neither the node nor the sequence number survive the rollback.
        Assert.Equal(KeeperErrorCode.Ok, Code(h.Prepare(OpCode.Create, C("/q/s0000000000"))));
        var seq = h.Prepare(OpCode.Create, C("/q/s", CreateMode.PersistentSequential));
        Assert.Equal("/q/s0000000001", ((CreateTxn)seq.Body).Path);
    }

    [Fact]
    public void Failed_multi_restores_records_of_earlier_pending_txns()
    {
        var h = new TreeHarness();
        h.CreatePath("/a");
        h.Prepare(OpCode.SetData, new SetDataRequest("/a", [1], -1));
        h.Prepare(OpCode.Multi, new MultiRequest([
            Op(OpCode.SetData, new SetDataRequest("/a", [2], 1)),
            Op(OpCode.Delete, new DeleteRequest("/none", -1)),
        ]));
        Assert.Equal(KeeperErrorCode.Ok, Code(h.Prepare(OpCode.SetData, new SetDataRequest("/a", [3], 1))));
    }

    [Fact]
    public void Sequence_numbers_advance_within_a_multi()
    {
        var h = new TreeHarness();
        h.CreatePath("/q");
        var r = h.Run(OpCode.Multi, new MultiRequest([
            Op(OpCode.Create, C("/q/a", CreateMode.PersistentSequential)),
            Op(OpCode.Create, C("/q/plain")),
            Op(OpCode.Create, C("/q/a", CreateMode.PersistentSequential)),
        ]));
        Assert.Equal(["/q/a0000000000", "/q/plain", "/q/a0000000002"], r.Multi!.Select(o => o.Path));
        Assert.Equal(3, h.Stat("/q").Cversion);
    }

    [Fact]
    public void Multi_fires_the_watch_changes_of_every_op()
    {
        var h = new TreeHarness();
        h.Run(OpCode.Multi, new MultiRequest([Op(OpCode.Create, C("/a")), Op(OpCode.SetData, new SetDataRequest("/a", [1], -1))]));
        Assert.Equal(
            [(EventType.NodeCreated, "/a"), (EventType.NodeChildrenChanged, "/"), (EventType.NodeDataChanged, "/a")],
            h.Changes.Select(c => (c.Type, c.Path)));
    }

    [Fact]
    public void Ephemeral_create_for_an_unknown_session_fails()
    {
        var h = new TreeHarness();
        Assert.Equal(KeeperErrorCode.SessionExpired, h.Create("/e", mode: CreateMode.Ephemeral, session: 42).Err);
    }

    [Fact]
    public void Session_is_usable_while_its_createSession_is_still_pending()
    {
        var h = new TreeHarness();
        h.Prepare(OpCode.CreateSession, new CreateSessionRequest(10_000, TreeHarness.Password(77)), 77);
        Assert.Equal(KeeperErrorCode.Ok, Code(h.Prepare(OpCode.Create, C("/e", CreateMode.Ephemeral), 77)));
    }

    [Fact]
    public void Ephemeral_create_after_a_pending_close_fails_ZOOKEEPER_1208()
    {
        var h = new TreeHarness();
        var close = h.Prepare(OpCode.CloseSession, EmptyRequest.Instance, TreeHarness.S1);
        Assert.True(h.Preparer.IsSessionClosing(TreeHarness.S1));
        Assert.Equal(KeeperErrorCode.SessionExpired, Code(h.Prepare(OpCode.Create, C("/e", CreateMode.Ephemeral))));
        Assert.Equal(KeeperErrorCode.SessionExpired, Code(h.Prepare(OpCode.Create, C("/p"))));
        h.Apply(close);
        Assert.False(h.Tree.HasSession(TreeHarness.S1));
        Assert.Equal(KeeperErrorCode.SessionExpired, Code(h.Prepare(OpCode.SetData, new SetDataRequest("/", null, -1))));
    }

    [Fact]
    public void CloseSession_lists_applied_and_pending_ephemerals_but_not_pending_deletes()
    {
        var h = new TreeHarness();
        h.CreatePath("/p");
        h.CreatePath("/p/e1", mode: CreateMode.Ephemeral);
        h.CreatePath("/p/e2", mode: CreateMode.Ephemeral);
        h.CreatePath("/other", mode: CreateMode.Ephemeral, session: TreeHarness.S2);
        var pendingCreate = h.Prepare(OpCode.Create, C("/p/e3", CreateMode.EphemeralSequential));
        var pendingDelete = h.Prepare(OpCode.Delete, new DeleteRequest("/p/e1", -1));
        var close = h.Prepare(OpCode.CloseSession, EmptyRequest.Instance);
        Assert.Equal(["/p/e2", "/p/e30000000002"], ((CloseSessionTxn)close.Body).PathsToDelete);
        h.Apply(pendingCreate);
        h.Apply(pendingDelete);
        h.Apply(close);
        Assert.Empty(h.Tree.GetEphemerals(TreeHarness.S1));
        Assert.Equal(["/other"], h.Tree.GetEphemerals(TreeHarness.S2));
        Assert.Equal(0, h.Stat("/p").NumChildren);
        Assert.Equal(0, h.Tree.ReplayAnomalies);
    }

    [Fact]
    public void CloseSession_deletes_ephemerals_with_their_watch_changes_and_removes_the_session()
    {
        var h = new TreeHarness();
        h.CreatePath("/p");
        h.CreatePath("/p/e", mode: CreateMode.Ephemeral);
        h.CloseSession(TreeHarness.S1);
        Assert.Equal(
            [(EventType.NodeDeleted, "/p/e"), (EventType.NodeChildrenChanged, "/p")],
            h.Changes.Select(c => (c.Type, c.Path)));
        Assert.False(h.Tree.HasSession(TreeHarness.S1));
        Assert.Equal(h.Zxid, h.Stat("/p").Pzxid);
        Assert.Equal(0, h.Tree.EphemeralCount);
    }

    [Fact]
    public void Pending_close_counts_its_deletions_so_the_parent_can_be_deleted()
    {
        var h = new TreeHarness();
        h.CreatePath("/p", session: TreeHarness.S2);
        h.CreatePath("/p/e", mode: CreateMode.Ephemeral);
        var close = h.Prepare(OpCode.CloseSession, EmptyRequest.Instance);
        var delete = h.Prepare(OpCode.Delete, new DeleteRequest("/p", -1), TreeHarness.S2);
        Assert.Equal(KeeperErrorCode.Ok, Code(delete));
        h.Apply(close);
        h.Apply(delete);
        Assert.False(h.Tree.Exists("/p"));
        Assert.Equal(0, h.Tree.ReplayAnomalies);
    }

    [Fact]
    public void Another_session_cannot_delete_an_ephemeral_whose_close_is_pending()
    {
        var h = new TreeHarness();
        h.CreatePath("/e", mode: CreateMode.Ephemeral);
        h.Prepare(OpCode.CloseSession, EmptyRequest.Instance);
        Assert.Equal(KeeperErrorCode.NoNode, Code(h.Prepare(OpCode.Delete, new DeleteRequest("/e", -1), TreeHarness.S2)));
    }

    [Fact]
    public void CreateSession_records_timeout_and_password()
    {
        var h = new TreeHarness();
        h.CreateSession(99, 12_345);
        Assert.True(h.Tree.TryGetSession(99, out var s));
        Assert.Equal(12_345, s.TimeoutMs);
        Assert.Equal(TreeHarness.Password(99), s.Password);
    }

    [Fact]
    public void Reconfig_is_disabled_and_still_consumes_a_zxid()
    {
        var h = new TreeHarness();
        var txn = h.Prepare(OpCode.Reconfig, new ReconfigRequest(null, null, null, -1));
        Assert.Equal(KeeperErrorCode.ReconfigDisabled, Code(txn));
        Assert.Equal(KeeperErrorCode.ReconfigDisabled, h.Apply(txn).Err);
    }

    [Fact]
    public void Plain_create_with_container_flags_makes_a_persistent_node_as_ZooKeeper_does()
    {
        var h = new TreeHarness();
        var r = h.Run(OpCode.Create, new CreateRequest("/c", null, Acl.OpenAclUnsafe, (int)CreateMode.Container));
        Assert.Equal(KeeperErrorCode.Ok, r.Err);
        Assert.Equal(0, h.Tree.Find("/c")!.EphemeralOwner);
    }

    [Fact]
    public void Undecodable_multi_becomes_a_MarshallingError_txn()
    {
        var h = new TreeHarness();
        var txn = h.Prepare(OpCode.Multi, new BadMultiRequest(OpCode.Multi, "a read inside a multi"));
        Assert.Equal(KeeperErrorCode.MarshallingError, Code(txn));
    }

    [Fact]
    public void Multi_op_outside_the_allowed_set_fails_that_op()
    {
        var h = new TreeHarness();
        h.CreatePath("/a");
        var r = h.Run(OpCode.Multi, new MultiRequest([
            Op(OpCode.Create, C("/b")),
            Op(OpCode.SetAcl, new SetAclRequest("/a", Acl.OpenAclUnsafe, -1)),
        ]));
        Assert.Equal([KeeperErrorCode.Ok, KeeperErrorCode.MarshallingError], r.Multi!.Select(o => o.Err));
        Assert.False(h.Tree.Exists("/b"));
    }
}
