// A TimeProvider whose clock only moves when the simulation advances it. Timers fire in (due time, creation
// order) so a run is reproducible. Single-threaded by design; a lock makes misuse safe, not concurrent.
namespace Zk.Actors.Kernel;

public sealed class VirtualTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly PriorityQueue<VirtualTimer, (long DueTicks, long Seq)> _queue = new();
    private long _nowTicks;
    private long _seq;

    public VirtualTimeProvider(DateTimeOffset start) => _nowTicks = start.UtcTicks;

    public VirtualTimeProvider() : this(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)) { }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock) return new DateTimeOffset(_nowTicks, TimeSpan.Zero);
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp()
    {
        lock (_lock) return _nowTicks;
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>When the next timer is due, or null if none is armed.</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            lock (_lock)
            {
                while (_queue.TryPeek(out var t, out var key))
                {
                    if (t.IsArmed(key.Seq)) return new DateTimeOffset(key.DueTicks, TimeSpan.Zero);
                    _queue.Dequeue();
                }
                return null;
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var t = new VirtualTimer(this, callback, state);
        t.Change(dueTime, period);
        return t;
    }

    /// <summary>Moves the clock to <paramref name="to"/>, firing every timer due until then, each at its own time.</summary>
    public void AdvanceTo(DateTimeOffset to)
    {
        while (FireNext(to.UtcTicks)) { }
        lock (_lock)
        {
            if (to.UtcTicks > _nowTicks) _nowTicks = to.UtcTicks;
        }
    }

    public void Advance(TimeSpan by) => AdvanceTo(GetUtcNow() + by);

    /// <summary>Fires the earliest timer due at or before <paramref name="limitTicks"/>; false if there is none.</summary>
    public bool FireNext(long limitTicks)
    {
        VirtualTimer timer;
        lock (_lock)
        {
            while (true)
            {
                if (!_queue.TryPeek(out timer!, out var key) || key.DueTicks > limitTicks) return false;
                _queue.Dequeue();
                if (!timer.IsArmed(key.Seq)) continue;
                if (key.DueTicks > _nowTicks) _nowTicks = key.DueTicks;
                timer.OnFired(this);
                break;
            }
        }
        timer.Invoke();
        return true;
    }

    private long Enqueue(VirtualTimer t, long dueTicks)
    {
        var seq = ++_seq;
        _queue.Enqueue(t, (dueTicks, seq));
        return seq;
    }

    private sealed class VirtualTimer(VirtualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private long _armedSeq; // the queue entry that is live; 0 = disarmed
        private long _periodTicks = -1;

        public bool IsArmed(long seq) => seq == _armedSeq;

        // Called under the owner's lock when this timer's live entry is dequeued.
        public void OnFired(VirtualTimeProvider p)
        {
            _armedSeq = _periodTicks > 0 ? p.Enqueue(this, p._nowTicks + _periodTicks) : 0;
        }

        public void Invoke() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                _periodTicks = period == Timeout.InfiniteTimeSpan || period <= TimeSpan.Zero ? -1 : period.Ticks;
                _armedSeq = dueTime == Timeout.InfiniteTimeSpan ? 0 : owner.Enqueue(this, owner._nowTicks + Math.Max(0, dueTime.Ticks));
            }
            return true;
        }

        public void Dispose()
        {
            lock (owner._lock) _armedSeq = 0;
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
