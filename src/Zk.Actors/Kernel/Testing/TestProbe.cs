// A test double for a peer: an ActorRef that records what it receives. On a simulated system, waiting runs
// the simulation (virtual time); on a production system it blocks in real time. One probe per peer.
namespace Zk.Actors.Kernel.Testing;

public sealed class ExpectationFailedException(string message) : Exception(message);

public sealed class TestProbe
{
    private static readonly TimeSpan DefaultWithin = TimeSpan.FromSeconds(3);
    private readonly Queue<(object Message, ActorRef? Sender)> _received = new();
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly ActorSystem _system;
    private readonly SimulationDispatcher? _simulation;
    private Func<object, bool>? _ignore;

    public TestProbe(ActorSystem system, string name, SimulationDispatcher? simulation = null)
    {
        _system = system;
        _simulation = simulation;
        Ref = new FunctionRef($"/{system.Name}/probe/{name}", (m, s) =>
        {
            if (_ignore?.Invoke(m) == true) return;
            lock (_lock) _received.Enqueue((m, s));
            _arrived.Release();
        });
    }

    public ActorRef Ref { get; }

    /// <summary>Messages matching <paramref name="predicate"/> are dropped on arrival (Akka's IgnoreMessages).</summary>
    public void Ignore(Func<object, bool> predicate) => _ignore = predicate;

    public ActorRef? LastSender { get; private set; }

    public int Pending
    {
        get
        {
            lock (_lock) return _received.Count;
        }
    }

    public T ExpectMsg<T>(TimeSpan? within = null, Func<T, bool>? where = null)
    {
        var m = ReceiveOne(within ?? DefaultWithin)
            ?? throw new ExpectationFailedException($"{Ref.Path}: no {typeof(T).Name} within {(within ?? DefaultWithin).TotalMilliseconds} ms");
        if (m is not T t) throw new ExpectationFailedException($"{Ref.Path}: expected {typeof(T).Name}, got {m.GetType().Name}: {m}");
        if (where is not null && !where(t)) throw new ExpectationFailedException($"{Ref.Path}: {m} does not match the expectation");
        return t;
    }

    public void ExpectMsg(object expected, TimeSpan? within = null)
    {
        var m = ReceiveOne(within ?? DefaultWithin)
            ?? throw new ExpectationFailedException($"{Ref.Path}: no message within {(within ?? DefaultWithin).TotalMilliseconds} ms, expected {expected}");
        if (!Equals(m, expected)) throw new ExpectationFailedException($"{Ref.Path}: expected {expected}, got {m}");
    }

    public void ExpectNoMsg(TimeSpan within)
    {
        var m = ReceiveOne(within);
        if (m is not null) throw new ExpectationFailedException($"{Ref.Path}: expected no message, got {m.GetType().Name}: {m}");
    }

    /// <summary>The next message, or null if none arrives within <paramref name="within"/>.</summary>
    public object? ReceiveOne(TimeSpan within)
    {
        if (_simulation is not null)
        {
            _simulation.RunUntil(() => Pending > 0, within);
        }
        else if (!_arrived.Wait(within))
        {
            return null;
        }
        lock (_lock)
        {
            if (_received.Count == 0) return null;
            var (m, s) = _received.Dequeue();
            LastSender = s;
            return m;
        }
    }

    public void Reply(object message) =>
        (LastSender ?? throw new ExpectationFailedException($"{Ref.Path}: nothing to reply to")).Tell(message, Ref);

    public void Send(ActorRef target, object message) => target.Tell(message, Ref);

    public ActorSystem System => _system;
}
