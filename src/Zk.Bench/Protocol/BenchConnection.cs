// One ZooKeeper session over a raw socket: handshake, pipelined request frames, reply frames. Owned by one driver
// task at a time; sends go through an in-memory pipe whose reader runs inline, so a send never blocks reading.
using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Zk.Protocol;
using Zk.Protocol.Framing;
using Zk.Protocol.Jute;
using Zk.Protocol.Records;

namespace Zk.Bench.Protocol;

public sealed class BenchConnection : IAsyncDisposable
{
    private const int ReceiveBufferBytes = 64 * 1024;
    private const long PauseOutputBytes = 64L << 20;

    private readonly Socket _socket;
    private readonly Pipe _output;
    private readonly JuteWriter _staging = new(4096);
    private readonly Task _sendLoop;
    private int _nextXid = 1;

    private BenchConnection(Socket socket)
    {
        _socket = socket;
        Input = PipeReader.Create(new NetworkStream(socket, ownsSocket: false),
            new StreamPipeReaderOptions(bufferSize: ReceiveBufferBytes, minimumReadSize: 4096));
        _output = new Pipe(new PipeOptions(
            readerScheduler: PipeScheduler.Inline,
            writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: PauseOutputBytes,
            resumeWriterThreshold: PauseOutputBytes / 2,
            useSynchronizationContext: false));
        _sendLoop = SendLoopAsync();
    }

    public long SessionId { get; private set; }

    /// <summary>The session's password from the handshake: what a reconnect must show to resume the session.</summary>
    public byte[] SessionPassword { get; private set; } = [];

    public int NegotiatedTimeoutMs { get; private set; }

    /// <summary>Reply frames; the owner reads it with <see cref="TryReadReply"/> and advances it.</summary>
    public PipeReader Input { get; }

    /// <summary>Connects and establishes a new session; throws <see cref="BenchProtocolException"/> if the server refuses it.</summary>
    public static Task<BenchConnection> OpenAsync(EndPoint server, int sessionTimeoutMs, CancellationToken ct) =>
        OpenAsync(server, sessionTimeoutMs, resume: null, ct);

    /// <summary>
    /// Connects and establishes a new session, or resumes <paramref name="resume"/> (a session opened earlier, possibly
    /// on another member); throws <see cref="BenchSessionRefusedException"/> if the server refuses the session.
    /// </summary>
    public static async Task<BenchConnection> OpenAsync(EndPoint server, int sessionTimeoutMs, SessionCredentials? resume, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(server, ct).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var connection = new BenchConnection(socket);
        try
        {
            await connection.HandshakeAsync(sessionTimeoutMs, resume, ct).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Appends a request frame to the outgoing batch and returns its xid; nothing is sent before <see cref="FlushAsync"/>.</summary>
    public int Append(OpCode op, Request body)
    {
        var xid = _nextXid++;
        RequestCodec.WriteFrame(_staging, new RequestHeader(xid, op), body);
        return xid;
    }

    /// <summary>Hands the batch to the socket. Completes at once unless 64 MiB are already waiting for the peer.</summary>
    public ValueTask<FlushResult> FlushAsync(CancellationToken ct = default)
    {
        if (_staging.Length == 0) return ValueTask.FromResult(new FlushResult(isCanceled: false, isCompleted: false));
        _output.Writer.Write(_staging.WrittenSpan);
        _staging.Clear();
        return _output.Writer.FlushAsync(ct);
    }

    /// <summary>
    /// Slices the next complete frame off <paramref name="buffer"/> as one contiguous span (copied into
    /// <paramref name="scratch"/> only when it straddles segments); false while bytes are missing.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, ref byte[]? scratch, out ReadOnlySpan<byte> frame)
    {
        frame = default;
        if (!FrameDecoder.TryReadFrame(ref buffer, FrameDecoder.DefaultMaxFrameBytes, out var payload)) return false;
        // FrameDecoder.Contiguous does the same, but its `in` parameter keeps the span from leaving this method.
        if (payload.IsSingleSegment)
        {
            frame = payload.FirstSpan;
            return true;
        }
        var length = checked((int)payload.Length);
        if (scratch is null || scratch.Length < length) scratch = new byte[Math.Max(length, 4096)];
        payload.CopyTo(scratch);
        frame = scratch.AsSpan(0, length);
        return true;
    }

    /// <summary>
    /// Sends closeSession and waits for its reply; false when none came in time (the server then expires the
    /// session). The socket stays open until <see cref="DisposeAsync"/>.
    /// </summary>
    public async Task<bool> CloseSessionAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var xid = Append(OpCode.CloseSession, EmptyRequest.Instance);
            await FlushAsync(cts.Token).ConfigureAwait(false);
            var (header, _) = await ReadReplyAsync(xid, OpCode.CloseSession, cts.Token).ConfigureAwait(false);
            return header.Err == KeeperErrorCode.Ok;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or BenchProtocolException)
        {
            return false;
        }
    }

