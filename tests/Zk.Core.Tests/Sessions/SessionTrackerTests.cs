// Specifications of the session expiry buckets (ZooKeeper's ExpiryQueue) and timeout negotiation.
using Zk.Core.Sessions;

namespace Zk.Core.Tests.Sessions;

public sealed class SessionTrackerTests
{
    private const int Tick = 2000;
    private readonly SessionTracker _t = new(Tick, 4000, 40000);

    [Theory]
    [InlineData(1000, 4000)]
    [InlineData(4000, 4000)]
    [InlineData(10000, 10000)]
    [InlineData(40000, 40000)]
    [InlineData(99999, 40000)]
    [InlineData(-5, 4000)]
    public void Timeout_is_clamped_to_min_and_max(int requested, int negotiated) =>
        Assert.Equal(negotiated, _t.ClampTimeout(requested));

    [Fact]
    public void Defaults_are_two_and_twenty_ticks()
    {
        var t = SessionTracker.WithDefaults(3000);
        Assert.Equal(6000, t.MinSessionTimeoutMs);
        Assert.Equal(60000, t.MaxSessionTimeoutMs);
    }

    [Theory]
    [InlineData(0, 4000, 6000)]
    [InlineData(1, 4000, 6000)]
    [InlineData(1999, 4000, 6000)]
    [InlineData(2001, 4000, 8000)]
    [InlineData(500, 5000, 6000)]
    public void Deadline_is_now_plus_timeout_rounded_up_to_the_next_tick_boundary(long now, int timeout, long deadline) =>
        Assert.Equal(deadline, _t.DeadlineFor(now, timeout));

    [Fact]
    public void Session_expires_only_once_its_bucket_deadline_is_reached()
    {
        _t.Add(1, 4000, nowMs: 100);
        Assert.Equal(6000, _t.NextExpiryMs);
        Assert.Empty(_t.Expire(5999));
        Assert.Equal([1L], _t.Expire(6000));
        Assert.True(_t.IsClosing(1));
        Assert.True(_t.Contains(1));
        Assert.Empty(_t.Expire(100_000));
    }

    [Fact]
    public void Touch_moves_the_session_to_a_later_bucket()
    {
        _t.Add(1, 4000, nowMs: 0);
        Assert.True(_t.Touch(1, nowMs: 3000));
        Assert.True(_t.TryGetDeadline(1, out var d));
        Assert.Equal(8000, d);
        Assert.Empty(_t.Expire(7999));
        Assert.Equal([1L], _t.Expire(8000));
    }

    [Fact]
    public void Sessions_sharing_a_bucket_expire_together_in_id_order()
    {
        _t.Add(3, 4000, 100);
        _t.Add(1, 4000, 1500);
        _t.Add(2, 10000, 0);
        Assert.Equal([1L, 3L], _t.Expire(6000));
        Assert.Equal(12000, _t.NextExpiryMs);
        Assert.Equal([2L], _t.Expire(20000));
        Assert.Null(_t.NextExpiryMs);
    }

    [Fact]
    public void Expire_catches_up_on_every_passed_bucket()
    {
        _t.Add(1, 4000, 0);
        _t.Add(2, 8000, 0);
        _t.Add(3, 40000, 0);
        Assert.Equal([1L, 2L], _t.Expire(50_000 - 10_000));
    }

    [Fact]
    public void Closing_session_cannot_be_touched_and_is_not_expired_twice()
    {
        _t.Add(1, 4000, 0);
        Assert.True(_t.MarkClosing(1));
        Assert.False(_t.Touch(1, 1000));
        Assert.Empty(_t.Expire(10_000));
        Assert.True(_t.Contains(1));
    }

    [Fact]
    public void Unknown_session_cannot_be_touched_or_closed()
    {
        Assert.False(_t.Touch(9, 0));
        Assert.False(_t.MarkClosing(9));
        Assert.False(_t.Remove(9));
    }

    [Fact]
    public void Removed_session_never_expires()
    {
        _t.Add(1, 4000, 0);
        Assert.True(_t.Remove(1));
        Assert.Empty(_t.Expire(1_000_000));
        Assert.Equal(0, _t.Count);
        Assert.Null(_t.NextExpiryMs);
    }

    [Fact]
    public void Re_adding_a_session_gives_it_a_full_fresh_timeout_and_clears_closing()
    {
        _t.Add(1, 4000, 0);
        _t.MarkClosing(1);
        _t.Add(1, 4000, 10_000);
        Assert.False(_t.IsClosing(1));
        Assert.Empty(_t.Expire(15_999));
        Assert.Equal([1L], _t.Expire(16_000));
    }

    [Fact]
    public void Buckets_list_sessions_by_deadline_for_dump()
    {
        _t.Add(2, 4000, 0);
        _t.Add(1, 4000, 0);
        _t.Add(3, 6000, 0);
        Assert.Equal([(6000L, (IReadOnlyList<long>)[1L, 2L]), (8000L, [3L])], _t.Buckets().Select(b => (b.DeadlineMs, b.SessionIds)).ToList(),
            new BucketComparer());
    }

    private sealed class BucketComparer : IEqualityComparer<(long, IReadOnlyList<long>)>
    {
        public bool Equals((long, IReadOnlyList<long>) x, (long, IReadOnlyList<long>) y) => x.Item1 == y.Item1 && x.Item2.SequenceEqual(y.Item2);

        public int GetHashCode((long, IReadOnlyList<long>) obj) => obj.Item1.GetHashCode();
    }
}
