// Small helpers for waiting on events with a deadline instead of sleeping. Thread-safe.
using System.Threading.Channels;

namespace Zk.Client.Tests.Infrastructure;

public static class Await
{
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(20);

    public static Task<T> Within<T>(this Task<T> task, TimeSpan? timeout = null) => task.WaitAsync(timeout ?? Long);

    public static Task Within(this Task task, TimeSpan? timeout = null) => task.WaitAsync(timeout ?? Long);
}

/// <summary>Collects watch events and lets a test await the next one (or check that none came).</summary>
public sealed class EventSink
{
    private readonly Channel<WatchedEvent> _events = Channel.CreateUnbounded<WatchedEvent>();

    public EventSink() => Watcher = e => _events.Writer.TryWrite(e);

    public Action<WatchedEvent> Watcher { get; }

    public async Task<WatchedEvent> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Await.Long);
        try
        {
            return await _events.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("no watch event");
        }
    }

    /// <summary>The next event that is not a session (None) event.</summary>
    public async Task<WatchedEvent> NextNodeEventAsync(TimeSpan? timeout = null)
    {
        while (true)
        {
            var e = await NextAsync(timeout).ConfigureAwait(false);
            if (e.Type != Zk.Protocol.EventType.None) return e;
        }
    }

    public int Count => _events.Reader.Count;
}