    /// <summary>Waits for the reply to <paramref name="xid"/>, skipping notifications; for sequential (non-pipelined) use.</summary>
    public async Task<(ReplyHeader Header, Response? Body)> ReadReplyAsync(int xid, OpCode op, CancellationToken ct)
    {
        byte[]? scratch = null;
        while (true)
        {
            var result = await Input.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            var found = TakeReply(ref buffer, ref scratch, xid, op, out var header, out var body);
            Input.AdvanceTo(buffer.Start, buffer.End);
            if (found) return (header, body);
            if (result.IsCompleted) throw new BenchProtocolException($"the server closed the connection before answering xid {xid}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _output.Writer.CompleteAsync().ConfigureAwait(false);
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset by the peer.
        }
        _socket.Dispose();
        try
        {
            await _sendLoop.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The socket was closed under a pending send: nothing more is to be sent.
        }
        await Input.CompleteAsync().ConfigureAwait(false);
        _staging.Dispose();
    }

    private static bool TakeReply(ref ReadOnlySequence<byte> buffer, ref byte[]? scratch, int xid, OpCode op,
        out ReplyHeader header, out Response? body)
    {
        header = default;
        body = null;
        while (TryReadFrame(ref buffer, ref scratch, out var frame))
        {
            var r = new JuteReader(frame);
            header = r.ReadReplyHeader();
            if (header.Xid != xid) continue;
            if (header.Err == KeeperErrorCode.Ok) body = ResponseCodec.Decode(op, ref r);
            return true;
        }
        return false;
    }

    // LastZxidSeen stays 0 even on a resume: a server behind the client would refuse it, which a load generator
    // that only writes has no reason to ask for.
    private async Task HandshakeAsync(int sessionTimeoutMs, SessionCredentials? resume, CancellationToken ct)
    {
        var request = new ConnectRequest(0, 0, sessionTimeoutMs, resume?.SessionId ?? 0, resume?.Password ?? new byte[16], ReadOnly: false);
        SessionCodec.WriteConnectRequestFrame(_staging, request);
        await FlushAsync(ct).ConfigureAwait(false);
        byte[]? scratch = null;
        while (true)
        {
            var result = await Input.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            var done = TryReadConnectResponse(ref buffer, ref scratch);
            Input.AdvanceTo(buffer.Start, buffer.End);
            if (done) return;
            if (result.IsCompleted) throw new BenchProtocolException("the server closed the connection during the handshake");
        }
    }

    private bool TryReadConnectResponse(ref ReadOnlySequence<byte> buffer, ref byte[]? scratch)
    {
        if (!TryReadFrame(ref buffer, ref scratch, out var frame)) return false;
        var r = new JuteReader(frame);
        var response = SessionCodec.DecodeConnectResponse(ref r);
        if (response.SessionId == 0 || response.TimeoutMs <= 0)
            throw new BenchSessionRefusedException("the server refused the session (timeout 0)");
        SessionId = response.SessionId;
        SessionPassword = response.Password;
        NegotiatedTimeoutMs = response.TimeoutMs;
        return true;
    }

    // Runs inline inside FlushAsync while the socket takes the bytes at once; when it does not, the flush has
    // already completed and this loop resumes on the socket's completion.
    private async Task SendLoopAsync()
    {
        var reader = _output.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                foreach (var segment in result.Buffer)
                {
                    var rest = segment;
                    while (!rest.IsEmpty)
                    {
                        var sent = await _socket.SendAsync(rest, SocketFlags.None).ConfigureAwait(false);
                        rest = rest[sent..];
                    }
                }
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted) break;
            }
            await reader.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            await reader.CompleteAsync(e).ConfigureAwait(false);
        }
    }
}

/// <summary>The server broke the protocol (an out-of-order xid, a frame that does not decode) or refused a session.</summary>
public class BenchProtocolException(string message) : Exception(message);

/// <summary>The server answered the handshake with timeout 0: the session is unknown or expired, or it takes no new one.</summary>
public sealed class BenchSessionRefusedException(string message) : BenchProtocolException(message);

/// <summary>What identifies a session to a server it reconnects to.</summary>
public sealed record SessionCredentials(long SessionId, byte[] Password);
