// The root of a tree of actors: spawns top-level actors under a guardian, owns the time source, the logger
// factory and the dispatchers, and counts dead letters. One per server process; the simulator runs several
// systems (one per simulated server) on one SimulationDispatcher.
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Zk.Actors.Kernel;

public sealed partial class ActorSystem : IDisposable
{
    private readonly ActorCell _guardian;
    private readonly IDispatcher _defaultDispatcher;
    private readonly SimulationDispatcher? _simulation;
    private readonly List<IDisposable> _owned = [];
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private long _deadLetters;
    private long _tempCounter;

    private ActorSystem(string name, TimeProvider time, ILoggerFactory? loggerFactory, IDispatcher dispatcher, SimulationDispatcher? simulation)
    {
        Name = name;
        Time = time;
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _log = LoggerFactory.CreateLogger("Zk.Actors.System");
        _defaultDispatcher = dispatcher;
        _simulation = simulation;
        _guardian = new ActorCell(this, null, name, () => new Guardian(), ActorOptions.Default);
        _guardian.PostSystem(CreateSystemMessage.Instance);
        DeadLetters = new FunctionRef($"/{name}/deadLetters", (m, s) => { });
    }

    /// <summary>A production system: actors on the thread pool, real time.</summary>
    public static ActorSystem Create(string name, ILoggerFactory? loggerFactory = null, TimeProvider? time = null) =>
        new(name, time ?? TimeProvider.System, loggerFactory, new ThreadPoolDispatcher(), null);

    /// <summary>A simulated system: every actor, timer and dedicated-thread actor runs on <paramref name="simulation"/>.</summary>
    public static ActorSystem CreateSimulated(string name, SimulationDispatcher simulation, ILoggerFactory? loggerFactory = null) =>
        new(name, simulation.Time, loggerFactory, simulation, simulation);

    public string Name { get; }

    public TimeProvider Time { get; }

    public ILoggerFactory LoggerFactory { get; }

    public ActorRef DeadLetters { get; }

    public long DeadLetterCount => Interlocked.Read(ref _deadLetters);

    public bool IsSimulated => _simulation is not null;

    /// <summary>True after <see cref="Halt"/>: no actor of this system runs again.</summary>
    public bool IsHalted { get; private set; }

    /// <summary>Simulates the death of the process: from now on no actor runs, no hook is called, every message is
    /// dropped. Unlike Dispose nothing is flushed, which is what a crash test needs.</summary>
    public void Halt() => IsHalted = true;

    /// <summary>Raised for every dead letter (on the posting thread); tests use it to assert nothing was lost.</summary>
    public event Action<DeadLetter>? DeadLettered;

    public long NowMs() => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public ActorRef Spawn(string name, Func<Actor> factory, ActorOptions? options = null) =>
        _guardian.SpawnChild(name, factory, options ?? ActorOptions.Default);

    public void Stop(ActorRef actor)
    {
        if (actor is LocalActorRef l) l.Cell.PostSystem(StopSystemMessage.Instance);
    }

    /// <summary>Stops <paramref name="target"/> after the messages already queued to it, and completes once it has terminated.</summary>
    public Task GracefulStopAsync(ActorRef target, TimeSpan timeout)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var id = Interlocked.Increment(ref _tempCounter);
        Spawn($"stopper-{id}", () => new Stopper(target, tcs));
        return tcs.Task.WaitAsync(timeout);
    }

    private sealed class Stopper(ActorRef target, TaskCompletionSource done) : Actor
    {
        protected internal override void PreStart()
        {
            Watch(target);
            target.Tell(PoisonPill.Instance, Self);
        }

        protected internal override void Receive(object message)
        {
            if (message is Terminated)
            {
                done.TrySetResult();
                StopSelf();
            }
        }
    }

    /// <summary>Sends <paramref name="message"/> built around a one-shot reply address and awaits the first reply.</summary>
    public Task<T> Ask<T>(ActorRef target, Func<ActorRef, object> message, TimeSpan timeout, CancellationToken ct = default)
    {
        var tcs = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var id = Interlocked.Increment(ref _tempCounter);
        var reply = new FunctionRef($"/{Name}/temp/{id}", (m, _) =>
        {
            if (m is T t) tcs.TrySetResult(t);
            else tcs.TrySetException(new InvalidOperationException($"expected {typeof(T).Name} from {target.Path}, got {m.GetType().Name}"));
        });
        var timer = Time.CreateTimer(_ => tcs.TrySetException(new TimeoutException($"{target.Path} did not answer within {timeout.TotalMilliseconds} ms")),
            null, timeout, Timeout.InfiniteTimeSpan);
        var reg = ct.Register(() => tcs.TrySetCanceled(ct));
        tcs.Task.ContinueWith(_ =>
        {
            timer.Dispose();
            reg.Dispose();
        }, TaskScheduler.Default);
        target.Tell(message(reply), reply);
        return tcs.Task;
    }

    internal IDispatcher DispatcherFor(ActorOptions options, string path)
    {
        if (_simulation is not null || !options.DedicatedThread) return _defaultDispatcher;
        var d = new DedicatedThreadDispatcher("actor:" + path);
        lock (_lock) _owned.Add(d);
        return d;
    }

    internal void DeadLetter(object message, ActorRef? sender, string recipient)
    {
        if (IsHalted) return;
        Interlocked.Increment(ref _deadLetters);
        LogDeadLetter(_log, message.GetType().Name, recipient);
        DeadLettered?.Invoke(new DeadLetter(message, sender, recipient));
    }

    internal void Unhandled(object message, ActorRef? sender, ActorRef recipient)
    {
        LogUnhandled(_log, message.GetType().Name, recipient.Path);
        DeadLetter(message, sender, recipient.Path);
    }

    internal void OnTerminated(ActorCell cell)
    {
        if (cell.Dispatcher is DedicatedThreadDispatcher d) d.Dispose();
    }

    public void Dispose()
    {
        _guardian.PostSystem(StopSystemMessage.Instance);
        lock (_lock)
        {
            foreach (var d in _owned) d.Dispose();
            _owned.Clear();
        }
    }

    private sealed class Guardian : Actor
    {
        protected internal override void Receive(object message) => Unhandled(message);
    }

    [LoggerMessage(EventId = 1010, Level = LogLevel.Debug, Message = "dead letter {MessageType} to {Recipient}")]
    private static partial void LogDeadLetter(ILogger log, string messageType, string recipient);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "unhandled {MessageType} in {Recipient}")]
    private static partial void LogUnhandled(ILogger log, string messageType, string recipient);
}
