// The election (FLE) channel to one peer: at most one TCP connection per server pair, dialled by the server
// with the smaller id (retrying every 5–20 ms while the peer is down) and accepted by the other, used both
// ways. Lossy: a full queue drops, and while disconnected only the latest notification waits for the next
// connection. Reachability changes are reported so the election need not wait for a dead voter. Thread-safe.
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Zk.Actors.Zab;
using Zk.Protocol.Jute;
using Zk.Core.Zab;

namespace Zk.Host.Quorum;

internal sealed class ElectionPeer(int myId, QuorumPeerAddress peer, QuorumTransportOptions options, IElectionSink sink, ILogger log)
{
    private readonly object _lock = new();
    private ElectionConnection? _current;
    private Notification? _pending;
    private bool? _reachable;
    private bool _closed;

    public int PeerId => peer.ServerId;

    /// <summary>The smaller id dials; the larger waits to be dialled. Either end accepts whatever arrives.</summary>
    public bool Dials => myId < peer.ServerId;

    public bool? Reachable
    {
        get
        {
            lock (_lock) return _reachable;
        }
    }

    public void Send(Notification n)
    {
        ElectionConnection? c;
        lock (_lock)
        {
            c = _current;
            if (c is null)
            {
                _pending = n;
                return;
            }
        }
        c.TrySend(n);
    }

    /// <summary>A connection is up (dialled or accepted): it replaces any older one, which is closed.</summary>
    public void Adopt(Socket socket, FrameReader reader, bool dialled)
    {
        var connection = new ElectionConnection(socket, reader, peer.ServerId, options, sink, this);
        ElectionConnection? old = null;
        Notification? pending = null;
        bool stopping;
        lock (_lock)
        {
            stopping = _closed;
            if (!stopping)
            {
                old = _current;
                _current = connection;
                pending = _pending;
                _pending = null;
            }
        }
        if (stopping)
        {
            // Its handshake finished after the server began stopping: nobody else would ever close it.
            connection.Close("the server stops");
            return;
        }
        old?.Close("replaced by a new connection");
        connection.Start(dialled ? myId : null);
        if (pending is not null) connection.TrySend(pending);
        SetReachable(true, "connected");
    }

    public void Closed(ElectionConnection connection, string reason)
    {
        lock (_lock)
        {
            if (_current != connection) return;
            _current = null;
        }
        QuorumLog.ElectionClosed(log, myId, peer.ServerId, reason);
        SetReachable(false, reason);
    }

    /// <summary>Keeps a connection to a peer with a larger id, redialling with a short, capped backoff.</summary>
    public async Task DialLoopAsync(CancellationToken ct)
    {
        var backoffMs = options.ElectionRetryMinMs;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var connection = await TryDialAsync(ct).ConfigureAwait(false);
                if (connection is not null)
                {
                    await connection.Completion.WaitAsync(ct).ConfigureAwait(false);
                    backoffMs = options.ElectionRetryMinMs;
                }
                else
                {
                    backoffMs = Math.Min(backoffMs * 2, options.ElectionRetryMaxMs);
                }
                await Task.Delay(backoffMs, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The network is being disposed.
        }
    }

    private async Task<ElectionConnection?> TryDialAsync(CancellationToken ct)
    {
        var socket = new Socket(peer.Election.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.ConnectTimeoutMs);
            await socket.ConnectAsync(peer.Election, timeout.Token).ConfigureAwait(false);
            options.Tune(socket);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            ct.ThrowIfCancellationRequested();
            SetReachable(false, e is SocketException se ? se.SocketErrorCode.ToString() : "connect timed out");
            return null;
        }
        Adopt(socket, new FrameReader(socket, ElectionFrames.MaxBytesOf, 4096), dialled: true);
        lock (_lock) return _current;
    }

    public void Close()
    {
        ElectionConnection? c;
        lock (_lock)
        {
            _closed = true;
            c = _current;
            _current = null;
        }
        c?.Close("the server stops");
    }

    /// <summary>Reports transitions only; the first knowledge either way is a transition too.</summary>
    public void SetReachable(bool reachable, string why)
    {
        lock (_lock)
        {
            if (_reachable == reachable) return;
            _reachable = reachable;
        }
        QuorumLog.PeerState(log, myId, peer.ServerId, reachable ? "reachable" : $"unreachable ({why})");
        sink.Reachability(peer.ServerId, reachable);
    }
}

