// Building blocks every recipe shares: retry over connection loss, ensure-path, sequence-number parsing, and
// awaiting one watch event or the next loss of the connection. Stateless helpers; the small classes are
// single-use and thread-safe.
using Zk.Protocol;

namespace Zk.Client.Recipes;

internal static class RecipeSupport
{
    /// <summary>Runs the call again after the client reconnects, for as long as it fails with ConnectionLoss.</summary>
    public static async Task<T> RetryAsync<T>(ZooKeeperClient zk, Func<Task<T>> call, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (ConnectionLossException)
            {
                await zk.WaitForConnectedAsync(ct).ConfigureAwait(false);
            }
        }
    }

    public static Task RetryAsync(ZooKeeperClient zk, Func<Task> call, CancellationToken ct) =>
        RetryAsync(zk, async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        }, ct);

    /// <summary>Creates the path and its missing ancestors as empty persistent nodes.</summary>
    public static async Task EnsurePathAsync(ZooKeeperClient zk, string path, CancellationToken ct)
    {
        if (path == "/") return;
        if (await RetryAsync(zk, () => zk.ExistsAsync(path, cancellationToken: ct), ct).ConfigureAwait(false) is not null) return;
        await EnsurePathAsync(zk, PathUtils.Parent(path), ct).ConfigureAwait(false);
        try
        {
            await RetryAsync(zk, () => zk.CreateAsync(path, null, cancellationToken: ct), ct).ConfigureAwait(false);
        }
        catch (NodeExistsException)
        {
            // Someone else (or our own retried create) made it first: exactly what was wanted.
        }
    }

    /// <summary>The sequence number ZooKeeper appended: the last ten characters, signed (-000000001 after wrap).</summary>
    public static bool TryParseSequence(string name, out long sequence)
    {
        sequence = 0;
        return name.Length >= 10 && long.TryParse(name.AsSpan(name.Length - 10), System.Globalization.NumberStyles.AllowLeadingSign,
            System.Globalization.CultureInfo.InvariantCulture, out sequence);
    }

    /// <summary>
    /// Creates parent/prefix+sequence so that a create whose reply was lost is found again by its unique prefix
    /// (Curator's "protected" mode) instead of being made twice. Returns the node name and its czxid.
    /// </summary>
    public static async Task<(string Name, long Czxid)> CreateProtectedAsync(ZooKeeperClient zk, string parent, string prefix,
        byte[]? data, CreateMode mode, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                var created = await zk.CreateWithStatAsync(PathUtils.Child(parent, prefix), data, mode, cancellationToken: ct)
                    .ConfigureAwait(false);
                return (PathUtils.LastSegment(created.Path), created.Stat.Czxid);
            }
            catch (ConnectionLossException)
            {
                await zk.WaitForConnectedAsync(ct).ConfigureAwait(false);
                if (await FindProtectedAsync(zk, parent, prefix, ct).ConfigureAwait(false) is { } found) return found;
            }
        }
    }

    public static async Task<(string Name, long Czxid)?> FindProtectedAsync(ZooKeeperClient zk, string parent, string prefix, CancellationToken ct)
    {
        var names = await RetryAsync(zk, () => zk.GetChildrenAsync(parent, cancellationToken: ct), ct).ConfigureAwait(false);
        foreach (var name in names)
        {
            if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var stat = await RetryAsync(zk, () => zk.ExistsAsync(PathUtils.Child(parent, name), cancellationToken: ct), ct).ConfigureAwait(false);
            if (stat is { } s) return (name, s.Czxid);
        }
        return null;
    }

    /// <summary>
    /// Deletes a node, retrying over connection loss; a missing node or a dead session counts as done. For an
    /// ephemeral node the wait for a reconnect is bounded by the session timeout: a client that cannot reach any
    /// server for that long has lost its session, and the node with it.
    /// </summary>
    public static async Task DeleteQuietlyAsync(ZooKeeperClient zk, string path, bool ephemeral = true)
    {
        using var patience = new CancellationTokenSource();
        if (ephemeral) patience.CancelAfter(zk.SessionTimeout);
        try
        {
            await RetryAsync(zk, () => zk.DeleteAsync(path), patience.Token).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            // Already gone.
        }
        catch (KeeperException e) when (e is SessionExpiredException or AuthFailedException)
        {
            // The session is over, so its ephemeral nodes are gone or going.
        }
        catch (OperationCanceledException) when (patience.IsCancellationRequested)
        {
            // No server reachable for a whole session timeout: the session, and so the node, is gone.
        }
    }

    /// <summary>Returns once the node does not exist; the watch survives reconnects (SetWatches re-arms it).</summary>
    public static async Task WaitForDeletionAsync(ZooKeeperClient zk, string path, CancellationToken ct)
    {
        while (true)
        {
            var watch = new OneShotWatch();
            var stat = await RetryAsync(zk, () => zk.ExistsAsync(path, watch.Watcher, ct), ct).ConfigureAwait(false);
            if (stat is null) return;
            var e = await watch.WaitAsync(ct).ConfigureAwait(false);
            if (e.Type == EventType.NodeDeleted) return;
        }
    }

    /// <summary>The exception a recipe throws when the session it depends on has ended.</summary>
    public static KeeperException SessionEnded(KeeperState state) =>
        state == KeeperState.AuthFailed ? new AuthFailedException() : new SessionExpiredException();

    public static bool IsTerminal(KeeperState state) => state is KeeperState.Expired or KeeperState.Closed or KeeperState.AuthFailed;
}

/// <summary>
/// One watch event as a task. Node events and the end of the session complete it; Disconnected does not,
/// because the client re-arms the watch on reconnect and the server then reports what was missed.
/// </summary>
internal sealed class OneShotWatch
{
    private readonly TaskCompletionSource<WatchedEvent> _fired = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public OneShotWatch() => Watcher = e =>
    {
        if (e.Type != EventType.None || RecipeSupport.IsTerminal(e.State)) _fired.TrySetResult(e);
    };

    public Action<WatchedEvent> Watcher { get; }

    public Task Fired => _fired.Task;

    /// <summary>The node event; a session that ended instead throws SessionExpired (or AuthFailed).</summary>
    public async Task<WatchedEvent> WaitAsync(CancellationToken ct)
    {
        var e = await _fired.Task.WaitAsync(ct).ConfigureAwait(false);
        if (e.Type == EventType.None) throw RecipeSupport.SessionEnded(e.State);
        return e;
    }
}

/// <summary>Follows the client's connection so a recipe can await the next moment it stops being connected.</summary>
internal sealed class ConnectionWatch : IDisposable
{
    private readonly ZooKeeperClient _zk;
    private readonly object _gate = new();
    private TaskCompletionSource _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConnectionWatch(ZooKeeperClient zk)
    {
        _zk = zk;
        zk.StateChanged += OnStateChanged;
    }

    /// <summary>Completes at once when not connected now, otherwise at the next disconnect or end of session.</summary>
    public Task NextLossAsync()
    {
        lock (_gate)
        {
            if (!_zk.State.IsConnected()) return Task.CompletedTask;
            if (_lost.Task.IsCompleted) _lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _lost.Task;
        }
    }

    public void Dispose() => _zk.StateChanged -= OnStateChanged;

    private void OnStateChanged(object? sender, ConnectionStateChange change)
    {
        if (change.State.IsConnected()) return;
        lock (_gate) _lost.TrySetResult();
    }
}
