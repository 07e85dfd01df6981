// Base class of every actor. An actor's state is private and touched by one message at a time: the kernel
// never runs two messages of the same actor concurrently, so actor code needs no locks. Behaviours are named
// methods switched with Become.
using Microsoft.Extensions.Logging;

namespace Zk.Actors.Kernel;

public abstract class Actor
{
    private ActorCell? _cell;

    internal ActorCell Cell
    {
        get => _cell ?? throw new InvalidOperationException("An actor can only be created through ActorSystem.Spawn or Context.Spawn.");
        set => _cell = value;
    }

    protected ActorRef Self => Cell.Self;

    /// <summary>The sender of the message being processed, if it said who it was.</summary>
    protected ActorRef? Sender => Cell.CurrentSender;

    protected ActorSystem System => Cell.System;

    protected TimeProvider Time => Cell.System.Time;

    protected TimerScheduler Timers => Cell.Timers;

    protected ILogger Log => Cell.Log;

    protected IReadOnlyCollection<ActorRef> Children => Cell.ChildRefs;

    /// <summary>How this actor treats the failure of one of its children.</summary>
    protected internal virtual SupervisorStrategy SupervisorStrategy => SupervisorStrategy.DefaultRestart;

    /// <summary>The initial behaviour.</summary>
    protected internal abstract void Receive(object message);

    protected void Become(Action<object> behaviour) => Cell.Become(behaviour);

    protected ActorRef Spawn(string name, Func<Actor> factory, ActorOptions? options = null) =>
        Cell.SpawnChild(name, factory, options ?? ActorOptions.Default);

    protected void Stop(ActorRef child) => Cell.StopChild(child);

    protected void StopSelf() => Cell.PostSystem(StopSystemMessage.Instance);

    protected void Watch(ActorRef other) => Cell.Watch(other);

    protected void Unwatch(ActorRef other) => Cell.Unwatch(other);

    protected internal virtual void PreStart() { }

    protected internal virtual void PostStop() { }

    /// <summary>Called on the failed instance before it is replaced. The default stops every child, then runs PostStop.</summary>
    protected internal virtual void PreRestart(Exception reason, object? message)
    {
        foreach (var c in Cell.ChildRefs) Stop(c);
        PostStop();
    }

    protected internal virtual void PostRestart(Exception reason) => PreStart();

    /// <summary>Called after the dispatcher ran a batch of this actor's messages: the place to flush buffered IO
    /// (socket writes, a group commit) once for many messages.</summary>
    protected internal virtual void OnBatchEnd() { }

    /// <summary>Behaviours call this for messages they do not understand.</summary>
    protected void Unhandled(object message) => Cell.System.Unhandled(message, Sender, Self);
}

/// <summary>Per-actor options: a bounded mailbox (null = unbounded, bounded by its producers), and whether the
/// actor blocks (disk IO) and therefore gets a thread of its own in production.</summary>
public sealed record ActorOptions(int? MailboxCapacity = null, bool DedicatedThread = false)
{
    public static readonly ActorOptions Default = new();
}
