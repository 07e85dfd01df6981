// A bare ZooKeeper client over one TCP connection, built on Zk.Protocol's codecs, for tests that must see the
// wire: every reply and notification is recorded in arrival order (Wire), replies are matched to requests in
// FIFO order, and raw bytes can be sent at will. One receive loop; sends are serialised; thread-safe.
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Threading.Channels;
using Zk.Protocol;
using Zk.Protocol.Jute;
using Zk.Protocol.Records;

namespace Zk.TestSupport;

public sealed record Reply(ReplyHeader Header, OpCode Op, Response? Body)
{
    public KeeperErrorCode Err => Header.Err;

    public T As<T>() where T : Response =>
        Body as T ?? throw new InvalidOperationException($"{Op} reply has err {Err} and body {Body?.GetType().Name ?? "none"}, not {typeof(T).Name}");
}

/// <summary>One frame as it arrived: a reply (with its request's opcode) or a watch notification.</summary>
public sealed record WireItem(Reply? Reply, WatcherEvent? Event);

public sealed class RawZkClient : IAsyncDisposable
{
    public const int MaxReplyBytes = 16 << 20;

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Lock _lock = new();
    private readonly Queue<(int Xid, OpCode Op, TaskCompletionSource<Reply> Done)> _pending = new();
    private readonly List<WireItem> _wire = [];
    private readonly Channel<WatcherEvent> _events = Channel.CreateUnbounded<WatcherEvent>();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private int _nextXid;
    private Task? _receiveLoop;
    private Task? _keepAlive;

