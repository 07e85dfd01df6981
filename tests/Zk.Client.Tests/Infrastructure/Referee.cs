// Watches every participant of an election: counts how many lead at once (never more than one) and remembers each
// term's fencing token in the order the terms began. Thread-safe: participants report from their own loops.
using Zk.Client.Recipes;

namespace Zk.Client.Tests.Infrastructure;

public sealed class Referee
{
    private int _leaders;

    public int MaxLeaders { get; private set; }

    public List<long> Tokens { get; } = [];

    public void Enter(long token)
    {
        var now = Interlocked.Increment(ref _leaders);
        lock (Tokens)
        {
            MaxLeaders = Math.Max(MaxLeaders, now);
            Tokens.Add(token);
        }
    }

    public void Leave() => Interlocked.Decrement(ref _leaders);

    /// <summary>Reports <paramref name="latch"/>'s leadership changes here; returns it.</summary>
    public LeaderLatch Watch(LeaderLatch latch)
    {
        latch.LeadershipChanged += (_, c) =>
        {
            if (c.IsLeader) Enter(c.FencingToken);
            else Leave();
        };
        return latch;
    }
}
