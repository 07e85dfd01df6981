// Messages the kernel itself delivers to actors, and the system messages that drive an actor's life cycle.
namespace Zk.Actors.Kernel;

/// <summary>Delivered to every watcher when the watched actor has stopped.</summary>
public sealed record Terminated(ActorRef Actor);

/// <summary>A user message that stops the receiving actor once every message queued before it is processed.</summary>
public sealed class PoisonPill
{
    public static readonly PoisonPill Instance = new();

    private PoisonPill() { }
}

/// <summary>A message that reached no live actor.</summary>
public sealed record DeadLetter(object Message, ActorRef? Sender, string Recipient);

internal abstract record SystemMessage;

internal sealed record CreateSystemMessage : SystemMessage
{
    public static readonly CreateSystemMessage Instance = new();
}

internal sealed record StopSystemMessage : SystemMessage
{
    public static readonly StopSystemMessage Instance = new();
}

internal sealed record RestartSystemMessage(Exception Cause, object? FailedMessage) : SystemMessage;

internal sealed record FailedSystemMessage(ActorCell Child, Exception Cause, object? FailedMessage) : SystemMessage;

internal sealed record ChildTerminatedSystemMessage(ActorCell Child) : SystemMessage;

internal sealed record WatchSystemMessage(ActorCell Watcher) : SystemMessage;

internal sealed record UnwatchSystemMessage(ActorCell Watcher) : SystemMessage;
