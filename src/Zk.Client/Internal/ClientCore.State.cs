// Session state transitions and their fan-out: the StateChanged event and state subscribers, the None-type
// WatchedEvent every watcher receives, and the default watcher's own subscribers. Transitions happen under _gate;
// callbacks run later on the dispatcher.
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Zk.Client.Internal;

internal sealed partial class ClientCore
{
    private readonly List<Channel<ConnectionStateChange>> _stateSubscribers = [];
    private readonly List<Channel<WatchedEvent>> _eventSubscribers = [];

    public event EventHandler<ConnectionStateChange>? StateChanged;

    /// <summary>The state at the time of the call first, then every change, until a terminal state or cancellation.</summary>
    public IAsyncEnumerable<ConnectionStateChange> StateChangesAsync(CancellationToken ct)
    {
        var channel = Channel.CreateUnbounded<ConnectionStateChange>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            channel.Writer.TryWrite(new ConnectionStateChange(_state, _state, SessionId, _server));
            if (_state.IsTerminal()) channel.Writer.TryComplete();
            else _stateSubscribers.Add(channel);
        }
        return ReadStatesAsync(channel, ct);
    }

    private async IAsyncEnumerable<ConnectionStateChange> ReadStatesAsync(Channel<ConnectionStateChange> channel,
        [EnumeratorCancellation] CancellationToken ct)
    {
        try
        {
            await foreach (var change in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false)) yield return change;
        }
        finally
        {
            lock (_gate) _stateSubscribers.Remove(channel);
        }
    }

    /// <summary>Events for the default watcher from this call on (watch: true calls and session events), until the session ends.</summary>
    public IAsyncEnumerable<WatchedEvent> DefaultWatcherEventsAsync(CancellationToken ct)
    {
        var channel = Channel.CreateUnbounded<WatchedEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            if (_state.IsTerminal()) channel.Writer.TryComplete();
            else _eventSubscribers.Add(channel);
        }
        return ReadEventsAsync(channel, ct);
    }

    private async IAsyncEnumerable<WatchedEvent> ReadEventsAsync(Channel<WatchedEvent> channel, [EnumeratorCancellation] CancellationToken ct)
    {
        try
        {
            await foreach (var e in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false)) yield return e;
        }
        finally
        {
            lock (_gate) _eventSubscribers.Remove(channel);
        }
    }

    private void SetState(ConnectionState next, string? server)
    {
        ConnectionStateChange change;
        lock (_gate)
        {
            if (_state == next || _state.IsTerminal()) return;
            change = Transition(next, server);
        }
        Dispatcher.Post(() => Announce(change));
    }

    /// <summary>Ends the session for good: no more requests, no reconnects; queued requests fail.</summary>
    private void Terminate(ConnectionState final, string? server)
    {
        ConnectionStateChange change;
        lock (_gate)
        {
            if (_state.IsTerminal()) return;
            change = Transition(final, server);
            _closing = true;
        }
        _outgoing.Writer.TryComplete();
        _stop.Cancel();
        DrainOutgoing();
        if (final == ConnectionState.Closed) ClientLog.SessionClosed(_log, SessionId);
        Dispatcher.Post(() => Announce(change));
    }

    // Under _gate: state subscribers see changes in order, without waiting for the dispatcher.
    private ConnectionStateChange Transition(ConnectionState next, string? server)
    {
        var change = new ConnectionStateChange(next, _state, SessionId, server);
        _state = next;
        _stateSignal.TrySetResult();
        _stateSignal = NewSignal();
        foreach (var s in _stateSubscribers)
        {
            s.Writer.TryWrite(change);
            if (next.IsTerminal()) s.Writer.TryComplete();
        }
        return change;
    }

    // On the dispatcher: the .NET event, then the None event to the default watcher and every registered watcher,
    // as ZooKeeper's client does. A terminal state clears the watch tables and ends the default-watcher streams.
    private void Announce(ConnectionStateChange change)
    {
        try
        {
            StateChanged?.Invoke(this, change);
        }
        catch (Exception e)
        {
            ClientLog.CallbackFailed(_log, e);
        }
        var evt = new WatchedEvent(Zk.Protocol.EventType.None, change.State.ToKeeperState(), null);
        var watchers = Watches.All(clear: change.State.IsTerminal());
        if (!watchers.Contains(DefaultWatcher)) watchers.Insert(0, DefaultWatcher);
        Deliver(watchers, evt);
        if (!change.State.IsTerminal()) return;
        lock (_gate)
        {
            foreach (var s in _eventSubscribers) s.Writer.TryComplete();
        }
    }

    private void DeliverToDefaultWatcher(WatchedEvent evt)
    {
        lock (_gate)
        {
            foreach (var s in _eventSubscribers) s.Writer.TryWrite(evt);
        }
        Options.DefaultWatcher?.Invoke(evt);
    }
}
