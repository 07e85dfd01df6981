// The leader's session expiry buckets (ZooKeeper's SessionTrackerImpl + ExpiryQueue) as a pure class: time
// comes in as nowMs arguments. Single-threaded; owned by the leader actor, which ticks at NextExpiryMs.
namespace Zk.Core.Sessions;

// A touch moves a session to the bucket of now + timeout rounded up to the next tick boundary, so one tick
// expires a whole bucket at once; the actor closes the sessions Expire returns.
public sealed class SessionTracker
{
    private readonly Dictionary<long, Entry> _sessions = [];
    private readonly SortedDictionary<long, HashSet<long>> _buckets = [];

    public SessionTracker(int tickTimeMs, int minSessionTimeoutMs, int maxSessionTimeoutMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tickTimeMs);
        if (minSessionTimeoutMs > maxSessionTimeoutMs)
            throw new ArgumentException($"minSessionTimeout {minSessionTimeoutMs} exceeds maxSessionTimeout {maxSessionTimeoutMs}");
        TickTimeMs = tickTimeMs;
        MinSessionTimeoutMs = minSessionTimeoutMs;
        MaxSessionTimeoutMs = maxSessionTimeoutMs;
    }

    /// <summary>ZooKeeper's defaults: min = 2 × tickTime, max = 20 × tickTime.</summary>
    public static SessionTracker WithDefaults(int tickTimeMs) => new(tickTimeMs, 2 * tickTimeMs, 20 * tickTimeMs);

    public int TickTimeMs { get; }

    public int MinSessionTimeoutMs { get; }

    public int MaxSessionTimeoutMs { get; }

    public int Count => _sessions.Count;

    /// <summary>The timeout a client gets: its request clamped to [min, max].</summary>
    public int ClampTimeout(int requestedMs) => Math.Clamp(requestedMs, MinSessionTimeoutMs, MaxSessionTimeoutMs);

    /// <summary>
    /// ExpiryQueue's rounding: the first tick boundary strictly after t, so a deadline that falls exactly on a
    /// boundary moves to the next one (never earlier than t; at most one tick later).
    /// </summary>
    public long DeadlineFor(long nowMs, int timeoutMs) => ((nowMs + timeoutMs) / TickTimeMs + 1) * TickTimeMs;

    /// <summary>Starts tracking (or re-tracks, e.g. on a new leader) with a full fresh timeout; clears closing.</summary>
    public void Add(long sessionId, int timeoutMs, long nowMs)
    {
        Remove(sessionId);
        var entry = new Entry(timeoutMs);
        _sessions.Add(sessionId, entry);
        MoveTo(sessionId, entry, DeadlineFor(nowMs, timeoutMs));
    }

    /// <summary>Any frame from the client renews it. False when the session is unknown or closing (it will not be renewed).</summary>
    public bool Touch(long sessionId, long nowMs)
    {
        if (!_sessions.TryGetValue(sessionId, out var entry) || entry.Closing) return false;
        MoveTo(sessionId, entry, DeadlineFor(nowMs, entry.TimeoutMs));
        return true;
    }

    /// <summary>The closeSession txn has been committed: forget the session.</summary>
    public bool Remove(long sessionId)
    {
        if (!_sessions.Remove(sessionId, out var entry)) return false;
        RemoveFromBucket(sessionId, entry.DeadlineMs);
        return true;
    }

    /// <summary>A closeSession is on its way (client close or expiry): no more touches or new requests count.</summary>
    public bool MarkClosing(long sessionId)
    {
        if (!_sessions.TryGetValue(sessionId, out var entry)) return false;
        entry.Closing = true;
        return true;
    }

    public bool Contains(long sessionId) => _sessions.ContainsKey(sessionId);

    public bool IsClosing(long sessionId) => _sessions.TryGetValue(sessionId, out var e) && e.Closing;

    public bool TryGetTimeout(long sessionId, out int timeoutMs)
    {
        var found = _sessions.TryGetValue(sessionId, out var e);
        timeoutMs = found ? e!.TimeoutMs : 0;
        return found;
    }

    public bool TryGetDeadline(long sessionId, out long deadlineMs)
    {
        var found = _sessions.TryGetValue(sessionId, out var e);
        deadlineMs = found ? e!.DeadlineMs : 0;
        return found;
    }

    /// <summary>The earliest deadline of any tracked session, or null when none is tracked: when to call Expire next.</summary>
    public long? NextExpiryMs => _buckets.Count == 0 ? null : _buckets.First().Key;

    /// <summary>
    /// Every session whose bucket deadline is at or before nowMs and that is not already closing, oldest bucket
    /// first and ascending ids within one. They are marked closing and stay tracked until Remove (after their
    /// closeSession commits), so a second call does not return them again.
    /// </summary>
    public IReadOnlyList<long> Expire(long nowMs)
    {
        List<long>? expired = null;
        while (_buckets.Count > 0)
        {
            var (deadline, ids) = _buckets.First();
            if (deadline > nowMs) break;
            _buckets.Remove(deadline);
            var sorted = ids.ToArray();
            Array.Sort(sorted);
            foreach (var sid in sorted)
            {
                var entry = _sessions[sid];
                entry.DeadlineMs = long.MinValue;
                // A session already closing has its closeSession on the way; expiring it would send a second one.
                if (entry.Closing) continue;
                entry.Closing = true;
                (expired ??= []).Add(sid);
            }
        }
        return expired ?? (IReadOnlyList<long>)[];
    }

    /// <summary>Sessions grouped by bucket deadline, for the dump four-letter word.</summary>
    public IReadOnlyList<(long DeadlineMs, IReadOnlyList<long> SessionIds)> Buckets() =>
        _buckets.Select(b => (b.Key, (IReadOnlyList<long>)b.Value.Order().ToList())).ToList();

    private void MoveTo(long sessionId, Entry entry, long deadlineMs)
    {
        if (entry.DeadlineMs == deadlineMs) return;
        RemoveFromBucket(sessionId, entry.DeadlineMs);
        if (!_buckets.TryGetValue(deadlineMs, out var bucket)) _buckets[deadlineMs] = bucket = [];
        bucket.Add(sessionId);
        entry.DeadlineMs = deadlineMs;
    }

    private void RemoveFromBucket(long sessionId, long deadlineMs)
    {
        if (!_buckets.TryGetValue(deadlineMs, out var bucket)) return;
        bucket.Remove(sessionId);
        if (bucket.Count == 0) _buckets.Remove(deadlineMs);
    }

    // DeadlineMs is long.MinValue while the session is in no bucket (just created, or already expired).
    private sealed class Entry(int timeoutMs)
    {
        public int TimeoutMs { get; } = timeoutMs;
        public long DeadlineMs { get; set; } = long.MinValue;
        public bool Closing { get; set; }
    }
}
