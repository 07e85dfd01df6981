// The runtime side of one actor: its mailboxes, life cycle, children, watchers and timers. Posting is
// thread-safe; Run is called by exactly one dispatcher thread at a time (the _scheduled flag guarantees it).
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Zk.Actors.Kernel;

internal sealed partial class ActorCell
{
    private readonly ConcurrentQueue<Envelope> _mailbox = new();
    private readonly ConcurrentQueue<SystemMessage> _systemMailbox = new();
    private readonly Func<Actor> _factory;
    private readonly Dictionary<string, ActorCell> _children = new(StringComparer.Ordinal);
    private readonly HashSet<ActorCell> _watchers = [];
    private readonly Queue<long> _restartTimesMs = new();
    private readonly int? _capacity;
    private readonly Lock _childrenLock = new();
    private TaskCompletionSource? _roomSignal;
    private Actor? _actor;
    private Action<object>? _behaviour;
    private int _count;
    private int _scheduled;
    private volatile bool _terminated;
    private bool _suspended = true; // until created

    public ActorCell(ActorSystem system, ActorCell? parent, string name, Func<Actor> factory, ActorOptions options)
    {
        System = system;
        Parent = parent;
        Name = name;
        Path = parent is null ? "/" + name : parent.Path + "/" + name;
        _factory = factory;
        _capacity = options.MailboxCapacity;
        Dispatcher = system.DispatcherFor(options, Path);
        Self = new LocalActorRef(this);
        Log = system.LoggerFactory.CreateLogger("Zk.Actors" + Path.Replace('/', '.'));
        Timers = new TimerScheduler(this);
    }

    public ActorSystem System { get; }

    public ActorCell? Parent { get; }

    public string Name { get; }

    public string Path { get; }

    public LocalActorRef Self { get; }

    public ILogger Log { get; }

    public TimerScheduler Timers { get; }

    public IDispatcher Dispatcher { get; }

    /// <summary>The thread-pool dispatcher's reusable work item for this cell (null until first scheduled there).</summary>
    internal IThreadPoolWorkItem? PoolWorkItem { get; set; }

    public ActorRef? CurrentSender { get; private set; }

    public bool IsTerminated => _terminated;

    public int MailboxCount => Volatile.Read(ref _count);

    public IReadOnlyCollection<ActorRef> ChildRefs
    {
        get
        {
            lock (_childrenLock) return _children.Values.Select(c => (ActorRef)c.Self).ToArray();
        }
    }

    // ---- posting (any thread) ----

    public bool Post(in Envelope envelope)
    {
        if (_terminated || System.IsHalted)
        {
            System.DeadLetter(envelope.Message, envelope.Sender, Path);
            return false;
        }
        if (_capacity is { } cap && Volatile.Read(ref _count) >= cap)
        {
            System.DeadLetter(envelope.Message, envelope.Sender, Path);
            LogMailboxFull(Log, Path, cap, envelope.Message.GetType().Name);
            return false;
        }
        Interlocked.Increment(ref _count);
        _mailbox.Enqueue(envelope);
        TrySchedule();
        return true;
    }

    public async ValueTask PostAsync(Envelope envelope, CancellationToken ct)
    {
        while (_capacity is { } cap && Volatile.Read(ref _count) >= cap && !_terminated)
        {
            Task wait;
            lock (_mailbox)
            {
                _roomSignal ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _roomSignal.Task;
            }
            if (Volatile.Read(ref _count) < cap) break;
            await wait.WaitAsync(ct).ConfigureAwait(false);
        }
        if (_terminated)
        {
            System.DeadLetter(envelope.Message, envelope.Sender, Path);
            return;
        }
        Interlocked.Increment(ref _count);
        _mailbox.Enqueue(envelope);
        TrySchedule();
    }

    public void PostSystem(SystemMessage message)
    {
        _systemMailbox.Enqueue(message);
        TrySchedule();
    }

