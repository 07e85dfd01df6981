// Handles to actors. Tell is thread-safe and never blocks; delivery order is FIFO per (sender, receiver) pair
// and, within one process, causal. TellAsync is the back-pressure entry point for IO edges.
namespace Zk.Actors.Kernel;

public abstract class ActorRef
{
    protected ActorRef(string path) => Path = path;

    public string Path { get; }

    public void Tell(object message, ActorRef? sender = null) => Post(message, sender);

    /// <summary>False when a bounded mailbox is full (the message went to dead letters) or the actor is gone.</summary>
    public bool TryTell(object message, ActorRef? sender = null) => Post(message, sender);

    /// <summary>Waits until a bounded mailbox has room, then enqueues. For producers outside the actor system.</summary>
    public virtual ValueTask TellAsync(object message, CancellationToken ct = default)
    {
        Post(message, null);
        return ValueTask.CompletedTask;
    }

    internal abstract bool Post(object message, ActorRef? sender);

    public override string ToString() => Path;
}

/// <summary>A reference backed by a delegate that runs on the sender's thread: promises, probes, dead letters.</summary>
public sealed class FunctionRef : ActorRef
{
    private readonly Func<object, ActorRef?, bool> _receive;

    public FunctionRef(string path, Action<object, ActorRef?> receive) : base(path) =>
        _receive = (m, s) =>
        {
            receive(m, s);
            return true;
        };

    internal override bool Post(object message, ActorRef? sender) => _receive(message, sender);
}

internal sealed class LocalActorRef(ActorCell cell) : ActorRef(cell.Path)
{
    internal ActorCell Cell { get; } = cell;

    internal override bool Post(object message, ActorRef? sender) => Cell.Post(new Envelope(message, sender));

    public override ValueTask TellAsync(object message, CancellationToken ct = default) =>
        Cell.PostAsync(new Envelope(message, null), ct);
}

internal readonly record struct Envelope(object Message, ActorRef? Sender);
