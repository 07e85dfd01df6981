// Specifications of watch registration and firing (reference §7), driven by the TreeChanges real mutations
// produce: one-shot standard watches, persistent and recursive ones, delete's double delivery rule, the ACL
// filter, SetWatches catch-up, removal and the wchs/wchc/wchp listings.
using Zk.Core.Testing;
using Zk.Protocol;
using Zk.Protocol.Records;
using Zk.Core.DataTree;
using Zk.Core.DataTree.Auth;

namespace Zk.Core.Tests.DataTree;

public sealed class WatchManagerTests
{
    private sealed class Conn(string name)
    {
        public override string ToString() => name;
    }

    private readonly TreeHarness _h = new();
    private readonly WatchManager<Conn> _w = new();
    private readonly Conn _a = new("a");
    private readonly Conn _b = new("b");

    private List<(Conn Watcher, EventType Type, string Path)> Fire(Func<Conn, IReadOnlyList<Acl>, bool>? canRead = null)
    {
        var output = new List<(Conn, WatcherEvent)>();
        foreach (var change in _h.Changes) _w.Trigger(change, canRead, output);
        Assert.All(output, e => Assert.Equal(KeeperState.SyncConnected, e.Item2.State));
        return output.Select(e => (e.Item1, e.Item2.Type, e.Item2.Path)).ToList();
    }

    [Fact]
    public void Create_fires_NodeCreated_to_data_watchers_and_NodeChildrenChanged_to_parent_child_watchers()
    {
        _h.CreatePath("/p");
        _w.AddDataWatch("/p/x", _a);
        _w.AddChildWatch("/p", _b);
        _w.AddChildWatch("/p/x", _a);
        _h.CreatePath("/p/x");
        Assert.Equal([(_a, EventType.NodeCreated, "/p/x"), (_b, EventType.NodeChildrenChanged, "/p")], Fire());
    }

    [Fact]
    public void Standard_watches_fire_once()
    {
        _h.CreatePath("/x");
        _w.AddDataWatch("/x", _a);
        _h.SetData("/x", [1]);
        Assert.Single(Fire());
        _h.SetData("/x", [2]);
        Assert.Empty(Fire());
        Assert.Equal(0, _w.DataWatchCount);
    }

    [Fact]
    public void Registering_twice_still_delivers_one_event()
    {
        _h.CreatePath("/x");
        _w.AddDataWatch("/x", _a);
        _w.AddDataWatch("/x", _a);
        _h.SetData("/x", [1]);
        Assert.Equal([(_a, EventType.NodeDataChanged, "/x")], Fire());
    }

    [Fact]
    public void Delete_fires_NodeDeleted_to_data_and_child_watchers_once_per_connection_and_parent_children_changed()
    {
        _h.CreatePath("/p");
        _h.CreatePath("/p/x");
        _w.AddDataWatch("/p/x", _a);
        _w.AddChildWatch("/p/x", _a);
        _w.AddChildWatch("/p/x", _b);
        _w.AddChildWatch("/p", _b);
        _h.Delete("/p/x");
        Assert.Equal(
            [(_a, EventType.NodeDeleted, "/p/x"), (_b, EventType.NodeDeleted, "/p/x"), (_b, EventType.NodeChildrenChanged, "/p")],
            Fire());
        Assert.Equal(0, _w.TotalWatchCount);
    }

    [Fact]
    public void SetData_fires_only_NodeDataChanged_to_data_watchers()
    {
        _h.CreatePath("/x");
        _w.AddChildWatch("/x", _a);
        _w.AddDataWatch("/x", _b);
        _h.SetData("/x", [1]);
        Assert.Equal([(_b, EventType.NodeDataChanged, "/x")], Fire());
        Assert.True(_w.Contains("/x", WatcherType.Children, _a));
    }

    [Fact]
    public void Persistent_watch_sees_all_four_events_on_its_own_path_and_stays()
    {
        _w.AddPersistentWatch("/x", _a, AddWatchMode.Persistent);
        var events = new List<(Conn, EventType, string)>();
        void Step(Action op)
        {
            op();
            events.AddRange(Fire());
        }
        Step(() => _h.CreatePath("/x"));
        Step(() => _h.CreatePath("/x/c"));
        Step(() => _h.SetData("/x", [1]));
        Step(() => _h.SetData("/x/c", [1]));
        Step(() => _h.Delete("/x/c"));
        Step(() => _h.Delete("/x"));
        Step(() => _h.CreatePath("/x"));
        Assert.Equal(
            [(_a, EventType.NodeCreated, "/x"), (_a, EventType.NodeChildrenChanged, "/x"), (_a, EventType.NodeDataChanged, "/x"),
             (_a, EventType.NodeChildrenChanged, "/x"), (_a, EventType.NodeDeleted, "/x"), (_a, EventType.NodeCreated, "/x")],
            events);
    }

