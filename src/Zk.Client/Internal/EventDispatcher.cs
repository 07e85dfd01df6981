// Runs watcher callbacks, state handlers and reply completions one at a time, in the order the connection saw
// them, on one background task (ZooKeeper's EventThread). Post is thread-safe; the producers are the reader loop
// and the session loop. A callback that throws is logged and the loop carries on.
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Zk.Protocol.Records;

namespace Zk.Client.Internal;

internal sealed class EventDispatcher
{
    [ThreadStatic]
    private static EventDispatcher? t_running;

    private readonly Channel<Action> _queue =
        Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });

    private readonly ILogger _log;
    private readonly Task _loop;

    // Items queued or running. Zero means a reply can complete at once without overtaking an event.
    private int _outstanding;

    public EventDispatcher(ILogger log)
    {
        _log = log;
        _loop = Task.Run(RunAsync);
    }

    public void Post(Action work)
    {
        Interlocked.Increment(ref _outstanding);
        if (_queue.Writer.TryWrite(work)) return;
        // After shutdown nothing is left to order against, so run it here rather than lose it.
        Interlocked.Decrement(ref _outstanding);
        Run(work);
    }

    /// <summary>
    /// Completes a reply behind any event still queued, so a watcher hears of a change before the caller sees the
    /// reply to a later request (the ordering ZooKeeper promises).
    /// </summary>
    public void Complete(Packet packet, Response response)
    {
        if (Volatile.Read(ref _outstanding) == 0) packet.Completion.TrySetResult(response);
        else Post(() => packet.Completion.TrySetResult(response));
    }

    public void Fail(Packet packet, Exception error)
    {
        if (Volatile.Read(ref _outstanding) == 0) packet.Completion.TrySetException(error);
        else Post(() => packet.Completion.TrySetException(error));
    }

    /// <summary>Runs what is queued, then stops. Called from inside a callback it does not wait for itself.</summary>
    public Task StopAsync()
    {
        _queue.Writer.TryComplete();
        return t_running == this ? Task.CompletedTask : _loop;
    }

    private async Task RunAsync()
    {
        await foreach (var work in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            Run(work);
            Interlocked.Decrement(ref _outstanding);
        }
    }

    private void Run(Action work)
    {
        var previous = t_running;
        t_running = this;
        try
        {
            work();
        }
        catch (Exception e)
        {
            ClientLog.CallbackFailed(_log, e);
        }
        finally
        {
            t_running = previous;
        }
    }
}
