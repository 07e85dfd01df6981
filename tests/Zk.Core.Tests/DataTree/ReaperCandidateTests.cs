// Specifications of which containers and TTL nodes the reaper may delete (reference §8).
using Zk.Core.Testing;
using Zk.Protocol;
using Zk.Protocol.Records;
using Zk.Core.DataTree;

namespace Zk.Core.Tests.DataTree;

public sealed class ReaperCandidateTests
{
    private readonly TreeHarness _h = new(new DataTreeOptions { ExtendedTypesEnabled = true });

    private List<string> Candidates(long nowMs, long maxNeverUsedIntervalMs = 0)
    {
        var list = new List<string>();
        _h.Tree.GetReapCandidates(nowMs, maxNeverUsedIntervalMs, list);
        return list;
    }

    private void Container(string path) =>
        Assert.Equal(KeeperErrorCode.Ok, _h.Run(OpCode.CreateContainer, new CreateRequest(path, null, Acl.OpenAclUnsafe, (int)CreateMode.Container)).Err);

    private void Ttl(string path, long ttl) =>
        Assert.Equal(KeeperErrorCode.Ok, _h.Run(OpCode.CreateTtl, new CreateRequest(path, null, Acl.OpenAclUnsafe, (int)CreateMode.PersistentWithTtl, ttl)).Err);

    [Fact]
    public void Empty_container_that_once_had_a_child_is_a_candidate()
    {
        Container("/c");
        _h.CreatePath("/c/x");
        Assert.Empty(Candidates(_h.TimeMs));
        _h.Delete("/c/x");
        Assert.Equal(["/c"], Candidates(_h.TimeMs));
    }

    [Fact]
    public void Never_used_container_stays_unless_the_never_used_interval_is_set_and_exceeded()
    {
        Container("/c");
        var created = _h.TimeMs;
        Assert.Empty(Candidates(created + 1_000_000));
        Assert.Empty(Candidates(created + 1000, maxNeverUsedIntervalMs: 1000));
        Assert.Equal(["/c"], Candidates(created + 1001, maxNeverUsedIntervalMs: 1000));
    }

    [Fact]
    public void Ttl_node_expires_when_idle_longer_than_its_ttl_and_setData_resets_the_clock()
    {
        Ttl("/t", 500);
        var created = _h.TimeMs;
        Assert.Empty(Candidates(created + 500));
        Assert.Equal(["/t"], Candidates(created + 501));
        _h.SetData("/t", [1]);
        Assert.Empty(Candidates(created + 501));
        Assert.Equal(["/t"], Candidates(_h.TimeMs + 501));
    }

    [Fact]
    public void Ttl_node_with_children_is_not_a_candidate()
    {
        Ttl("/t", 10);
        _h.CreatePath("/t/child");
        Assert.Empty(Candidates(_h.TimeMs + 1_000_000));
    }

    [Fact]
    public void Plain_nodes_are_never_candidates_and_candidates_come_sorted()
    {
        _h.CreatePath("/p");
        _h.CreatePath("/p/x");
        _h.Delete("/p/x");
        Ttl("/z", 1);
        Ttl("/m", 1);
        Assert.Equal(["/m", "/z"], Candidates(_h.TimeMs + 10));
    }

    [Fact]
    public void Deleted_container_leaves_the_candidate_list()
    {
        Container("/c");
        _h.CreatePath("/c/x");
        _h.Delete("/c/x");
        Assert.Equal(KeeperErrorCode.Ok, _h.Err(OpCode.DeleteContainer, new DeleteContainerRequest("/c"), session: 0));
        Assert.Empty(Candidates(_h.TimeMs));
        Assert.Equal([(EventType.NodeDeleted, "/c"), (EventType.NodeChildrenChanged, "/")], _h.Changes.Select(c => (c.Type, c.Path)));
    }

    [Fact]
    public void Container_recreated_as_persistent_is_not_reaped_by_a_stale_candidate()
    {
        Container("/c");
        _h.CreatePath("/c/x");
        _h.Delete("/c/x");
        Assert.Equal(["/c"], Candidates(_h.TimeMs));
        _h.Delete("/c");
        _h.CreatePath("/c");
        Assert.Equal(KeeperErrorCode.BadVersion, _h.Err(OpCode.DeleteContainer, new DeleteContainerRequest("/c"), session: 0));
        Assert.True(_h.Tree.Exists("/c"));
    }
}
