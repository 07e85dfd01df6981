// Watch registrations and firing (reference §7), generic over the watcher identity (a connection handle).
// Owned by the DataTreeActor next to the tree; single-threaded.
using Zk.Core.DataTree.Auth;
using Zk.Protocol;
using Zk.Protocol.Records;

namespace Zk.Core.DataTree;

[Flags]
public enum WatchModes
{
    None = 0,
    Standard = 1,
    Persistent = 2,
    PersistentRecursive = 4,
}

// Two tables, data and child, each mapping path → watchers and watcher → (path → modes). A watcher may hold a
// standard, a persistent and a recursive watch on the same path at once (3.9 behaviour; 3.8's downgrade quirk
// is not copied).
public sealed partial class WatchManager<TWatcher>
    where TWatcher : class
{
    private readonly WatchTable _data = new();
    private readonly WatchTable _child = new();
    private readonly HashSet<TWatcher> _told = new(ReferenceEqualityComparer.Instance);

    /// <summary>getData(watch) on success, exists(watch) always: a standard watch in the data table.</summary>
    public void AddDataWatch(string path, TWatcher watcher) => _data.Add(path, watcher, WatchModes.Standard);

    /// <summary>getChildren(watch) on success: a standard watch in the child table.</summary>
    public void AddChildWatch(string path, TWatcher watcher) => _child.Add(path, watcher, WatchModes.Standard);

    /// <summary>addWatch: persistent or persistent-recursive, in both tables; the node need not exist.</summary>
    public void AddPersistentWatch(string path, TWatcher watcher, AddWatchMode mode)
    {
        var m = mode == AddWatchMode.PersistentRecursive ? WatchModes.PersistentRecursive : WatchModes.Persistent;
        _data.Add(path, watcher, m);
        _child.Add(path, watcher, m);
    }

    /// <summary>
    /// Fires the watches one tree change triggers and appends one (watcher, event) pair per watcher that is to
    /// be told: NodeCreated and NodeDataChanged go to the data table (path and recursive ancestors),
    /// NodeDeleted to the data table then the child table skipping watchers already told, NodeChildrenChanged
    /// to the child table (never to recursive watches). Standard watches are consumed whether or not
    /// <paramref name="canRead"/> lets the event through, as in ZooKeeper; a null predicate delivers to all.
    /// </summary>
    public void Trigger(TreeChange change, Func<TWatcher, IReadOnlyList<Acl>, bool>? canRead, List<(TWatcher Watcher, WatcherEvent Event)> output)
    {
        _told.Clear();
        WatcherEvent? evt = null;
        switch (change.Type)
        {
            case EventType.NodeCreated:
            case EventType.NodeDataChanged:
                _data.Fire(change, _told, canRead, ref evt, output);
                break;
            case EventType.NodeDeleted:
                _data.Fire(change, _told, canRead, ref evt, output);
                _child.Fire(change, _told, canRead, ref evt, output);
                break;
            case EventType.NodeChildrenChanged:
                _child.Fire(change, _told, canRead, ref evt, output);
                break;
        }
        _told.Clear();
    }

    /// <summary>checkWatches: does this watcher hold a watch of that type on exactly this path?</summary>
    public bool Contains(string path, WatcherType type, TWatcher watcher) => type switch
    {
        WatcherType.Children => _child.Has(path, watcher),
        WatcherType.Data => _data.Has(path, watcher),
        _ => _child.Has(path, watcher) || _data.Has(path, watcher),
    };

    /// <summary>removeWatches: drops every watch of that type the watcher has on the path; false when there was none (NoWatcher).</summary>
    public bool Remove(string path, WatcherType type, TWatcher watcher)
    {
        var removed = false;
        if (type is WatcherType.Children or WatcherType.Any) removed |= _child.Remove(path, watcher);
        if (type is WatcherType.Data or WatcherType.Any) removed |= _data.Remove(path, watcher);
        return removed;
    }

    /// <summary>The connection is gone: forget all its watches.</summary>
    public void RemoveWatcher(TWatcher watcher)
    {
        _data.RemoveWatcher(watcher);
        _child.RemoveWatcher(watcher);
    }

    /// <summary>
    /// SetWatches/SetWatches2 after a reconnect (reference §7): events the client missed are appended to
    /// <paramref name="output"/> now (unfiltered by ACL, leaving no watch behind); the rest are registered.
    /// </summary>
    public void SetWatches(SetWatchesRequest request, TWatcher watcher, DataTree tree, List<(TWatcher Watcher, WatcherEvent Event)> output)
    {
        var rel = request.RelativeZxid;
        foreach (var path in request.DataWatches)
        {
            var n = tree.Find(path);
            if (n is null) output.Add((watcher, Event(EventType.NodeDeleted, path)));
            else if (n.Mzxid > rel) output.Add((watcher, Event(EventType.NodeDataChanged, path)));
            else AddDataWatch(path, watcher);
        }
        foreach (var path in request.ExistWatches)
        {
            if (tree.Find(path) is not null) output.Add((watcher, Event(EventType.NodeCreated, path)));
            else AddDataWatch(path, watcher);
        }
        foreach (var path in request.ChildWatches)
        {
            var n = tree.Find(path);
            if (n is null) output.Add((watcher, Event(EventType.NodeDeleted, path)));
            else if (n.Pzxid > rel) output.Add((watcher, Event(EventType.NodeChildrenChanged, path)));
            else AddChildWatch(path, watcher);
        }
        foreach (var path in request.PersistentWatches) AddPersistentWatch(path, watcher, AddWatchMode.Persistent);
        foreach (var path in request.PersistentRecursiveWatches) AddPersistentWatch(path, watcher, AddWatchMode.PersistentRecursive);
    }

    /// <summary>A predicate for Trigger that applies ZooKeeper 3.8.4's READ filter given each watcher's auth.</summary>
    public static Func<TWatcher, IReadOnlyList<Acl>, bool> ReadFilter(AclPolicy policy, Func<TWatcher, AuthContext> authOf) =>
        (w, acl) => policy.Check(acl, Perms.Read, authOf(w));

    // wchs, wchc and wchp report the data table only, as ZooKeeper does.

    /// <summary>Watchers holding at least one data watch.</summary>
    public int DataWatcherCount => _data.WatcherCount;

    /// <summary>Paths with at least one data watch.</summary>
    public int DataPathCount => _data.PathCount;

    /// <summary>(watcher, path) pairs in the data table: wchs' "Total watches".</summary>
    public int DataWatchCount => _data.PairCount;

    /// <summary>Pairs in both tables (mntr's watch_count counts both in ZooKeeper).</summary>
    public int TotalWatchCount => _data.PairCount + _child.PairCount;

    public IReadOnlyList<(TWatcher Watcher, IReadOnlyList<string> Paths)> DataWatchesByWatcher() => _data.ByWatcher();

    public IReadOnlyList<(string Path, IReadOnlyList<TWatcher> Watchers)> DataWatchesByPath() => _data.ByPath();

    private static WatcherEvent Event(EventType type, string path) => new(type, KeeperState.SyncConnected, path);
}
