// Persistent and recursive watches (addWatch), their IAsyncEnumerable form, and watch removal (removeWatches and
// checkWatches). Thread-safe like the rest of the client; watchers run on the event-dispatch task.
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Zk.Client.Internal;
using Zk.Protocol;
using Zk.Protocol.Records;

namespace Zk.Client;

public sealed partial class ZooKeeperClient
{
    /// <summary>
    /// Adds a watch that is not consumed when it fires. Persistent: created/deleted/data/children events of the
    /// node itself. PersistentRecursive: created/deleted/data events of the node and every descendant.
    /// </summary>
    public Task AddWatchAsync(string path, AddWatchMode mode, Action<WatchedEvent> watcher, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        Validation.Path(path);
        var kind = mode == AddWatchMode.Persistent ? WatchKind.Persistent : WatchKind.PersistentRecursive;
        return SubmitAsync(OpCode.AddWatch, new AddWatchRequest(ServerPath(path), (int)mode), path, cancellationToken,
            new WatchRegistration(kind, path, watcher));
    }

    /// <summary>Adds a persistent watch whose events go to the default watcher.</summary>
    public Task AddWatchAsync(string path, AddWatchMode mode, CancellationToken cancellationToken = default) =>
        AddWatchAsync(path, mode, _core.DefaultWatcher, cancellationToken);

    /// <summary>
    /// A persistent (or recursive) watch as a stream. Session events (Type None) are included; the stream ends
    /// when the session does, or when the consumer stops, which removes the watch again.
    /// </summary>
    public async IAsyncEnumerable<WatchedEvent> WatchAsync(string path, AddWatchMode mode,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<WatchedEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        Action<WatchedEvent> watcher = e =>
        {
            channel.Writer.TryWrite(e);
            if (e.Type == EventType.None && e.State is KeeperState.Expired or KeeperState.AuthFailed or KeeperState.Closed)
                channel.Writer.TryComplete();
        };
        await AddWatchAsync(path, mode, watcher, cancellationToken).ConfigureAwait(false);
        try
        {
            await foreach (var e in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false)) yield return e;
        }
        finally
        {
            await ForgetWatcherAsync(path, watcher).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Removes one watcher (checkWatches, as ZooKeeper's removeWatches(path, watcher, …)). The watcher receives
    /// a *WatchRemoved event. local: remove it here even when the server cannot be asked.
    /// </summary>
    public Task RemoveWatchesAsync(string path, Action<WatchedEvent> watcher, WatcherType type, bool local = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        return RemoveCoreAsync(OpCode.CheckWatches, path, watcher, type, local, cancellationToken);
    }

    /// <summary>Removes every watcher of the type on the path, here and on the server (removeWatches).</summary>
    public Task RemoveAllWatchesAsync(string path, WatcherType type, bool local = false, CancellationToken cancellationToken = default) =>
        RemoveCoreAsync(OpCode.RemoveWatches, path, null, type, local, cancellationToken);

    private Task RemoveCoreAsync(OpCode op, string path, Action<WatchedEvent>? watcher, WatcherType type, bool local, CancellationToken ct)
    {
        Validation.Path(path);
        var removal = new WatchRemoval(path, watcher, type, local);
        return SubmitAsync(op, new WatchesRequest(ServerPath(path), (int)type), path, ct, removal: removal);
    }

    /// <summary>
    /// Drops one watcher locally, without a *WatchRemoved event; the server-side watch goes too once no other local
    /// watcher needs the path (checkWatches alone would leave a persistent watch on the server). For streams and caches.
    /// </summary>
    internal async Task ForgetWatcherAsync(string path, Action<WatchedEvent> watcher)
    {
        try
        {
            _core.Watches.Remove(new WatchRemoval(path, watcher, WatcherType.Any, Local: true), KeeperErrorCode.Ok);
        }
        catch (NoWatcherException)
        {
            // Already gone: the session ended and cleared the tables.
            return;
        }
        if (_core.Watches.HasAny(path) || !_core.State.IsConnected()) return;
        try
        {
            await SubmitAsync(OpCode.RemoveWatches, new WatchesRequest(ServerPath(path), (int)WatcherType.Any), path,
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (KeeperException)
        {
            // NoWatcher or a lost connection: either way the server holds no watch for us afterwards that matters;
            // a reconnect re-registers only what the local tables still hold.
        }
    }
}