    private RawZkClient(TcpClient tcp, int port)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        Port = port;
    }

    public int Port { get; }

    public ConnectResponse Handshake { get; private set; } = null!;

    public long SessionId => Handshake.SessionId;

    public byte[] Password => Handshake.Password;

    /// <summary>False when the server answered the handshake with the "invalid session" reply (timeout 0).</summary>
    public bool SessionValid => Handshake.TimeoutMs > 0;

    /// <summary>The largest zxid seen in a reply header, like a real client's lastZxid.</summary>
    public long LastZxid { get; private set; }

    /// <summary>Completes when the server closes the connection (or it breaks); carries no error.</summary>
    public Task Closed => _closed.Task;

    public ChannelReader<WatcherEvent> Events => _events.Reader;

    /// <summary>A protocol violation seen by the receive loop (xid out of order, undecodable reply), if any.</summary>
    public string? Violation { get; private set; }

    public IReadOnlyList<WireItem> Wire
    {
        get
        {
            lock (_lock) return [.. _wire];
        }
    }

    /// <summary>Opens a connection without a handshake (for tests that send raw bytes first).</summary>
    public static async Task<TcpClient> OpenSocketAsync(int port, CancellationToken ct = default)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync("127.0.0.1", port, ct);
        return tcp;
    }

    /// <summary>Connects and completes the handshake; a new session unless <paramref name="sessionId"/> is given.</summary>
    public static async Task<RawZkClient> ConnectAsync(int port, int timeoutMs = 10_000, long sessionId = 0, byte[]? password = null, long lastZxidSeen = 0)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var tcp = await OpenSocketAsync(port, cts.Token);
        var client = new RawZkClient(tcp, port);
        try
        {
            using var w = new JuteWriter(64);
            SessionCodec.WriteConnectRequestFrame(w, new ConnectRequest(0, lastZxidSeen, timeoutMs, sessionId, password ?? new byte[16], false));
            await client._stream.WriteAsync(w.WrittenMemory, cts.Token);
            var frame = await ReadFrameAsync(client._stream, cts.Token)
                ?? throw new IOException("the server closed the connection instead of answering the handshake");
            client.Handshake = DecodeHandshake(frame);
            client._receiveLoop = Task.Run(client.ReceiveLoopAsync);
            return client;
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    public Task<Reply> SendAsync(OpCode op, Request body) => SendAsync(Interlocked.Increment(ref _nextXid), op, body);

    public async Task<Reply> SendAsync(int xid, OpCode op, Request body)
    {
        var done = new TaskCompletionSource<Reply>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var w = new JuteWriter(256);
        RequestCodec.WriteFrame(w, new RequestHeader(xid, op), body);
        await _sendLock.WaitAsync();
        try
        {
            lock (_lock) _pending.Enqueue((xid, op, done));
            await _stream.WriteAsync(w.WrittenMemory);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            done.TrySetException(new IOException($"connection lost while sending {op}", e));
        }
        finally
        {
            _sendLock.Release();
        }
        try
        {
            return await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no reply to {op} (xid {xid}) from port {Port} in 30 s on session 0x{SessionId:x} from {_tcp.Client.LocalEndPoint}; last frames: {string.Join(", ", Wire.TakeLast(5))}");
        }
    }

    /// <summary>Pings every third of the negotiated timeout, as real clients do, until disposed or closed.</summary>
    public void StartKeepAlive()
    {
        _keepAlive ??= Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Max(50, Handshake.TimeoutMs / 3)));
            try
            {
                while (await timer.WaitForNextTickAsync(_stopping.Token) && !Closed.IsCompleted)
                    await SendAsync(Xids.Ping, OpCode.Ping, EmptyRequest.Instance);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                // Disposed, or the connection ended: nothing left to keep alive.
            }
        });
    }

    /// <summary>Writes bytes as they are, outside the request/reply bookkeeping.</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        await _sendLock.WaitAsync();
        try
        {
            await _stream.WriteAsync(bytes);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Registers an expected reply for a request sent with <see cref="SendRawAsync"/>.</summary>
    public Task<Reply> ExpectReply(int xid, OpCode op)
    {
        var done = new TaskCompletionSource<Reply>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock) _pending.Enqueue((xid, op, done));
        return done.Task;
    }

    /// <summary>Next notification, or a TimeoutException.</summary>
    public async Task<WatcherEvent> NextEventAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        try
        {
            return await _events.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("no watch event arrived");
        }
    }

    /// <summary>Events received so far that nobody has read yet.</summary>
    public List<WatcherEvent> DrainEvents()
    {
        var list = new List<WatcherEvent>();
        while (_events.Reader.TryRead(out var e)) list.Add(e);
        return list;
    }

    /// <summary>Sends closeSession and waits for the server to close the connection.</summary>
    public async Task CloseSessionAsync()
    {
        await SendAsync(OpCode.CloseSession, EmptyRequest.Instance);
        await Closed.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Half-closes the connection: the server reads end-of-stream, we can still read what it sends.</summary>
    public async Task ShutdownSendAsync()
    {
        await _sendLock.WaitAsync();
        try
        {
            _tcp.Client.Shutdown(SocketShutdown.Send);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Drops the TCP connection with a reset and no closeSession: the session lives on until it expires.</summary>
    public void Abort()
    {
        try
        {
            _tcp.Client.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
            // Already closed.
        }
        _tcp.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _tcp.Dispose();
        if (_receiveLoop is not null) await _receiveLoop.ConfigureAwait(false);
        if (_keepAlive is not null) await _keepAlive.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (true)
            {
                var frame = await ReadFrameAsync(_stream, CancellationToken.None);
                if (frame is null) break;
                OnFrame(frame);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Connection closed or reset; pending requests fail below.
        }
        finally
        {
            List<TaskCompletionSource<Reply>> orphans;
            lock (_lock)
            {
                orphans = _pending.Select(p => p.Done).ToList();
                _pending.Clear();
            }
            foreach (var o in orphans) o.TrySetException(new IOException("connection closed before the reply arrived"));
            _events.Writer.TryComplete();
            _closed.TrySetResult();
        }
    }

    private void OnFrame(byte[] frame)
    {
        var r = new JuteReader(frame);
        var header = r.ReadReplyHeader();
        if (header.Xid == Xids.Notification)
        {
            var e = SessionCodec.DecodeWatcherEvent(ref r);
            lock (_lock) _wire.Add(new WireItem(null, e));
            _events.Writer.TryWrite(e);
            return;
        }
        (int Xid, OpCode Op, TaskCompletionSource<Reply> Done) next;
        lock (_lock)
        {
            if (_pending.Count == 0)
            {
                Violation ??= $"reply with xid {header.Xid} but no request is outstanding";
                return;
            }
            next = _pending.Dequeue();
        }
        if (next.Xid != header.Xid) Violation ??= $"reply xid {header.Xid} arrived while xid {next.Xid} ({next.Op}) was next";
        Response? body = null;
        if (header.Err == KeeperErrorCode.Ok && r.Remaining > 0)
        {
            try
            {
                body = ResponseCodec.Decode(next.Op, ref r);
            }
            catch (MalformedFrameException e)
            {
                Violation ??= $"undecodable {next.Op} reply: {e.Message}";
            }
        }
        if (header.Zxid > LastZxid) LastZxid = header.Zxid;
        var reply = new Reply(header, next.Op, body);
        lock (_lock) _wire.Add(new WireItem(reply, null));
        next.Done.TrySetResult(reply);
    }

    private static ConnectResponse DecodeHandshake(byte[] frame)
    {
        var r = new JuteReader(frame);
        return SessionCodec.DecodeConnectResponse(ref r);
    }

    /// <summary>Reads one length-prefixed frame; null at a clean end of stream before the length.</summary>
    public static async Task<byte[]?> ReadFrameAsync(Stream stream, CancellationToken ct)
    {
        var len = new byte[4];
        if (!await ReadExactlyOrEndAsync(stream, len, ct)) return null;
        var n = BinaryPrimitives.ReadInt32BigEndian(len);
        if (n < 0 || n > MaxReplyBytes) throw new InvalidOperationException($"reply frame length {n} is out of range");
        var payload = new byte[n];
        if (!await ReadExactlyOrEndAsync(stream, payload, ct)) throw new IOException("connection closed inside a frame");
        return payload;
    }

    private static async Task<bool> ReadExactlyOrEndAsync(Stream stream, byte[] buffer, CancellationToken ct)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), ct);
            if (n == 0)
            {
                if (read == 0) return false;
                throw new IOException("connection closed inside a frame");
            }
            read += n;
        }
        return true;
    }
}
