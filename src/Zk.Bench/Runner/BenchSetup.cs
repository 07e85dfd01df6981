// The setup phase: the parent znodes every workload uses and the data znodes with the run's payload size, created
// with pipelined batches from one session. Idempotent: an existing data znode gets the payload by setData.
using System.Net;
using Zk.Bench.Protocol;
using Zk.Bench.Workloads;
using Zk.Protocol;
using Zk.Protocol.Jute;
using Zk.Protocol.Records;

namespace Zk.Bench.Runner;

public sealed class BenchSetupException(string message) : Exception(message);

public static class BenchSetup
{
    private const int BatchSize = 1000;

    public static async Task RunAsync(EndPoint server, BenchOptions options, SharedRequests shared, CancellationToken ct)
    {
        var connection = await BenchConnection.OpenAsync(server, options.SessionTimeoutMs, ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var parents = BenchPaths.Parents
                .Select(p => ((OpCode, Request))(OpCode.Create, OpGenerator.CreateOf(p, CreateMode.Persistent)))
                .ToList();
            await ExpectAsync(connection, parents, ct, KeeperErrorCode.NodeExists).ConfigureAwait(false);
            if (options.Workload.UsesDataZnodes())
            {
                for (var first = 0; first < options.Znodes; first += BatchSize)
                    await CreateDataBatchAsync(connection, shared, first, Math.Min(BatchSize, options.Znodes - first), ct).ConfigureAwait(false);
            }
            await connection.CloseSessionAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
    }

    /// <summary>Sends the requests as one pipelined batch and returns the error code of each, in order.</summary>
    public static async Task<KeeperErrorCode[]> ExecuteAsync(BenchConnection connection, IReadOnlyList<(OpCode Op, Request Body)> requests, CancellationToken ct)
    {
        var xids = new int[requests.Count];
        for (var i = 0; i < requests.Count; i++) xids[i] = connection.Append(requests[i].Op, requests[i].Body);
        await connection.FlushAsync(ct).ConfigureAwait(false);
        var codes = new KeeperErrorCode[requests.Count];
        var next = 0;
        byte[]? scratch = null;
        while (next < codes.Length)
        {
            var result = await connection.Input.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            next = TakeReplies(ref buffer, ref scratch, xids, codes, next);
            connection.Input.AdvanceTo(buffer.Start, buffer.End);
            if (next < codes.Length && result.IsCompleted)
                throw new BenchSetupException("the server closed the connection during setup");
        }
        return codes;
    }

    private static int TakeReplies(ref System.Buffers.ReadOnlySequence<byte> buffer, ref byte[]? scratch, int[] xids, KeeperErrorCode[] codes, int next)
    {
        while (next < codes.Length && BenchConnection.TryReadFrame(ref buffer, ref scratch, out var frame))
        {
            var r = new JuteReader(frame);
            var header = r.ReadReplyHeader();
            if (header.Xid < 0) continue;
            if (header.Xid != xids[next])
                throw new BenchProtocolException($"setup reply xid {header.Xid} does not answer xid {xids[next]}");
            codes[next++] = header.Err;
        }
        return next;
    }

    private static async Task CreateDataBatchAsync(BenchConnection connection, SharedRequests shared, int first, int count, CancellationToken ct)
    {
        var creates = new List<(OpCode, Request)>(count);
        for (var i = first; i < first + count; i++)
            creates.Add((OpCode.Create, OpGenerator.CreateOf(BenchPaths.DataNode(i), CreateMode.Persistent, shared.Payload)));
        var codes = await ExecuteAsync(connection, creates, ct).ConfigureAwait(false);
        var updates = new List<(OpCode, Request)>();
        for (var i = 0; i < codes.Length; i++)
        {
            if (codes[i] == KeeperErrorCode.Ok) continue;
            if (codes[i] != KeeperErrorCode.NodeExists)
                throw new BenchSetupException($"creating {BenchPaths.DataNode(first + i)} failed: {codes[i]}");
            updates.Add((OpCode.SetData, shared.SetData[first + i]));
        }
        if (updates.Count > 0) await ExpectAsync(connection, updates, ct).ConfigureAwait(false);
    }

    private static async Task ExpectAsync(BenchConnection connection, List<(OpCode Op, Request Body)> requests, CancellationToken ct, KeeperErrorCode alsoFine = KeeperErrorCode.Ok)
    {
        var codes = await ExecuteAsync(connection, requests, ct).ConfigureAwait(false);
        for (var i = 0; i < codes.Length; i++)
        {
            if (codes[i] == KeeperErrorCode.Ok || codes[i] == alsoFine) continue;
            throw new BenchSetupException($"setup {requests[i].Op} failed: {codes[i]}");
        }
    }
}
