// Hand-built bytes for the bad-input tests: well-formed frames to mutate and deliberately broken ones, plus a
// reader that collects what a server sends on a raw socket until it closes the connection.
using System.Buffers.Binary;
using System.Net.Sockets;
using Zk.Protocol;
using Zk.Protocol.Jute;
using Zk.Protocol.Records;

namespace Zk.Compat.BadInput;

internal static class FrameBytes
{
    public static byte[] Connect(int timeoutMs = 10_000, long sessionId = 0, byte[]? password = null)
    {
        using var w = new JuteWriter(64);
        SessionCodec.WriteConnectRequestFrame(w, new ConnectRequest(0, 0, timeoutMs, sessionId, password ?? new byte[16], false));
        return w.ToArray();
    }

    public static byte[] Request(int xid, OpCode op, Request body)
    {
        using var w = new JuteWriter(128);
        RequestCodec.WriteFrame(w, new RequestHeader(xid, op), body);
        return w.ToArray();
    }

    /// <summary>A frame whose payload is a request header and then exactly <paramref name="body"/>.</summary>
    public static byte[] RawRequest(int xid, int op, ReadOnlySpan<byte> body)
    {
        var frame = new byte[4 + 8 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, 8 + body.Length);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(4), xid);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(8), op);
        body.CopyTo(frame.AsSpan(12));
        return frame;
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    public static byte[] Length(int length)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, length);
        return b;
    }

    /// <summary>Reads a raw socket until the server closes it (or resets it), or until <paramref name="quiet"/> passes.</summary>
    public static async Task<(byte[] Bytes, bool Closed)> ReadUntilClosedAsync(Stream stream, TimeSpan quiet)
    {
        using var all = new MemoryStream();
        var buffer = new byte[8192];
        while (true)
        {
            using var cts = new CancellationTokenSource(quiet);
            try
            {
                var n = await stream.ReadAsync(buffer, cts.Token);
                if (n == 0) return (all.ToArray(), true);
                all.Write(buffer, 0, n);
            }
            catch (OperationCanceledException)
            {
                return (all.ToArray(), false);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                return (all.ToArray(), true);
            }
        }
    }

    /// <summary>Connects, writes the bytes, and reports what came back before the server closed the connection.</summary>
    public static async Task<(byte[] Bytes, bool Closed)> SendAndReadAsync(int port, byte[] bytes, TimeSpan? quiet = null)
    {
        TcpClient tcp;
        try
        {
            tcp = await RawZkClient.OpenSocketAsync(port);
        }
        catch (SocketException)
        {
            // Reset during the TCP handshake (a server refusing at accept can race our connect).
            return ([], true);
        }
        using (tcp)
        {
            var stream = tcp.GetStream();
            try
            {
                await stream.WriteAsync(bytes);
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                // Closed before we finished writing (e.g. refused at accept): nothing came back.
            }
            return await ReadUntilClosedAsync(stream, quiet ?? TimeSpan.FromSeconds(10));
        }
    }
}
