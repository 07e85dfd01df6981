// Timers that deliver messages to their actor through the system's TimeProvider (real or virtual).
// Keyed like Akka's: starting a timer with a key replaces the previous one, and a cancelled or replaced
// timer's message that is already in the mailbox is dropped (each start bumps a generation number).
namespace Zk.Actors.Kernel;

public sealed class TimerScheduler
{
    private readonly ActorCell _cell;
    private readonly Dictionary<object, (ITimer Timer, long Generation, object Message, bool Periodic)> _timers = [];
    private long _generation;

    internal TimerScheduler(ActorCell cell) => _cell = cell;

    internal sealed record TimerFired(object Key, long Generation);

    public void StartSingleTimer(object key, object message, TimeSpan delay) => Start(key, message, delay, Timeout.InfiniteTimeSpan);

    public void StartPeriodicTimer(object key, object message, TimeSpan interval) => Start(key, message, interval, interval);

    public void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval) =>
        Start(key, message, initialDelay, interval);

    public bool IsTimerActive(object key) => _timers.ContainsKey(key);

    public void Cancel(object key)
    {
        if (_timers.Remove(key, out var t)) t.Timer.Dispose();
    }

    public void CancelAll()
    {
        foreach (var t in _timers.Values) t.Timer.Dispose();
        _timers.Clear();
    }

    private void Start(object key, object message, TimeSpan due, TimeSpan period)
    {
        Cancel(key);
        var generation = ++_generation;
        var self = _cell.Self;
        var fired = new TimerFired(key, generation);
        var timer = _cell.System.Time.CreateTimer(static s => ((Tuple<LocalActorRef, TimerFired>)s!).Item1.Post(((Tuple<LocalActorRef, TimerFired>)s!).Item2, null),
            Tuple.Create(self, fired), due < TimeSpan.Zero ? TimeSpan.Zero : due, period);
        _timers[key] = (timer, generation, message, period != Timeout.InfiniteTimeSpan);
    }

    /// <summary>Called by the cell for a TimerFired envelope: yields the user message if the timer is still current.</summary>
    internal bool Accept(TimerFired fired, out object message)
    {
        if (_timers.TryGetValue(fired.Key, out var t) && t.Generation == fired.Generation)
        {
            message = t.Message;
            if (!t.Periodic)
            {
                _timers.Remove(fired.Key);
                t.Timer.Dispose();
            }
            return true;
        }
        message = null!;
        return false;
    }
}
