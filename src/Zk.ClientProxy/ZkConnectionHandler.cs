// The client port: a Kestrel connection handler per TCP connection. It tells four-letter words from frames,
// decodes the handshake and spawns the session actor, then reads frames in batches and passes them on with
// back-pressure. A broken frame closes this connection only; every other connection carries on.
using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Zk.Actors.Kernel;
using Zk.Actors.Sessions;
using Zk.Protocol;
using Zk.Protocol.Framing;
using Zk.Protocol.Jute;
using Zk.Protocol.Records;
using Zk.Core.Sessions;

namespace Zk.ClientProxy;

public sealed partial class ZkConnectionHandler(
    IClientPortServer server,
    ConnectionRegistry registry,
    ClientPortOptions options,
    ServerStats serverStats,
    TimeProvider time,
    ILogger<ZkConnectionHandler> log) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var remote = connection.RemoteEndPoint as IPEndPoint;
        var ip = remote?.Address.IsIPv4MappedToIPv6 == true ? remote.Address.MapToIPv4().ToString() : remote?.Address.ToString() ?? "0.0.0.0";
        if (!registry.TryAdmit(ip))
        {
            LogTooManyConnections(log, ip, options.MaxConnectionsPerIp);
            connection.Abort();
            return;
        }
        try
        {
            await ServeAsync(connection, ip, remote?.Port ?? 0).ConfigureAwait(false);
        }
        finally
        {
            registry.Release(ip);
        }
    }

    private async Task ServeAsync(ConnectionContext connection, string ip, int port)
    {
        var input = connection.Transport.Input;
        ClientConnection? client = null;
        ActorRef? session = null;
        var reason = "client closed the connection";
        try
        {
            using var handshakeTimeout = new CancellationTokenSource(options.HandshakeTimeoutMs);
            var first = await ReadAtLeastAsync(input, 4, handshakeTimeout.Token).ConfigureAwait(false);
            if (first is null) return;
            if (FrameDecoder.TryPeekInt32(first.Value, out var head) && FourLetterWords.TryParse(head, out var word))
            {
                input.AdvanceTo(first.Value.Start);
                await RunFourLetterWordAsync(connection, word).ConfigureAwait(false);
                return;
            }
            input.AdvanceTo(first.Value.Start);
            var connect = await ReadHandshakeAsync(input, handshakeTimeout.Token).ConfigureAwait(false);
            if (connect is null) return;
            if (!server.IsServing)
            {
                LogNotServing(log, ip);
                return;
            }
            client = new ClientConnection(registry.NextId(), connection, ip, port, time.GetUtcNow().ToUnixTimeMilliseconds(),
                options.MaxOutstandingRequests, options.MaxPendingOutputBytes, serverStats);
            registry.Add(client);
            session = server.SpawnSession(client, connect);
            await ReadRequestsAsync(input, client, session, connection.ConnectionClosed).ConfigureAwait(false);
        }
        catch (MalformedFrameException e)
        {
            reason = "broken frame: " + e.Message;
            LogBrokenFrame(log, ip, port, e.Message);
        }
        catch (OperationCanceledException)
        {
            reason = "handshake timed out";
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or ConnectionAbortedException or InvalidOperationException)
        {
            reason = "connection reset";
        }
        finally
        {
            session?.Tell(new ConnectionClosed(reason));
            if (client is not null)
            {
                client.Close();
                registry.Remove(client);
                await client.Writer.ConfigureAwait(false);
            }
            await input.CompleteAsync().ConfigureAwait(false);
        }
    }

    private async Task<ConnectRequest?> ReadHandshakeAsync(PipeReader input, CancellationToken ct)
    {
        byte[]? scratch = null;
        while (true)
        {
            var result = await input.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (FrameDecoder.TryReadFrame(ref buffer, options.MaxFrameBytes, out var payload))
            {
                var r = new JuteReader(FrameDecoder.Contiguous(payload, ref scratch));
                var connect = SessionCodec.DecodeConnectRequest(ref r);
                input.AdvanceTo(buffer.Start);
                return connect;
            }
            if (result.IsCompleted || result.IsCanceled) return null;
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private async Task ReadRequestsAsync(PipeReader input, ClientConnection client, ActorRef session, CancellationToken closed)
    {
        byte[]? scratch = null;
        while (!client.IsClosing)
        {
            var result = await input.ReadAsync(closed).ConfigureAwait(false);
            var buffer = result.Buffer;
            List<ClientRequest>? batch = null;
            var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            while (FrameDecoder.TryReadFrame(ref buffer, options.MaxFrameBytes, out var payload))
            {
                (batch ??= []).Add(Decode(FrameDecoder.Contiguous(payload, ref scratch), nowMs));
            }
            input.AdvanceTo(buffer.Start, buffer.End);
            if (batch is not null)
            {
                client.Stats.OnReceived(batch.Count);
                await TellInline(session, new ClientRequests(batch), closed).ConfigureAwait(false);
                await client.AdmitAsync(batch.Count, closed).ConfigureAwait(false);
            }
            if (result.IsCompleted || result.IsCanceled) return;
        }
    }

    /// <summary>Posts the batch and, when the session actor was idle, runs its turn (and the turns it starts: the data
    /// tree's for a read) right here rather than waking a pool thread for each: the read loop never blocks, and the
    /// next read is waiting on the socket anyway.</summary>
    private static ValueTask TellInline(ActorRef session, ClientRequests requests, CancellationToken closed)
    {
        using var chain = InlineTurns.Begin();
        return session.TellAsync(requests, closed);
    }

    /// <summary>A frame shorter than a request header cannot be answered and throws; a body that does not decode
    /// is answered MarshallingError, as ZooKeeper does.</summary>
    private static ClientRequest Decode(ReadOnlySpan<byte> frame, long nowMs)
    {
        var r = new JuteReader(frame);
        var header = r.ReadRequestHeader();
        try
        {
            var body = RequestCodec.Decode(header.Type, ref r);
            if (body is BadMultiRequest) return new ClientRequest(header.Xid, header.Type, body, nowMs, KeeperErrorCode.MarshallingError);
            return new ClientRequest(header.Xid, header.Type, body, nowMs);
        }
        catch (MalformedFrameException)
        {
            return new ClientRequest(header.Xid, header.Type, EmptyRequest.Instance, nowMs, KeeperErrorCode.MarshallingError);
        }
    }

    private async Task RunFourLetterWordAsync(ConnectionContext connection, FourLetterWord word)
    {
        string text;
        if (word == FourLetterWord.TelnetClose) return;
        var name = word.Name();
        if (!options.FourLetterWhitelist.Contains("*") && !options.FourLetterWhitelist.Contains(name))
        {
            text = $"{name} is not executed because it is not in the whitelist.\n";
        }
        else
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            text = await server.RunFourLetterWordAsync(word, registry, cts.Token).ConfigureAwait(false);
        }
        LogFourLetterWord(log, name);
        await connection.Transport.Output.WriteAsync(Encoding.UTF8.GetBytes(text)).ConfigureAwait(false);
        await connection.Transport.Output.CompleteAsync().ConfigureAwait(false);
    }

    private static async Task<ReadOnlySequence<byte>?> ReadAtLeastAsync(PipeReader input, int count, CancellationToken ct)
    {
        var result = await input.ReadAtLeastAsync(count, ct).ConfigureAwait(false);
        if (result.Buffer.Length < count)
        {
            input.AdvanceTo(result.Buffer.End);
            return null;
        }
        return result.Buffer;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "too many connections from {Ip}: max is {Max}")]
    private static partial void LogTooManyConnections(ILogger log, string ip, int max);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "closing connection from {Ip}:{Port}: {Reason}")]
    private static partial void LogBrokenFrame(ILogger log, string ip, int port, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "refusing client {Ip}: this server is not serving (no leader)")]
    private static partial void LogNotServing(ILogger log, string ip);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Debug, Message = "four-letter word {Word}")]
    private static partial void LogFourLetterWord(ILogger log, string word);
}
