// The deterministic dispatcher: one thread, a seeded choice among runnable actors, a virtual clock. The same
// seed gives the same interleaving, message for message, so a failing simulation replays exactly.
namespace Zk.Actors.Kernel;

public sealed class SimulationDispatcher : IDispatcher
{
    private readonly List<ActorCell> _runnable = [];
    private readonly int _maxBatch;

    public SimulationDispatcher(int seed, VirtualTimeProvider? time = null, int maxBatch = 4)
    {
        Seed = seed;
        Random = new Random(seed);
        Time = time ?? new VirtualTimeProvider();
        _maxBatch = maxBatch;
    }

    public int Seed { get; }

    /// <summary>The one source of randomness of a simulation; everything random in a run draws from it.</summary>
    public Random Random { get; }

    public VirtualTimeProvider Time { get; }

    public long Steps { get; private set; }

    /// <summary>Called before each actor turn with the actor's path; used to record traces.</summary>
    public Action<string>? Trace { get; set; }

    public bool HasRunnable => _runnable.Count > 0;

    void IDispatcher.Schedule(ActorCell cell) => _runnable.Add(cell);

    /// <summary>Runs one turn of one randomly chosen runnable actor; false when nothing is runnable.</summary>
    public bool Step()
    {
        if (_runnable.Count == 0) return false;
        var i = Random.Next(_runnable.Count);
        var cell = _runnable[i];
        _runnable[i] = _runnable[^1];
        _runnable.RemoveAt(_runnable.Count - 1);
        Steps++;
        Trace?.Invoke(cell.Path);
        cell.Run(1 + Random.Next(_maxBatch));
        return true;
    }

    /// <summary>Runs until no actor is runnable, without moving the clock.</summary>
    public void RunUntilIdle(long maxSteps = 10_000_000)
    {
        var limit = Steps + maxSteps;
        while (Step())
        {
            if (Steps > limit) throw new InvalidOperationException($"simulation did not go idle within {maxSteps} steps (seed {Seed})");
        }
    }

    /// <summary>Runs actors and fires timers until <paramref name="condition"/> holds or virtual time passes
    /// <paramref name="timeout"/>. Returns whether the condition held.</summary>
    public bool RunUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Time.GetUtcNow() + timeout;
        while (true)
        {
            if (condition()) return true;
            if (Step()) continue;
            var next = Time.NextDue;
            if (next is null || next > deadline)
            {
                Time.AdvanceTo(deadline);
                RunUntilIdle();
                return condition();
            }
            Time.FireNext(next.Value.UtcTicks);
        }
    }

    /// <summary>Runs the system for <paramref name="duration"/> of virtual time.</summary>
    public void RunFor(TimeSpan duration) => RunUntil(static () => false, duration);
}
