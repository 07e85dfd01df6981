// FIFO queue of persistent sequential nodes (ZooKeeper's queue recipe): producers append, consumers take the
// lowest node whose delete succeeds, so no item is taken twice. Thread-safe; any number of producers and
// consumers in any number of processes.
using Zk.Protocol;

namespace Zk.Client.Recipes;

public sealed class DistributedQueue(ZooKeeperClient zk, string path)
{
    private const string Prefix = "qn-";

    /// <summary>Appends an item; returns its node path.</summary>
    public async Task<string> EnqueueAsync(byte[] item, CancellationToken cancellationToken = default)
    {
        await RecipeSupport.EnsurePathAsync(zk, path, cancellationToken).ConfigureAwait(false);
        // Not retried: after a lost reply the item may or may not be in the queue, and only the caller knows
        // whether a duplicate is acceptable.
        return await zk.CreateAsync(PathUtils.Child(path, Prefix), item, CreateMode.PersistentSequential, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Takes the oldest item, or returns null when the queue is empty.</summary>
    public async Task<byte[]?> TryDequeueAsync(CancellationToken cancellationToken = default)
    {
        var (item, _) = await TakeAsync(watcher: null, cancellationToken).ConfigureAwait(false);
        return item;
    }

    /// <summary>Takes the oldest item, waiting for one when the queue is empty.</summary>
    public async Task<byte[]> DequeueAsync(CancellationToken cancellationToken = default)
    {
        await RecipeSupport.EnsurePathAsync(zk, path, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var watch = new OneShotWatch();
            var (item, taken) = await TakeAsync(watch.Watcher, cancellationToken).ConfigureAwait(false);
            if (taken) return item ?? [];
            await watch.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The oldest item without taking it, or null.</summary>
    public async Task<byte[]?> PeekAsync(CancellationToken cancellationToken = default)
    {
        foreach (var name in await ItemsAsync(null, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                return (await zk.GetDataAsync(PathUtils.Child(path, name), cancellationToken: cancellationToken).ConfigureAwait(false)).Data;
            }
            catch (NoNodeException)
            {
                // Taken meanwhile; look at the next one.
            }
        }
        return null;
    }

    public async Task<int> CountAsync(CancellationToken cancellationToken = default) =>
        (await ItemsAsync(null, cancellationToken).ConfigureAwait(false)).Count;

    private async Task<(byte[]? Item, bool Taken)> TakeAsync(Action<WatchedEvent>? watcher, CancellationToken ct)
    {
        foreach (var name in await ItemsAsync(watcher, ct).ConfigureAwait(false))
        {
            var node = PathUtils.Child(path, name);
            try
            {
                var data = await RecipeSupport.RetryAsync(zk, () => zk.GetDataAsync(node, cancellationToken: ct), ct).ConfigureAwait(false);
                await zk.DeleteAsync(node, data.Stat.Version, ct).ConfigureAwait(false);
                return (data.Data, true);
            }
            catch (NoNodeException)
            {
                // Another consumer took it.
            }
            catch (ConnectionLossException)
            {
                // The delete may or may not have happened and nobody can tell whose it was: delivery is at most
                // once, so this item is not returned; if it is still there, a later take gets it.
                await zk.WaitForConnectedAsync(ct).ConfigureAwait(false);
            }
        }
        return (null, false);
    }

    private async Task<List<string>> ItemsAsync(Action<WatchedEvent>? watcher, CancellationToken ct)
    {
        IReadOnlyList<string> names;
        try
        {
            names = await RecipeSupport.RetryAsync(zk, () => watcher is null
                ? zk.GetChildrenAsync(path, cancellationToken: ct)
                : zk.GetChildrenAsync(path, watcher, ct), ct).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            return [];
        }
        var items = names.Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).ToList();
        items.Sort((a, b) => Sequence(a).CompareTo(Sequence(b)));
        return items;
    }

    private static long Sequence(string name) => RecipeSupport.TryParseSequence(name, out var s) ? s : long.MaxValue;
}
