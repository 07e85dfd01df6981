// One leader–learner link over TCP: a FIFO stream of quorum packets each way (zab.md §3). Send queues into a
// bounded channel drained by one writer task; one reader task delivers LinkPacket to the owner, only after
// Start. The first IO error, broken frame or close delivers exactly one LinkClosed, and nothing after it.
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Zk.Actors.Kernel;
using Zk.Actors.Zab;
using Zk.Protocol.Jute;
using Zk.Core.Zab;

namespace Zk.Host.Quorum;

internal sealed class TcpQuorumLink : IQuorumLink
{
    private readonly QuorumTransportOptions _options;
    private readonly ILogger _log;
    private readonly int _myId;
    private readonly Channel<QuorumPacket> _queue;
    private readonly object _gate = new();
    private readonly TaskCompletionSource<ActorRef> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _abort = new();
    private readonly CancellationTokenSource _stopReading = new();
    private readonly TaskCompletionSource _closing = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Socket? _socket;
    private ActorRef? _owner;
    private volatile bool _closed;
    private bool _closedDelivered;
    private string _closeReason = "";
    private volatile int _remoteServerId;

    private TcpQuorumLink(long id, int remoteServerId, int myId, QuorumTransportOptions options, ILogger log)
    {
        Id = id;
        _remoteServerId = remoteServerId;
        _myId = myId;
        _options = options;
        _log = log;
        _queue = Channel.CreateBounded<QuorumPacket>(new BoundedChannelOptions(options.MaxQueuedPackets)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
            // An idle writer's continuation runs on the sending thread (an actor's, between its turns' sends): the
            // packet goes to the socket there, usually without blocking, instead of waking a pool thread per packet.
            AllowSynchronousContinuations = true,
        });
    }

    public long Id { get; }

    public int RemoteServerId => _remoteServerId;

    public string Remote { get; private set; } = "";

    /// <summary>Completes when the link is closed, by either end.</summary>
    public Task Closing => _closing.Task;

    /// <summary>A learner's link to a leader: connects in the background; packets sent meanwhile wait in the queue.</summary>
    public static TcpQuorumLink Dial(long id, int serverId, IPEndPoint endpoint, ActorRef owner, int myId, QuorumTransportOptions options, ILogger log)
    {
        var link = new TcpQuorumLink(id, serverId, myId, options, log) { Remote = endpoint.ToString() };
        link._owner = owner;
        link._started.TrySetResult(owner);
        _ = link.DialAsync(endpoint);
        return link;
    }

    /// <summary>A link a learner opened to our quorum port: it writes at once, but reads only after Start.</summary>
    public static TcpQuorumLink Accept(long id, Socket socket, int myId, QuorumTransportOptions options, ILogger log)
    {
        var link = new TcpQuorumLink(id, -1, myId, options, log) { Remote = socket.RemoteEndPoint?.ToString() ?? "?" };
        link._socket = socket;
        link.Run(socket);
        return link;
    }

    public void Send(QuorumPacket packet)
    {
        if (_closed) return;
        if (!_queue.Writer.TryWrite(packet) && !_closed) Fail($"more than {_options.MaxQueuedPackets} packets queued: the peer does not keep up");
    }

    public void Start(ActorRef owner)
    {
        lock (_gate)
        {
            _owner = owner;
            DeliverClosedIfDue();
        }
        _started.TrySetResult(owner);
    }

    /// <summary>Closes gracefully: what was queued is still written, then the stream ends.</summary>
    public void Close()
    {
        if (!MarkClosed("closed by this server")) return;
        _stopReading.Cancel();
        _started.TrySetCanceled();
        _queue.Writer.TryComplete();
        bool connected;
        lock (_gate) connected = _socket is not null;
        if (connected) _abort.CancelAfter(_options.CloseFlushTimeoutMs);
        else _abort.Cancel();
    }

    private async Task DialAsync(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
            timeout.CancelAfter(_options.ConnectTimeoutMs);
            await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
            _options.Tune(socket);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            socket.Dispose();
            Fail(e is SocketException { SocketErrorCode: SocketError.ConnectionRefused }
                ? $"connection refused by {endpoint}"
                : $"cannot connect to {endpoint}: {e.Message}");
            return;
        }
        lock (_gate)
        {
            if (_closed)
            {
                socket.Dispose();
                return;
            }
            _socket = socket;
        }
        Run(socket);
    }

    private void Run(Socket socket)
    {
        _ = WriteLoopAsync(socket);
        _ = ReadLoopAsync(socket);
    }

    private async Task ReadLoopAsync(Socket socket)
    {
        ActorRef owner;
        try
        {
            owner = await _started.Task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        var reader = new FrameReader(socket, MaxFrameBytesOf);
        try
        {
            while (true)
            {
                var frame = await reader.ReadFrameAsync(_stopReading.Token).ConfigureAwait(false);
                if (frame is null)
                {
                    Fail("the peer closed the link");
                    return;
                }
                var packet = QuorumPacketCodec.Decode(frame.Value.Span);
                if (packet is FollowerInfo info && _remoteServerId < 0) _remoteServerId = info.ServerId;
                // The owner's turn (and the turns it starts: the journal's append, the tree's apply) runs right here,
                // after the lock, when the owner was idle, rather than waking a pool thread per packet; this loop never
                // blocks and its next read waits on the socket anyway.
                using (InlineTurns.Begin())
                {
                    lock (_gate)
                    {
                        if (_closed) return;
                        owner.Tell(new LinkPacket(this, packet));
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stopReading.IsCancellationRequested)
        {
        }
        catch (MalformedFrameException e)
        {
            QuorumLog.BrokenFrame(_log, _myId, Remote, e.Message);
            Fail($"broken frame: {e.Message}");
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            Fail($"read failed: {e.Message}");
        }
        catch (Exception e)
        {
            // Not an IO outcome: a bug in decoding. Loud in the log, and the link must not hang half-open.
            QuorumLog.LinkFault(_log, e, _myId, Id);
            Fail($"read fault: {e.Message}");
        }
    }

    private async Task WriteLoopAsync(Socket socket)
    {
        var batch = new JuteWriter(64 << 10);
        var one = new JuteWriter(4 << 10);
        var ct = _abort.Token;
        try
        {
            var reader = _queue.Reader;
            while (await reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Length < _options.WriteBatchBytes && reader.TryRead(out var packet))
                {
                    var large = false;
                    foreach (var part in Fit(packet, one))
                    {
                        if (one.Length <= _options.WriteBatchBytes)
                        {
                            batch.WriteRaw(one.WrittenSpan);
                            continue;
                        }
                        // A large frame (a snapshot) goes straight from its own buffer, after what was batched before it.
                        large = true;
                        await SendAllAsync(socket, batch.WrittenMemory, ct).ConfigureAwait(false);
                        batch.Clear();
                        await SendAllAsync(socket, one.WrittenMemory, ct).ConfigureAwait(false);
                    }
                    if (!large) continue;
                    // Give a snapshot-sized buffer back rather than keep it for the life of the link.
                    one.Dispose();
                    one = new JuteWriter(4 << 10);
                }
                await SendAllAsync(socket, batch.WrittenMemory, ct).ConfigureAwait(false);
            }
            // The owner closed the link and everything it queued is on the wire: end the stream gracefully.
            await LingerAsync(socket, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException or QuorumFrameTooLargeException)
        {
            if (e is QuorumFrameTooLargeException) QuorumLog.FrameTooLarge(_log, _myId, Remote, e.Message);
            Fail($"write failed: {e.Message}");
        }
        catch (Exception e)
        {
            QuorumLog.LinkFault(_log, e, _myId, Id);
            Fail($"write fault: {e.Message}");
        }
        finally
        {
            batch.Dispose();
            one.Dispose();
            socket.Dispose();
        }
    }

    /// <summary>Encodes <paramref name="packet"/> into <paramref name="one"/>, once per frame it needs: a batch too large
    /// for one frame is split in halves, which keeps its meaning (txns, requests and touches are processed in order).</summary>
    private IEnumerable<QuorumPacket> Fit(QuorumPacket packet, JuteWriter one)
    {
        one.Clear();
        QuorumPacketCodec.WriteFrame(one, packet);
        var limit = MaxFrameBytesOf((int)packet.Type);
        if (one.Length - 4 <= limit)
        {
            yield return packet;
            yield break;
        }
        var halves = Split(packet) ?? throw new QuorumFrameTooLargeException(
            $"a {packet.Type} packet of {one.Length - 4} bytes exceeds the {limit}-byte frame limit and cannot be split");
        foreach (var half in halves)
            foreach (var part in Fit(half, one))
                yield return part;
    }

    private static QuorumPacket[]? Split(QuorumPacket packet) => packet switch
    {
        ProposalPacket { Txns.Count: > 1 } p => [new ProposalPacket(p.Txns.Take(p.Txns.Count / 2).ToArray()), new ProposalPacket(p.Txns.Skip(p.Txns.Count / 2).ToArray())],
        Inform { Txns.Count: > 1 } p => [new Inform(p.Txns.Take(p.Txns.Count / 2).ToArray()), new Inform(p.Txns.Skip(p.Txns.Count / 2).ToArray())],
        RequestPacket { Requests.Count: > 1 } p => [new RequestPacket(p.Requests.Take(p.Requests.Count / 2).ToArray()), new RequestPacket(p.Requests.Skip(p.Requests.Count / 2).ToArray())],
        Ping { Touches.Count: > 1 } p => [new Ping(p.Touches.Take(p.Touches.Count / 2).ToArray()), new Ping(p.Touches.Skip(p.Touches.Count / 2).ToArray())],
        _ => null,
    };

    private int MaxFrameBytesOf(int type) => type == (int)QuorumPacketType.Snap ? _options.MaxSnapFrameBytes : _options.MaxFrameBytes;

    private static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        while (!data.IsEmpty)
        {
            var n = await socket.SendAsync(data, SocketFlags.None, ct).ConfigureAwait(false);
            data = data[n..];
        }
    }

    /// <summary>FIN, then drain until the peer closes too: closing with unread input would send RST and could
    /// destroy data the peer has not read yet.</summary>
    private static async Task LingerAsync(Socket socket, CancellationToken ct)
    {
        socket.Shutdown(SocketShutdown.Send);
        var sink = new byte[4096];
        while (await socket.ReceiveAsync(sink, SocketFlags.None, ct).ConfigureAwait(false) > 0)
        {
        }
    }

    private void Fail(string reason)
    {
        if (!MarkClosed(reason)) return;
        QuorumLog.LinkClosed(_log, _myId, Id, _remoteServerId, Remote, reason);
        _stopReading.Cancel();
        _started.TrySetCanceled();
        _queue.Writer.TryComplete();
        _abort.Cancel();
        lock (_gate) _socket?.Dispose();
    }

    /// <summary>The one transition to closed: true for the caller that made it.</summary>
    private bool MarkClosed(string reason)
    {
        lock (_gate)
        {
            if (_closed) return false;
            _closed = true;
            _closeReason = reason;
            DeliverClosedIfDue();
        }
        _closing.TrySetResult();
        return true;
    }

    // Under _gate. An accepted link that closed before Start tells its owner when Start comes.
    private void DeliverClosedIfDue()
    {
        if (!_closed || _closedDelivered || _owner is null) return;
        _closedDelivered = true;
        _owner.Tell(new LinkClosed(this, _closeReason));
    }

    public override string ToString() => $"link {Id} to server {_remoteServerId} ({Remote})";
}

/// <summary>A packet that no frame can carry: the link closes rather than send what the peer would refuse.</summary>
internal sealed class QuorumFrameTooLargeException(string message) : Exception(message);