/// <summary>Where the election side delivers: the network forwards to the election actor once it is bound.</summary>
internal interface IElectionSink
{
    void Deliver(Notification n);

    void Reachability(int serverId, bool reachable);
}

/// <summary>Frames of the election port: a hello naming the dialler, then notifications.</summary>
internal static class ElectionFrames
{
    /// <summary>"ZKA1": the first frame of a dialled election connection, followed by the dialler's server id.</summary>
    public const int HelloType = 0x5A4B4131;

    public const int HelloFrameBytes = 16;

    public static int MaxBytesOf(int type) => type switch
    {
        HelloType => HelloFrameBytes - 4,
        QuorumPacketCodec.NotificationType => QuorumPacketCodec.NotificationFrameBytes - 4,
        _ => 0,
    };

    public static void WriteHello(JuteWriter w, int serverId)
    {
        var mark = w.BeginFrame();
        w.WriteInt(HelloType);
        w.WriteLong(serverId);
        w.EndFrame(mark);
    }

    /// <summary>The dialler's id from a hello frame; anything else is malformed.</summary>
    public static int ReadHello(ReadOnlySpan<byte> frame)
    {
        if (frame.Length != HelloFrameBytes || BinaryPrimitives.ReadInt32BigEndian(frame[4..]) != HelloType)
            throw new MalformedFrameException("the first frame of an election connection is not a hello");
        var id = BinaryPrimitives.ReadInt64BigEndian(frame[8..]);
        return id is >= 0 and <= int.MaxValue ? (int)id : throw new MalformedFrameException($"hello from server id {id}");
    }
}

/// <summary>One election connection: a writer task draining a small lossy queue, a reader task delivering.</summary>
internal sealed class ElectionConnection(Socket socket, FrameReader reader, int peerId, QuorumTransportOptions options, IElectionSink sink, ElectionPeer owner)
{
    private readonly Channel<Notification> _queue = Channel.CreateBounded<Notification>(new BoundedChannelOptions(options.MaxQueuedNotifications)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _closed;

    public Task Completion => _completion.Task;

    public void Start(int? helloFrom)
    {
        _ = WriteLoopAsync(helloFrom);
        _ = ReadLoopAsync();
    }

    public void TrySend(Notification n) => _queue.Writer.TryWrite(n);

    public void Close(string reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        _queue.Writer.TryComplete();
        _stop.Cancel();
        socket.Dispose();
        owner.Closed(this, reason);
        _completion.TrySetResult();
    }

    private async Task WriteLoopAsync(int? helloFrom)
    {
        using var w = new JuteWriter(1024);
        try
        {
            if (helloFrom is { } me)
            {
                ElectionFrames.WriteHello(w, me);
                await socket.SendAsync(w.WrittenMemory, SocketFlags.None, _stop.Token).ConfigureAwait(false);
            }
            while (await _queue.Reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                w.Clear();
                while (w.Length < 16 << 10 && _queue.Reader.TryRead(out var n)) QuorumPacketCodec.WriteNotification(w, n);
                var data = w.WrittenMemory;
                while (!data.IsEmpty) data = data[await socket.SendAsync(data, SocketFlags.None, _stop.Token).ConfigureAwait(false)..];
            }
        }
        catch (Exception e)
        {
            // Lossy by contract: any failure just ends this connection; the dialler makes a new one.
            Close($"write failed: {e.Message}");
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var frame = await reader.ReadFrameAsync(_stop.Token).ConfigureAwait(false);
                if (frame is null)
                {
                    Close("the peer closed the connection");
                    return;
                }
                var n = QuorumPacketCodec.DecodeNotification(frame.Value.Span);
                if (n.Sender != peerId) throw new MalformedFrameException($"notification from server {n.Sender} on the connection of server {peerId}");
                sink.Deliver(n);
            }
        }
        catch (Exception e)
        {
            Close(e is MalformedFrameException ? $"broken frame: {e.Message}" : $"read failed: {e.Message}");
        }
    }
}
