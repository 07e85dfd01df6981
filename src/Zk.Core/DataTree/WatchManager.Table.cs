// One watch table (data or child) of a WatchManager. Same threading as its owner (single-threaded).
using Zk.Protocol;
using Zk.Protocol.Records;

namespace Zk.Core.DataTree;

public sealed partial class WatchManager<TWatcher>
{
    // Invariant: a (watcher, path) pair is in _byPath exactly when it is in _byWatcher, with non-empty modes;
    // _pairs counts the pairs and _recursive the pairs holding a recursive mode.
    private sealed class WatchTable
    {
        private readonly Dictionary<string, Dictionary<TWatcher, WatchModes>> _byPath = new(StringComparer.Ordinal);
        private readonly Dictionary<TWatcher, HashSet<string>> _byWatcher = new(ReferenceEqualityComparer.Instance);
        private readonly List<(TWatcher Watcher, WatchModes Modes)> _consumed = [];
        private int _pairs;
        private int _recursive;

        public int WatcherCount => _byWatcher.Count;

        public int PathCount => _byPath.Count;

        public int PairCount => _pairs;

        public void Add(string path, TWatcher watcher, WatchModes mode)
        {
            if (!_byPath.TryGetValue(path, out var watchers))
                _byPath[path] = watchers = new Dictionary<TWatcher, WatchModes>(ReferenceEqualityComparer.Instance);
            watchers.TryGetValue(watcher, out var old);
            if (old == WatchModes.None)
            {
                _pairs++;
                if (!_byWatcher.TryGetValue(watcher, out var paths))
                    _byWatcher[watcher] = paths = new HashSet<string>(StringComparer.Ordinal);
                paths.Add(path);
            }
            if ((mode & WatchModes.PersistentRecursive) != 0 && (old & WatchModes.PersistentRecursive) == 0) _recursive++;
            watchers[watcher] = old | mode;
        }

        public bool Has(string path, TWatcher watcher) =>
            _byPath.TryGetValue(path, out var watchers) && watchers.ContainsKey(watcher);

        public bool Remove(string path, TWatcher watcher)
        {
            if (!_byPath.TryGetValue(path, out var watchers) || !watchers.Remove(watcher, out var modes)) return false;
            if (watchers.Count == 0) _byPath.Remove(path);
            var paths = _byWatcher[watcher];
            paths.Remove(path);
            if (paths.Count == 0) _byWatcher.Remove(watcher);
            _pairs--;
            if ((modes & WatchModes.PersistentRecursive) != 0) _recursive--;
            return true;
        }

        public void RemoveWatcher(TWatcher watcher)
        {
            if (!_byWatcher.TryGetValue(watcher, out var paths)) return;
            foreach (var path in paths.ToArray()) Remove(path, watcher);
        }

        /// <summary>
        /// Watchers at the path itself match any mode (recursive ones not for NodeChildrenChanged); recursive
        /// watchers on ancestors match too. Standard watches at the path are consumed. A watcher is told at most
        /// once per trigger: <paramref name="told"/> is shared across both tables of one change.
        /// </summary>
        public void Fire(TreeChange change, HashSet<TWatcher> told, Func<TWatcher, IReadOnlyList<Acl>, bool>? canRead,
            ref WatcherEvent? evt, List<(TWatcher, WatcherEvent)> output)
        {
            var children = change.Type == EventType.NodeChildrenChanged;
            if (_byPath.TryGetValue(change.Path, out var watchers))
            {
                _consumed.Clear();
                foreach (var (watcher, modes) in watchers)
                {
                    var matches = (modes & (WatchModes.Standard | WatchModes.Persistent)) != 0 || !children;
                    if (!matches) continue;
                    if ((modes & WatchModes.Standard) != 0) _consumed.Add((watcher, modes));
                    Tell(watcher, change, told, canRead, ref evt, output);
                }
                foreach (var (watcher, modes) in _consumed) ConsumeStandard(change.Path, watcher, modes);
            }
            if (_recursive == 0 || children) return;
            var lookup = _byPath.GetAlternateLookup<ReadOnlySpan<char>>();
            var path = change.Path.AsSpan();
            while (path.Length > 1)
            {
                path = TreePath.ParentSpan(path);
                if (!lookup.TryGetValue(path, out var above)) continue;
                foreach (var (watcher, modes) in above)
                    if ((modes & WatchModes.PersistentRecursive) != 0) Tell(watcher, change, told, canRead, ref evt, output);
            }
        }

        private static void Tell(TWatcher watcher, TreeChange change, HashSet<TWatcher> told,
            Func<TWatcher, IReadOnlyList<Acl>, bool>? canRead, ref WatcherEvent? evt, List<(TWatcher, WatcherEvent)> output)
        {
            // Recorded as told even when the ACL filter drops the event, so the child table does not retry it.
            if (!told.Add(watcher)) return;
            if (canRead is not null && !canRead(watcher, change.Acl)) return;
            evt ??= new WatcherEvent(change.Type, KeeperState.SyncConnected, change.Path);
            output.Add((watcher, evt));
        }

        private void ConsumeStandard(string path, TWatcher watcher, WatchModes modes)
        {
            var rest = modes & ~WatchModes.Standard;
            if (rest == WatchModes.None) Remove(path, watcher);
            else _byPath[path][watcher] = rest;
        }

        public IReadOnlyList<(TWatcher, IReadOnlyList<string>)> ByWatcher() =>
            _byWatcher.Select(kv => (kv.Key, (IReadOnlyList<string>)kv.Value.Order(StringComparer.Ordinal).ToList())).ToList();

        public IReadOnlyList<(string, IReadOnlyList<TWatcher>)> ByPath() =>
            _byPath.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => (kv.Key, (IReadOnlyList<TWatcher>)kv.Value.Keys.ToList())).ToList();
    }
}