    private void TrySchedule()
    {
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0) Dispatcher.Schedule(this);
    }

    // ---- running (one dispatcher thread at a time) ----

    /// <summary>Processes pending system messages and up to <paramref name="throughput"/> user messages.</summary>
    public void Run(int throughput)
    {
        if (System.IsHalted)
        {
            Volatile.Write(ref _scheduled, 0);
            return;
        }
        var processed = 0;
        try
        {
            ProcessSystemMessages();
            while (!_terminated && !_suspended && processed < throughput && _mailbox.TryDequeue(out var env))
            {
                Interlocked.Decrement(ref _count);
                processed++;
                Invoke(env);
                if (!_systemMailbox.IsEmpty) ProcessSystemMessages();
            }
            if (processed > 0 && !_terminated && !_suspended) EndBatch();
            if (_terminated) DrainToDeadLetters();
        }
        finally
        {
            SignalRoom();
            Volatile.Write(ref _scheduled, 0);
            if (!_systemMailbox.IsEmpty || (!_terminated && !_suspended && !_mailbox.IsEmpty)) TrySchedule();
        }
    }

    private void Invoke(Envelope env)
    {
        var message = env.Message;
        if (message is TimerScheduler.TimerFired fired)
        {
            if (!Timers.Accept(fired, out var payload)) return;
            message = payload;
        }
        if (message is PoisonPill)
        {
            Terminate();
            return;
        }
        CurrentSender = env.Sender;
        try
        {
            _behaviour!(message);
        }
        catch (Exception e)
        {
            Fail(e, message);
        }
        finally
        {
            CurrentSender = null;
        }
    }

    private void EndBatch()
    {
        try
        {
            _actor!.OnBatchEnd();
        }
        catch (Exception e)
        {
            Fail(e, null);
        }
    }

    private void ProcessSystemMessages()
    {
        while (_systemMailbox.TryDequeue(out var sm))
        {
            switch (sm)
            {
                case CreateSystemMessage:
                    Create();
                    break;
                case StopSystemMessage:
                    Terminate();
                    break;
                case RestartSystemMessage r:
                    Restart(r.Cause, r.FailedMessage);
                    break;
                case FailedSystemMessage f:
                    HandleChildFailure(f);
                    break;
                case ChildTerminatedSystemMessage ct:
                    lock (_childrenLock)
                    {
                        if (_children.TryGetValue(ct.Child.Name, out var c) && c == ct.Child) _children.Remove(ct.Child.Name);
                    }
                    break;
                case WatchSystemMessage w:
                    if (_terminated) w.Watcher.Post(new Envelope(new Terminated(Self), null));
                    else _watchers.Add(w.Watcher);
                    break;
                case UnwatchSystemMessage u:
                    _watchers.Remove(u.Watcher);
                    break;
            }
        }
    }

    public void Become(Action<object> behaviour) => _behaviour = behaviour;

    private void Create()
    {
        if (_terminated) return;
        try
        {
            var actor = _factory();
            actor.Cell = this;
            _actor = actor;
            _behaviour = actor.Receive;
            _suspended = false;
            actor.PreStart();
        }
        catch (Exception e)
        {
            Fail(e, null);
        }
    }

    private void Restart(Exception cause, object? failedMessage)
    {
        if (_terminated) return;
        Timers.CancelAll();
        try
        {
            _actor?.PreRestart(cause, failedMessage);
        }
        catch (Exception e)
        {
            LogHookFailed(Log, e, Path, nameof(Actor.PreRestart));
        }
        try
        {
            var actor = _factory();
            actor.Cell = this;
            _actor = actor;
            _behaviour = actor.Receive;
            _suspended = false;
            actor.PostRestart(cause);
        }
        catch (Exception e)
        {
            Fail(e, null);
        }
    }

    private void Fail(Exception e, object? message)
    {
        _suspended = true;
        LogActorFailed(Log, e, Path, message?.GetType().Name ?? "(life cycle)");
        if (Parent is null) Terminate();
        else Parent.PostSystem(new FailedSystemMessage(this, e, message));
    }

    private void HandleChildFailure(FailedSystemMessage f)
    {
        var strategy = _actor?.SupervisorStrategy ?? SupervisorStrategy.StopOnFailure;
        var directive = strategy.Decide(f.Cause);
        if (directive == Directive.Restart && !f.Child.AllowRestart(strategy, System.NowMs())) directive = Directive.Stop;
        switch (directive)
        {
            case Directive.Restart:
                LogChildRestarted(Log, f.Child.Path);
                f.Child.PostSystem(new RestartSystemMessage(f.Cause, f.FailedMessage));
                break;
            case Directive.Stop:
                LogChildStopped(Log, f.Child.Path);
                f.Child.PostSystem(StopSystemMessage.Instance);
                break;
            case Directive.Escalate:
                Fail(f.Cause, f.FailedMessage);
                break;
        }
    }

    private bool AllowRestart(SupervisorStrategy s, long nowMs)
    {
        while (_restartTimesMs.Count > 0 && nowMs - _restartTimesMs.Peek() > s.WindowMs) _restartTimesMs.Dequeue();
        if (_restartTimesMs.Count >= s.MaxRestarts) return false;
        _restartTimesMs.Enqueue(nowMs);
        return true;
    }

    private void Terminate()
    {
        if (_terminated) return;
        _terminated = true;
        _suspended = true;
        Timers.CancelAll();
        ActorCell[] children;
        lock (_childrenLock) children = [.. _children.Values];
        foreach (var c in children) c.PostSystem(StopSystemMessage.Instance);
        if (_actor is not null)
        {
            try
            {
                _actor.PostStop();
            }
            catch (Exception e)
            {
                LogHookFailed(Log, e, Path, nameof(Actor.PostStop));
            }
        }
        foreach (var w in _watchers) w.Post(new Envelope(new Terminated(Self), null));
        _watchers.Clear();
        Parent?.PostSystem(new ChildTerminatedSystemMessage(this));
        System.OnTerminated(this);
        DrainToDeadLetters();
        SignalRoom();
    }

    private void DrainToDeadLetters()
    {
        while (_mailbox.TryDequeue(out var env))
        {
            Interlocked.Decrement(ref _count);
            if (env.Message is not TimerScheduler.TimerFired) System.DeadLetter(env.Message, env.Sender, Path);
        }
    }

    private void SignalRoom()
    {
        if (_capacity is null) return;
        TaskCompletionSource? s;
        lock (_mailbox)
        {
            s = _roomSignal;
            if (s is null || (Volatile.Read(ref _count) >= _capacity && !_terminated)) return;
            _roomSignal = null;
        }
        s.TrySetResult();
    }

    // ---- children and watches (called from this actor's own thread, or the system for the guardian) ----

    public ActorRef SpawnChild(string name, Func<Actor> factory, ActorOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('/')) throw new ArgumentException($"actor name '{name}' must not contain '/'", nameof(name));
        var child = new ActorCell(System, this, name, factory, options);
        lock (_childrenLock)
        {
            if (!_children.TryAdd(name, child)) throw new InvalidOperationException($"{Path} already has a child named '{name}'");
        }
        child.PostSystem(CreateSystemMessage.Instance);
        return child.Self;
    }

    public void StopChild(ActorRef child)
    {
        if (child is LocalActorRef { Cell: var c } && (c.Parent == this || c == this)) c.PostSystem(StopSystemMessage.Instance);
        else throw new InvalidOperationException($"{child.Path} is not a child of {Path}");
    }

    public void Watch(ActorRef other)
    {
        if (other is LocalActorRef l) l.Cell.PostSystem(new WatchSystemMessage(this));
    }

    public void Unwatch(ActorRef other)
    {
        if (other is LocalActorRef l) l.Cell.PostSystem(new UnwatchSystemMessage(this));
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "actor {Path} failed while processing {MessageType}")]
    private static partial void LogActorFailed(ILogger log, Exception e, string path, string messageType);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "supervisor restarts {Path}")]
    private static partial void LogChildRestarted(ILogger log, string path);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "supervisor stops {Path}")]
    private static partial void LogChildStopped(ILogger log, string path);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "actor {Path} threw in {Hook}")]
    private static partial void LogHookFailed(ILogger log, Exception e, string path, string hook);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "mailbox of {Path} is full ({Capacity}); {MessageType} went to dead letters")]
    private static partial void LogMailboxFull(ILogger log, string path, int capacity, string messageType);
}
