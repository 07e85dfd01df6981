// Leader election with a callback (Curator's LeaderSelector): participants queue on a DistributedLock; the holder
// runs the callback, and leadership lasts until the callback returns. The callback's token is cancelled the
// moment leadership may be lost (disconnect, session end, node deleted, Dispose). One loop per election object;
// the callback runs on it.
using Microsoft.Extensions.Logging;
using Zk.Client.Internal;

namespace Zk.Client.Recipes;

/// <summary>What a leader knows about its term: the fencing token (the lock node's czxid) and the node.</summary>
public sealed record LeadershipContext(long FencingToken, string NodePath);

public sealed class LeaderElection : IAsyncDisposable
{
    private readonly ZooKeeperClient _zk;
    private readonly DistributedLock _lock;
    private readonly Func<LeadershipContext, CancellationToken, Task> _onElected;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private Task? _loop;
    private LeadershipContext? _current;

    /// <param name="autoRequeue">Queue again after each term, so the participant can lead again later.</param>
    public LeaderElection(ZooKeeperClient zk, string path, Func<LeadershipContext, CancellationToken, Task> onElected,
        bool autoRequeue = true, string participantId = "")
    {
        ArgumentNullException.ThrowIfNull(onElected);
        _zk = zk;
        _lock = new DistributedLock(zk, path, System.Text.Encoding.UTF8.GetBytes(participantId));
        _onElected = onElected;
        AutoRequeue = autoRequeue;
    }

    public bool AutoRequeue { get; }

    /// <summary>The running term, or null when not leading.</summary>
    public LeadershipContext? Current
    {
        get { lock (_gate) return _current; }
    }

    public Task StartAsync()
    {
        lock (_gate)
        {
            if (_loop is not null) throw new InvalidOperationException("the election has already started");
            _loop = Task.Run(() => RunAsync(_stop.Token));
        }
        return Task.CompletedTask;
    }

    /// <summary>The queued participants' node names, leader first.</summary>
    public Task<IReadOnlyList<string>> ParticipantsAsync(CancellationToken cancellationToken = default) =>
        _lock.ContendersAsync(cancellationToken);

    /// <summary>Cancels the running term (if any), waits for the callback to return and leaves the queue.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task? loop;
        lock (_gate) loop = _loop;
        if (loop is not null) await loop.ConfigureAwait(false);
    }

    private async Task RunAsync(CancellationToken stop)
    {
        using var connection = new ConnectionWatch(_zk);
        while (!stop.IsCancellationRequested)
        {
            LockHandle handle;
            try
            {
                await _zk.WaitForConnectedAsync(stop).ConfigureAwait(false);
                handle = await _lock.AcquireAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (ConnectionLossException)
            {
                continue;
            }
            catch (KeeperException e) when (e is SessionExpiredException or AuthFailedException)
            {
                return;
            }
            await using (handle.ConfigureAwait(false))
            {
                await LeadAsync(handle, connection, stop).ConfigureAwait(false);
            }
            if (!AutoRequeue) return;
        }
    }

    private async Task LeadAsync(LockHandle handle, ConnectionWatch connection, CancellationToken stop)
    {
        using var term = CancellationTokenSource.CreateLinkedTokenSource(stop, handle.Lost);
        using var over = new CancellationTokenSource();
        var lossWatcher = CancelOnLossAsync(connection.NextLossAsync(), term, over.Token);
        var context = new LeadershipContext(handle.FencingToken, handle.NodePath);
        lock (_gate) _current = context;
        try
        {
            await _onElected(context, term.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (term.IsCancellationRequested)
        {
            // Leadership ended under the callback, which noticed: the normal way for a term to end early.
        }
        catch (Exception e)
        {
            ClientLog.RecipeProblem(_zk.Core.Log, nameof(LeaderElection), handle.NodePath, "the leader callback threw", e);
        }
        finally
        {
            lock (_gate) _current = null;
            await over.CancelAsync().ConfigureAwait(false);
            await lossWatcher.ConfigureAwait(false);
        }
    }

    private static async Task CancelOnLossAsync(Task lost, CancellationTokenSource term, CancellationToken over)
    {
        try
        {
            await lost.WaitAsync(over).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The term ended first.
            return;
        }
        await term.CancelAsync().ConfigureAwait(false);
    }
}