    [Fact]
    public void Recursive_watch_covers_descendants_but_never_gets_NodeChildrenChanged()
    {
        _w.AddPersistentWatch("/r", _a, AddWatchMode.PersistentRecursive);
        _h.CreatePath("/r");
        Assert.Equal([(_a, EventType.NodeCreated, "/r")], Fire());
        _h.CreatePath("/r/c");
        Assert.Equal([(_a, EventType.NodeCreated, "/r/c")], Fire());
        _h.CreatePath("/r/c/d");
        Assert.Equal([(_a, EventType.NodeCreated, "/r/c/d")], Fire());
        _h.SetData("/r/c/d", [1]);
        Assert.Equal([(_a, EventType.NodeDataChanged, "/r/c/d")], Fire());
        _h.Delete("/r/c/d");
        Assert.Equal([(_a, EventType.NodeDeleted, "/r/c/d")], Fire());
        _h.CreatePath("/rx");
        Assert.Empty(Fire());
    }

    [Fact]
    public void Recursive_watch_on_root_sees_everything_once()
    {
        _w.AddPersistentWatch("/", _a, AddWatchMode.PersistentRecursive);
        _w.AddDataWatch("/x", _a);
        _h.CreatePath("/x");
        Assert.Equal([(_a, EventType.NodeCreated, "/x")], Fire());
        Assert.True(_w.Contains("/", WatcherType.Any, _a));
    }

    [Fact]
    public void Standard_watch_next_to_a_persistent_one_is_consumed_and_the_persistent_stays()
    {
        _h.CreatePath("/x");
        _w.AddPersistentWatch("/x", _a, AddWatchMode.Persistent);
        _w.AddDataWatch("/x", _a);
        _h.SetData("/x", [1]);
        Assert.Single(Fire());
        _h.SetData("/x", [2]);
        Assert.Single(Fire());
    }

    [Fact]
    public void Acl_filter_drops_the_event_but_still_consumes_the_watch()
    {
        _h.CreatePath("/x");
        _w.AddDataWatch("/x", _a);
        _w.AddDataWatch("/x", _b);
        _h.SetData("/x", [1]);
        Assert.Equal([(_b, EventType.NodeDataChanged, "/x")], Fire((c, _) => c == _b));
        Assert.Equal(0, _w.DataWatchCount);
    }

    [Fact]
    public void Acl_filter_uses_the_parent_acl_for_NodeChildrenChanged()
    {
        var alice = TreeHarness.Digest("alice", "secret");
        Assert.Equal(KeeperErrorCode.Ok, _h.Create("/p", acl: [new(Perms.All, alice.Ids[0]), new(Perms.Create, Id.Anyone)], auth: alice).Err);
        _w.AddChildWatch("/p", _a);
        _w.AddDataWatch("/p/x", _a);
        _h.CreatePath("/p/x");
        var filter = WatchManager<Conn>.ReadFilter(AclPolicy.Default, _ => AuthContext.Anonymous);
        // The new node is world-readable, its parent is not: only NodeCreated gets through.
        Assert.Equal([(_a, EventType.NodeCreated, "/p/x")], Fire(filter));
    }

    [Fact]
    public void Acl_denied_data_watcher_is_not_retried_through_the_child_table_on_delete()
    {
        _h.CreatePath("/x");
        _w.AddDataWatch("/x", _a);
        _w.AddChildWatch("/x", _a);
        _h.Delete("/x");
        Assert.Empty(Fire((_, _) => false));
        Assert.Equal(0, _w.TotalWatchCount);
    }

    [Fact]
    public void Session_close_fires_NodeDeleted_for_its_ephemerals()
    {
        _h.CreatePath("/p");
        _h.CreatePath("/p/e", mode: CreateMode.Ephemeral);
        _w.AddDataWatch("/p/e", _a);
        _w.AddChildWatch("/p", _b);
        _h.CloseSession(TreeHarness.S1);
        Assert.Equal([(_a, EventType.NodeDeleted, "/p/e"), (_b, EventType.NodeChildrenChanged, "/p")], Fire());
    }

    [Fact]
    public void Exist_watch_on_a_missing_node_fires_on_create()
    {
        _w.AddDataWatch("/later", _a);
        _h.CreatePath("/later");
        Assert.Equal([(_a, EventType.NodeCreated, "/later")], Fire());
    }

