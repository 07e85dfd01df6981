// The client connection's output side over in-memory pipes: what the session actor flushes goes out whole and in
// order, and a close from another thread (the connection handler, on bad input) never sends the half-written frame
// the session actor may be in the middle of.
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Zk.Actors.Sessions;
using Zk.ClientProxy;
using Zk.Core.Sessions;

namespace Zk.Host.Tests.ClientPort;

public sealed class ClientConnectionTests
{
    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    private static (ClientConnection Connection, PipeReader Sent) Open()
    {
        var toServer = new Pipe();
        var fromServer = new Pipe();
        var context = new DefaultConnectionContext("test", new DuplexPipe(toServer.Reader, fromServer.Writer), new DuplexPipe(fromServer.Reader, toServer.Writer));
        var connection = new ClientConnection(1, context, "127.0.0.1", 5000, 0, maxOutstanding: 100, maxPendingOutputBytes: 1 << 20, new ServerStats());
        return (connection, fromServer.Reader);
    }

    private static async Task<byte[]> ReadToEndAsync(PipeReader reader)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var all = new List<byte>();
        while (true)
        {
            var result = await reader.ReadAsync(timeout.Token);
            foreach (var segment in result.Buffer) all.AddRange(segment.ToArray());
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted) return [.. all];
        }
    }

    private static void WriteFrame(ClientConnection c, byte fill, int bodyBytes)
    {
        c.Output.WriteInt(bodyBytes);
        c.Output.WriteRaw(Enumerable.Repeat(fill, bodyBytes).ToArray());
    }

    [Fact]
    public async Task Flushed_frames_go_out_in_order_and_the_stream_ends_after_them_on_close()
    {
        var (c, sent) = Open();
        WriteFrame(c, 1, 16);
        c.Flush();
        WriteFrame(c, 2, 20);
        WriteFrame(c, 3, 24);
        c.Flush();
        c.Close();

        var bytes = await ReadToEndAsync(sent);
        Assert.Equal(4 + 16 + 4 + 20 + 4 + 24, bytes.Length);
        Assert.Equal([1, 2, 3], new[] { bytes[4], bytes[4 + 16 + 4], bytes[4 + 16 + 4 + 20 + 4] });
        await c.Writer.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_close_from_another_thread_does_not_send_the_frame_being_written()
    {
        var (c, sent) = Open();
        WriteFrame(c, 1, 16);
        c.Flush();
        // The session actor has begun its next frame: the length prefix is reserved, not yet patched.
        c.Output.WriteInt(0);
        c.Output.WriteRaw(new byte[12]);
        await Task.Run(c.Close);

        var bytes = await ReadToEndAsync(sent);
        Assert.Equal(4 + 16, bytes.Length);
        Assert.Equal(16, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes));
    }
}
