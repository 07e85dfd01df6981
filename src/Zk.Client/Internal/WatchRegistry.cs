// The client's watch tables (data, exist, child, persistent, persistent-recursive), keyed by client path, with
// ZooKeeper's rules for which watchers an event fires and which it consumes. Thread-safe behind one lock; the lock
// is never held while a watcher runs.
using Zk.Protocol;

namespace Zk.Client.Internal;

internal sealed class WatchRegistry
{
    private readonly object _gate = new();
    private readonly Dictionary<string, HashSet<Action<WatchedEvent>>> _data = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<Action<WatchedEvent>>> _exist = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<Action<WatchedEvent>>> _child = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<Action<WatchedEvent>>> _persistent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<Action<WatchedEvent>>> _recursive = new(StringComparer.Ordinal);

    /// <summary>Called with the reply's error code: exists registers an exist watch on NoNode, the rest only on Ok.</summary>
    public void Register(WatchRegistration r, KeeperErrorCode err)
    {
        var table = (r.Kind, err) switch
        {
            (WatchKind.Data, KeeperErrorCode.Ok) => _data,
            (WatchKind.Exists, KeeperErrorCode.Ok) => _data,
            (WatchKind.Exists, KeeperErrorCode.NoNode) => _exist,
            (WatchKind.Child, KeeperErrorCode.Ok) => _child,
            (WatchKind.Persistent, KeeperErrorCode.Ok) => _persistent,
            (WatchKind.PersistentRecursive, KeeperErrorCode.Ok) => _recursive,
            _ => null,
        };
        if (table is null) return;
        lock (_gate)
        {
            if (!table.TryGetValue(r.ClientPath, out var set)) table[r.ClientPath] = set = [];
            set.Add(r.Watcher);
        }
    }

    /// <summary>
    /// The watchers a server notification fires. One-shot watches are consumed; persistent ones stay, and recursive
    /// ones on the path or an ancestor fire for everything except NodeChildrenChanged, as the server sends them.
    /// </summary>
    public List<Action<WatchedEvent>> Materialize(EventType type, string path)
    {
        var result = new HashSet<Action<WatchedEvent>>();
        lock (_gate)
        {
            switch (type)
            {
                case EventType.NodeCreated or EventType.NodeDataChanged:
                    Take(_data, path, result);
                    Take(_exist, path, result);
                    break;
                case EventType.NodeChildrenChanged:
                    Take(_child, path, result);
                    break;
                case EventType.NodeDeleted:
                    Take(_data, path, result);
                    Take(_exist, path, result);
                    Take(_child, path, result);
                    break;
                default:
                    return [];
            }
            if (_persistent.TryGetValue(path, out var persistent)) result.UnionWith(persistent);
            if (type != EventType.NodeChildrenChanged && _recursive.Count > 0)
            {
                for (var p = path; ; p = PathUtils.Parent(p))
                {
                    if (_recursive.TryGetValue(p, out var recursive)) result.UnionWith(recursive);
                    if (p == "/") break;
                }
            }
        }
        return [.. result];
    }

    /// <summary>Every registered watcher (session events reach them all); clear drops the tables afterwards.</summary>
    public List<Action<WatchedEvent>> All(bool clear)
    {
        var result = new HashSet<Action<WatchedEvent>>();
        lock (_gate)
        {
            foreach (var table in Tables())
            {
                foreach (var set in table.Values) result.UnionWith(set);
                if (clear) table.Clear();
            }
        }
        return [.. result];
    }

    public bool IsEmpty
    {
        get
        {
            lock (_gate) return Tables().All(t => t.Count == 0);
        }
    }

    /// <summary>The paths to re-register after a reconnect, per table, as client paths.</summary>
    public (List<string> Data, List<string> Exist, List<string> Child, List<string> Persistent, List<string> Recursive) Snapshot()
    {
        lock (_gate) return ([.. _data.Keys], [.. _exist.Keys], [.. _child.Keys], [.. _persistent.Keys], [.. _recursive.Keys]);
    }

    /// <summary>Whether any watcher of any kind is still registered on exactly this path.</summary>
    public bool HasAny(string path)
    {
        lock (_gate) return Tables().Any(t => t.ContainsKey(path));
    }

    /// <summary>
    /// Applies a removeWatches/checkWatches outcome locally, following ZooKeeper's client: the watcher must be
    /// known locally (else NoWatcher), a server error is thrown unless the removal is local, and the removed
    /// watchers are returned grouped by the *WatchRemoved event they receive.
    /// </summary>
    public List<(EventType Type, List<Action<WatchedEvent>> Watchers)> Remove(WatchRemoval rm, KeeperErrorCode rc)
    {
        lock (_gate)
        {
            if (!Contains(rm)) throw new NoWatcherException(rm.ClientPath);
            if (!rm.Local && rc != KeeperErrorCode.Ok) throw KeeperException.Create(rc, rm.ClientPath);

            var child = new HashSet<Action<WatchedEvent>>();
            var data = new HashSet<Action<WatchedEvent>>();
            var persistent = new HashSet<Action<WatchedEvent>>();
            var removed = false;
            if (rm.Type is WatcherType.Children or WatcherType.Any) removed |= RemoveFrom(_child, rm, child);
            if (rm.Type is WatcherType.Data or WatcherType.Any)
            {
                removed |= RemoveFrom(_data, rm, data);
                removed |= RemoveFrom(_exist, rm, data);
            }
            if (rm.Type is WatcherType.Any)
            {
                removed |= RemoveFrom(_persistent, rm, persistent);
                removed |= RemoveFrom(_recursive, rm, persistent);
            }
            if (!removed) throw new NoWatcherException(rm.ClientPath);
            return
            [
                (EventType.ChildWatchRemoved, [.. child]),
                (EventType.DataWatchRemoved, [.. data]),
                (EventType.PersistentWatchRemoved, [.. persistent]),
            ];
        }
    }

    private bool Contains(WatchRemoval rm)
    {
        IEnumerable<Dictionary<string, HashSet<Action<WatchedEvent>>>> tables = rm.Type switch
        {
            WatcherType.Children => [_child, _persistent, _recursive],
            WatcherType.Data => [_data, _exist, _persistent, _recursive],
            _ => Tables(),
        };
        return tables.Any(t => t.TryGetValue(rm.ClientPath, out var set) && (rm.Watcher is null ? set.Count > 0 : set.Contains(rm.Watcher)));
    }

    private static bool RemoveFrom(
        Dictionary<string, HashSet<Action<WatchedEvent>>> table, WatchRemoval rm, HashSet<Action<WatchedEvent>> removed)
    {
        if (!table.TryGetValue(rm.ClientPath, out var set)) return false;
        if (rm.Watcher is null)
        {
            table.Remove(rm.ClientPath);
            removed.UnionWith(set);
            return set.Count > 0;
        }
        if (!set.Remove(rm.Watcher)) return false;
        if (set.Count == 0) table.Remove(rm.ClientPath);
        removed.Add(rm.Watcher);
        return true;
    }

    private static void Take(Dictionary<string, HashSet<Action<WatchedEvent>>> table, string path, HashSet<Action<WatchedEvent>> into)
    {
        if (table.Remove(path, out var set)) into.UnionWith(set);
    }

    private Dictionary<string, HashSet<Action<WatchedEvent>>>[] Tables() => [_data, _exist, _child, _persistent, _recursive];
}
