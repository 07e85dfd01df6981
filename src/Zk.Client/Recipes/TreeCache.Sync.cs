// How the TreeCache loop turns watch events and resyncs into reads and changes of its copy. Runs only on the
// cache's loop; the copy itself is guarded by _gate for readers on other threads.
using Zk.Protocol;

namespace Zk.Client.Recipes;

public sealed partial class TreeCache
{
    /// <summary>What one read of a node found: its data and Stat, and its child names (null when it is gone).</summary>
    private sealed record Reading(string Path, DataResult? Node, IReadOnlyList<string> Children);

    private async Task ApplyAsync(WatchedEvent e, CancellationToken stop)
    {
        var path = e.Path!;
        if (!IsInTree(path)) return;
        if (e.Type == EventType.NodeDeleted)
        {
            Publish(RemoveSubtree(path));
            return;
        }
        // Created, data changed or (fallback) children changed: read the node again, and any new children with it.
        var reading = await ReadAsync(path, stop).ConfigureAwait(false);
        var changes = new List<TreeCacheEvent>();
        if (reading.Node is null)
        {
            changes.AddRange(RemoveSubtree(path));
        }
        else
        {
            var known = GetChildren(path);
            Store(reading, changes);
            foreach (var gone in known.Except(reading.Children)) changes.AddRange(RemoveSubtree(PathUtils.Child(path, gone)));
            var added = reading.Children.Except(known).Select(c => PathUtils.Child(path, c)).ToList();
            if (added.Count > 0) await LoadAsync(added, changes, seen: null, stop).ConfigureAwait(false);
        }
        Publish(changes);
    }

    private async Task ResyncAsync(CancellationToken stop)
    {
        var changes = new List<TreeCacheEvent>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await LoadAsync([Root], changes, seen, stop).ConfigureAwait(false);
        List<string> stale;
        lock (_gate) stale = [.. _nodes.Keys.Where(p => !seen.Contains(p))];
        foreach (var path in stale.OrderByDescending(p => p.Length)) changes.AddRange(RemoveSubtree(path));
        Publish(changes);
    }

    // Breadth first, a batch of pipelined reads per step.
    private async Task LoadAsync(List<string> start, List<TreeCacheEvent> changes, HashSet<string>? seen, CancellationToken stop)
    {
        var level = start;
        while (level.Count > 0)
        {
            var next = new List<string>();
            foreach (var batch in level.Chunk(ReadBatch))
            {
                foreach (var reading in await Task.WhenAll(batch.Select(p => ReadAsync(p, stop))).ConfigureAwait(false))
                {
                    if (reading.Node is null) continue;
                    seen?.Add(reading.Path);
                    Store(reading, changes);
                    next.AddRange(reading.Children.Select(c => PathUtils.Child(reading.Path, c)));
                }
            }
            level = next;
        }
    }

    // In fallback mode the reads re-arm the one-shot watches: getData for data, getChildren for the child list.
    private async Task<Reading> ReadAsync(string path, CancellationToken stop)
    {
        var watcher = UsesPersistentWatch ? null : _watcher;
        try
        {
            var data = await RecipeSupport.RetryAsync(_zk, () => watcher is null
                ? _zk.GetDataAsync(path, cancellationToken: stop)
                : _zk.GetDataAsync(path, watcher, stop), stop).ConfigureAwait(false);
            var children = await RecipeSupport.RetryAsync(_zk, () => watcher is null
                ? _zk.GetChildrenAsync(path, cancellationToken: stop)
                : _zk.GetChildrenAsync(path, watcher, stop), stop).ConfigureAwait(false);
            return new Reading(path, data, children);
        }
        catch (NoNodeException)
        {
            // Gone: in fallback mode an exists watch tells us when it comes back (only the root can come back
            // unseen; other nodes reappear through their parent's child watch).
            if (watcher is not null && path == Root)
                await RecipeSupport.RetryAsync(_zk, () => _zk.ExistsAsync(path, watcher, stop), stop).ConfigureAwait(false);
            return new Reading(path, null, []);
        }
    }

    private void Store(Reading reading, List<TreeCacheEvent> changes)
    {
        lock (_gate)
        {
            var existed = _nodes.TryGetValue(reading.Path, out var before);
            _nodes[reading.Path] = reading.Node!;
            _children[reading.Path] = new SortedSet<string>(reading.Children, StringComparer.Ordinal);
            if (reading.Path != Root)
            {
                var parent = PathUtils.Parent(reading.Path);
                if (!_children.TryGetValue(parent, out var siblings)) _children[parent] = siblings = new SortedSet<string>(StringComparer.Ordinal);
                siblings.Add(PathUtils.LastSegment(reading.Path));
            }
            if (!existed) changes.Add(new TreeCacheEvent(TreeCacheEventType.NodeAdded, reading.Path, reading.Node));
            else if (!SameVersion(before!, reading.Node!)) changes.Add(new TreeCacheEvent(TreeCacheEventType.NodeUpdated, reading.Path, reading.Node));
        }
    }

    private List<TreeCacheEvent> RemoveSubtree(string path)
    {
        var removed = new List<TreeCacheEvent>();
        lock (_gate)
        {
            var doomed = _nodes.Keys.Where(p => p == path || p.StartsWith(path == "/" ? "/" : path + "/", StringComparison.Ordinal))
                .OrderByDescending(p => p.Length).ToList();
            foreach (var p in doomed)
            {
                removed.Add(new TreeCacheEvent(TreeCacheEventType.NodeRemoved, p, _nodes[p]));
                _nodes.Remove(p);
                _children.Remove(p);
            }
            if (path != Root && _children.TryGetValue(PathUtils.Parent(path), out var siblings)) siblings.Remove(PathUtils.LastSegment(path));
        }
        return removed;
    }

    private bool IsInTree(string path) =>
        path == Root || path.StartsWith(Root == "/" ? "/" : Root + "/", StringComparison.Ordinal);

    private static bool SameVersion(DataResult a, DataResult b) =>
        a.Stat.Czxid == b.Stat.Czxid && a.Stat.Mzxid == b.Stat.Mzxid && a.Stat.Aversion == b.Stat.Aversion;

    private void Publish(List<TreeCacheEvent> changes)
    {
        if (changes.Count == 0) return;
        lock (_gate)
        {
            foreach (var s in _subscribers)
            {
                foreach (var c in changes) s.Writer.TryWrite(c);
            }
        }
        foreach (var c in changes) Changed?.Invoke(this, c);
    }
}