    [Fact]
    public void Check_and_remove_watches_by_type()
    {
        _w.AddDataWatch("/x", _a);
        _w.AddChildWatch("/y", _a);
        Assert.True(_w.Contains("/x", WatcherType.Data, _a));
        Assert.False(_w.Contains("/x", WatcherType.Children, _a));
        Assert.True(_w.Contains("/x", WatcherType.Any, _a));
        Assert.False(_w.Contains("/x", WatcherType.Data, _b));
        Assert.False(_w.Remove("/x", WatcherType.Children, _a));
        Assert.True(_w.Remove("/x", WatcherType.Data, _a));
        Assert.False(_w.Remove("/x", WatcherType.Any, _a));
        Assert.True(_w.Remove("/y", WatcherType.Any, _a));
        Assert.Equal(0, _w.TotalWatchCount);
    }

    [Fact]
    public void Remove_any_drops_persistent_watches_from_both_tables()
    {
        _w.AddPersistentWatch("/x", _a, AddWatchMode.PersistentRecursive);
        Assert.Equal(2, _w.TotalWatchCount);
        Assert.True(_w.Remove("/x", WatcherType.Any, _a));
        Assert.Equal(0, _w.TotalWatchCount);
        _h.CreatePath("/x");
        _h.CreatePath("/x/y");
        Assert.Empty(Fire());
    }

    [Fact]
    public void RemoveWatcher_forgets_every_watch_of_a_connection()
    {
        _w.AddDataWatch("/x", _a);
        _w.AddChildWatch("/x", _a);
        _w.AddPersistentWatch("/r", _a, AddWatchMode.PersistentRecursive);
        _w.AddDataWatch("/x", _b);
        _w.RemoveWatcher(_a);
        Assert.Equal(1, _w.TotalWatchCount);
        _h.CreatePath("/r");
        _h.CreatePath("/x");
        Assert.Equal([(_b, EventType.NodeCreated, "/x")], Fire());
    }

    [Fact]
    public void SetWatches_sends_missed_events_now_and_registers_the_rest()
    {
        _h.CreatePath("/same", [1]);
        _h.CreatePath("/changed", [1]);
        _h.CreatePath("/kids");
        _h.CreatePath("/quiet");
        _h.CreatePath("/present");
        var rel = _h.Zxid;
        _h.SetData("/changed", [2]);
        _h.CreatePath("/kids/c");
        var output = new List<(Conn, WatcherEvent)>();
        _w.SetWatches(new SetWatchesRequest(rel,
            ["/same", "/changed", "/gone"],
            ["/present", "/absent"],
            ["/kids", "/quiet", "/gone2"],
            ["/p"],
            ["/r"]), _a, _h.Tree, output);
        Assert.Equal(
            [(EventType.NodeDataChanged, "/changed"), (EventType.NodeDeleted, "/gone"), (EventType.NodeCreated, "/present"),
             (EventType.NodeChildrenChanged, "/kids"), (EventType.NodeDeleted, "/gone2")],
            output.Select(e => (e.Item2.Type, e.Item2.Path)));
        Assert.True(_w.Contains("/same", WatcherType.Data, _a));
        Assert.True(_w.Contains("/absent", WatcherType.Data, _a));
        Assert.True(_w.Contains("/quiet", WatcherType.Children, _a));
        Assert.False(_w.Contains("/changed", WatcherType.Data, _a));
        Assert.False(_w.Contains("/present", WatcherType.Data, _a));
        Assert.False(_w.Contains("/kids", WatcherType.Children, _a));
        Assert.True(_w.Contains("/p", WatcherType.Data, _a) && _w.Contains("/p", WatcherType.Children, _a));
        Assert.True(_w.Contains("/r", WatcherType.Data, _a) && _w.Contains("/r", WatcherType.Children, _a));
    }

    [Fact]
    public void Listings_report_the_data_table_only()
    {
        _w.AddDataWatch("/x", _a);
        _w.AddDataWatch("/y", _a);
        _w.AddDataWatch("/x", _b);
        _w.AddChildWatch("/z", _b);
        Assert.Equal(2, _w.DataWatcherCount);
        Assert.Equal(2, _w.DataPathCount);
        Assert.Equal(3, _w.DataWatchCount);
        Assert.Equal(4, _w.TotalWatchCount);
        var byWatcher = _w.DataWatchesByWatcher().ToDictionary(x => x.Watcher, x => x.Paths);
        Assert.Equal(["/x", "/y"], byWatcher[_a]);
        Assert.Equal(["/x"], byWatcher[_b]);
        var byPath = _w.DataWatchesByPath();
        Assert.Equal(["/x", "/y"], byPath.Select(p => p.Path));
        Assert.Equal(2, byPath[0].Watchers.Count);
    }
}
