// One TCP connection of a session: the handshake, then one writer loop (which also sends the pings) and one reader
// loop until either fails. The session loop creates, runs and disposes it. The writer enqueues each packet on a
// pending queue before its bytes leave, and the reader dequeues in order, so replies match without a lock.
using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using Zk.Protocol;
using Zk.Protocol.Framing;
using Zk.Protocol.Jute;
using Zk.Protocol.Records;

namespace Zk.Client.Internal;

/// <summary>Ends a connection; the session loop turns it into ConnectionLoss for what was in flight.</summary>
internal sealed class ConnectionDroppedException(string message) : Exception(message);

internal sealed class ClientConnection : IAsyncDisposable
{
    // Replies to queued requests are batched into one write up to this size.
    private const int FlushThresholdBytes = 64 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly ClientCore _core;
    private readonly TimeProvider _time;
    private readonly int _maxFrameBytes;
    private readonly ConcurrentQueue<Packet> _pending = new();
    private readonly ConcurrentQueue<Packet> _pendingAuth = new();
    private readonly JuteWriter _out = new(4096);
    private readonly JuteWriter _scratch = new(1024);
    private byte[]? _frameScratch;
    private long _lastSend;

    private ClientConnection(Socket socket, HostEndpoint endpoint, ClientCore core)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        _core = core;
        _time = core.Time;
        _maxFrameBytes = core.Options.MaxFrameBytes;
        Endpoint = endpoint;
        _lastSend = _time.GetTimestamp();
    }

    public HostEndpoint Endpoint { get; }

    public static async Task<ClientConnection> OpenAsync(HostEndpoint endpoint, ClientCore core, CancellationToken ct)
    {
        Socket socket;
        if (core.Options.SocketFactory is { } factory)
        {
            socket = await factory(endpoint, ct).ConfigureAwait(false);
        }
        else
        {
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(endpoint.Host, endpoint.Port, ct).ConfigureAwait(false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        return new ClientConnection(socket, endpoint, core);
    }

    /// <summary>Sends the ConnectRequest and reads the ConnectResponse; nothing else is written in between.</summary>
    public async Task<ConnectResponse> HandshakeAsync(ConnectRequest request, CancellationToken ct)
    {
        SessionCodec.WriteConnectRequestFrame(_out, request);
        await FlushAsync(ct).ConfigureAwait(false);
        while (true)
        {
            var result = await _input.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (FrameDecoder.TryReadFrame(ref buffer, _maxFrameBytes, out var payload))
            {
                var response = DecodeConnectResponse(payload);
                _input.AdvanceTo(buffer.Start);
                return response;
            }
            _input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted) throw new ConnectionDroppedException("the server closed the connection during the handshake");
        }
    }

    /// <summary>Writes the auth and SetWatches packets ahead of every queued request, as ZooKeeper's client does.</summary>
    public async Task PrimeAsync(IEnumerable<Packet> packets, CancellationToken ct)
    {
        foreach (var p in packets) Serialize(p);
        if (_out.Length > 0) await FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Runs both loops until one ends; returns why the connection ended (null: the session is over).</summary>
    public async Task<Exception?> RunAsync(ChannelReader<Packet> outgoing, TimeSpan pingInterval, TimeSpan readTimeout, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reader = ReadLoopAsync(readTimeout, stop.Token);
        var writer = WriteLoopAsync(outgoing, pingInterval, stop.Token);
        var first = await Task.WhenAny(reader, writer).ConfigureAwait(false);
        var reason = first.Exception?.GetBaseException();
        await stop.CancelAsync().ConfigureAwait(false);
        // The other loop now ends with a cancellation, which is the consequence of the reason above, not news.
        await Task.WhenAll(reader, writer).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        return reason;
    }

    /// <summary>Fails everything sent but unanswered; called once, after RunAsync has returned.</summary>
    public void FailPending(Func<Packet, Exception> error)
    {
        while (_pending.TryDequeue(out var p)) _core.FailPacket(p, error(p));
        while (_pendingAuth.TryDequeue(out var p)) _core.FailPacket(p, error(p));
    }

    public async ValueTask DisposeAsync()
    {
        await _input.CompleteAsync().ConfigureAwait(false);
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset by the peer; closing below is all that is left to do.
        }
        catch (ObjectDisposedException)
        {
            // Closed already.
        }
        await _stream.DisposeAsync().ConfigureAwait(false);
        _out.Dispose();
        _scratch.Dispose();
    }

    private static ConnectResponse DecodeConnectResponse(ReadOnlySequence<byte> payload)
    {
        byte[]? scratch = null;
        var reader = new JuteReader(FrameDecoder.Contiguous(payload, ref scratch));
        return SessionCodec.DecodeConnectResponse(ref reader);
    }

    private async Task WriteLoopAsync(ChannelReader<Packet> outgoing, TimeSpan pingInterval, CancellationToken ct)
    {
        var idle = NewIdleTimer(ct);
        try
        {
            while (true)
            {
                while (_out.Length < FlushThresholdBytes && outgoing.TryRead(out var packet)) Serialize(packet);
                if (_out.Length > 0)
                {
                    await FlushAsync(ct).ConfigureAwait(false);
                    continue;
                }

                var untilPing = pingInterval - _time.GetElapsedTime(_lastSend);
                if (untilPing <= TimeSpan.Zero)
                {
                    RequestCodec.WriteFrame(_out, new RequestHeader(Xids.Ping, OpCode.Ping), EmptyRequest.Instance);
                    await FlushAsync(ct).ConfigureAwait(false);
                    continue;
                }

                idle.Timer.CancelAfter(untilPing);
                try
                {
                    // False: the session is over and nothing more will be queued.
                    if (!await outgoing.WaitToReadAsync(idle.Timer.Token).ConfigureAwait(false)) return;
                    if (!idle.Timer.TryReset())
                    {
                        idle.Dispose();
                        idle = NewIdleTimer(ct);
                    }
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    // Ping time: the timer fired.
                    idle.Dispose();
                    idle = NewIdleTimer(ct);
                }
            }
        }
        finally
        {
            idle.Dispose();
        }
    }

    private IdleTimer NewIdleTimer(CancellationToken ct)
    {
        var timer = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        var link = ct.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timer);
        return new IdleTimer(timer, link);
    }

    private void Serialize(Packet p)
    {
        if (!p.TryMarkSent()) return;
        var header = p.Kind == PacketKind.Auth
            ? new RequestHeader(Xids.Auth, OpCode.Auth)
            : new RequestHeader(p.Xid = _core.NextXid(), p.Op);
        _scratch.Clear();
        try
        {
            RequestCodec.WriteFrame(_scratch, header, p.Body);
        }
        catch (ArgumentException e)
        {
            _core.FailPacket(p, e);
            return;
        }
        if (_scratch.Length - FrameDecoder.LengthPrefixBytes > _maxFrameBytes)
        {
            _core.FailPacket(p, new ArgumentException(
                $"The request is {_scratch.Length - FrameDecoder.LengthPrefixBytes} bytes, more than jute.maxbuffer ({_maxFrameBytes})"));
            return;
        }
        (p.Kind == PacketKind.Auth ? _pendingAuth : _pending).Enqueue(p);
        _out.WriteRaw(_scratch.WrittenSpan);
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        await _stream.WriteAsync(_out.WrittenMemory, ct).ConfigureAwait(false);
        _out.Clear();
        _lastSend = _time.GetTimestamp();
    }

    private async Task ReadLoopAsync(TimeSpan readTimeout, CancellationToken ct)
    {
        using var silence = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        using var link = ct.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), silence);
        while (true)
        {
            silence.CancelAfter(readTimeout);
            ReadResult result;
            try
            {
                result = await _input.ReadAsync(silence.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new ConnectionDroppedException($"nothing heard from the server for {readTimeout.TotalMilliseconds:0} ms");
            }
            var buffer = result.Buffer;
            try
            {
                ProcessFrames(ref buffer);
            }
            finally
            {
                _input.AdvanceTo(buffer.Start, buffer.End);
            }
            if (result.IsCompleted) throw new ConnectionDroppedException("the server closed the connection");
        }
    }

    private void ProcessFrames(ref ReadOnlySequence<byte> buffer)
    {
        while (FrameDecoder.TryReadFrame(ref buffer, _maxFrameBytes, out var payload))
        {
            var reader = new JuteReader(FrameDecoder.Contiguous(payload, ref _frameScratch));
            var header = reader.ReadReplyHeader();
            switch (header.Xid)
            {
                case Xids.Notification:
                    _core.OnNotification(SessionCodec.DecodeWatcherEvent(ref reader));
                    break;
                case Xids.Ping:
                    break;
                case Xids.Auth:
                    OnAuthReply(header);
                    break;
                default:
                    OnReply(header, ref reader);
                    break;
            }
        }
    }

    private void OnAuthReply(ReplyHeader header)
    {
        if (!_pendingAuth.TryDequeue(out var p)) throw new ConnectionDroppedException("an auth reply arrived with no auth request pending");
        if (header.Err == KeeperErrorCode.AuthFailed)
        {
            _core.OnAuthFailed(this);
            _core.FailPacket(p, new AuthFailedException());
            throw new ConnectionDroppedException("the server rejected the credentials");
        }
        if (header.Err != KeeperErrorCode.Ok) _core.FailPacket(p, KeeperException.Create(header.Err));
        else _core.CompletePacket(p, EmptyResponse.Instance);
    }

    private void OnReply(ReplyHeader header, ref JuteReader reader)
    {
        if (!_pending.TryDequeue(out var p))
            throw new ConnectionDroppedException($"a reply with xid {header.Xid} arrived with no request pending");
        if (p.Xid != header.Xid)
        {
            // ZooKeeper's client treats this as a broken connection; the packet fails with the rest.
            _pending.Enqueue(p);
            throw new ConnectionDroppedException($"xid out of order: got {header.Xid}, expected {p.Xid}");
        }
        if (header.Zxid > 0) _core.OnZxid(header.Zxid);
        if (p.Watch is not null) _core.Watches.Register(p.Watch, header.Err);
        if (p.Removal is not null)
        {
            _core.OnWatchRemovalReply(p, header.Err);
            return;
        }
        if (header.Err == KeeperErrorCode.NoNode && p.Op == OpCode.Exists)
        {
            _core.CompletePacket(p, NoNodeResponse.Instance);
            return;
        }
        if (header.Err != KeeperErrorCode.Ok)
        {
            _core.FailPacket(p, KeeperException.Create(header.Err, p.ClientPath));
            return;
        }
        Response body;
        try
        {
            body = ResponseCodec.Decode(p.Op, ref reader);
        }
        catch (MalformedFrameException)
        {
            // The packet is off the queue already: fail it here, then let the broken frame end the connection.
            _core.FailPacket(p, new ConnectionLossException(p.ClientPath));
            throw;
        }
        _core.CompletePacket(p, body);
    }

    private readonly record struct IdleTimer(CancellationTokenSource Timer, CancellationTokenRegistration Link) : IDisposable
    {
        public void Dispose()
        {
            Link.Dispose();
            Timer.Dispose();
        }
    }
}

/// <summary>exists on a missing node: a normal answer ("no stat"), not a failure.</summary>
internal sealed record NoNodeResponse : Response
{
    public static readonly NoNodeResponse Instance = new();
}
