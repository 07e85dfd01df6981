// One request on its way through the client: queued, then sent by the connection's writer loop, then completed
// by its reader loop. The queued→sent/abandoned transition is a CAS, so a caller that gives up before the
// writer reaches the packet keeps it off the wire; after that the reply is still read and then dropped.
using Zk.Protocol;
using Zk.Protocol.Records;

namespace Zk.Client.Internal;

internal enum PacketKind
{
    Request,
    Auth,
}

internal enum WatchKind
{
    Data,
    Exists,
    Child,
    Persistent,
    PersistentRecursive,
}

/// <summary>Registered with the local watch tables when the reply arrives (exists registers even on NoNode).</summary>
internal sealed record WatchRegistration(WatchKind Kind, string ClientPath, Action<WatchedEvent> Watcher);

/// <summary>Applied to the local tables when the reply to removeWatches/checkWatches arrives; Watcher null = all.</summary>
internal sealed record WatchRemoval(string ClientPath, Action<WatchedEvent>? Watcher, WatcherType Type, bool Local);

internal sealed class Packet(
    OpCode op,
    Request body,
    string? clientPath,
    WatchRegistration? watch = null,
    WatchRemoval? removal = null,
    PacketKind kind = PacketKind.Request)
{
    private const int Queued = 0;
    private const int Sent = 1;
    private const int Abandoned = 2;

    private int _state;

    public OpCode Op { get; } = op;

    public Request Body { get; } = body;

    public string? ClientPath { get; } = clientPath;

    public WatchRegistration? Watch { get; } = watch;

    public WatchRemoval? Removal { get; } = removal;

    public PacketKind Kind { get; } = kind;

    /// <summary>Assigned by the writer loop just before the packet goes on the wire.</summary>
    public int Xid { get; set; }

    public TaskCompletionSource<Response> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool TryMarkSent() => Interlocked.CompareExchange(ref _state, Sent, Queued) == Queued;

    public bool TryAbandon() => Interlocked.CompareExchange(ref _state, Abandoned, Queued) == Queued;
}
