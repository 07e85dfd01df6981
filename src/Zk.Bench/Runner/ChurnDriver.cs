// Drives one slot of the ephemeral-churn workload: connect a new session, create an ephemeral znode, close the
// session, repeat. One cycle is one operation and its latency is the whole cycle's. One task per slot.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Zk.Bench.Protocol;
using Zk.Bench.Workloads;
using Zk.Protocol;

namespace Zk.Bench.Runner;

public sealed class ChurnDriver(EndPoint server, RunControl control, BenchOptions options, SharedRequests shared, int slot)
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    private long _sequence;

    public DriverStats Stats { get; } = new();

    public async Task RunAsync(CancellationToken drainCt)
    {
        while (true)
        {
            var phase = control.Phase;
            var measured = phase == RunPhase.Measure;
            if (phase == RunPhase.Stopping || (measured && !control.TryTakeBudget())) return;
            if (measured) Stats.Issued++;
            var start = Stopwatch.GetTimestamp();
            var failure = await CycleAsync(drainCt).ConfigureAwait(false);
            if (failure is null)
                Stats.RecordSuccess(measured, DriverStats.ElapsedNs(start, Stopwatch.GetTimestamp()), control);
            else
                Stats.RecordError(measured, failure);
            if (failure == "DrainTimeout") return;
        }
    }

    /// <summary>One connect-create-close cycle; the name of what failed, or null.</summary>
    private async Task<string?> CycleAsync(CancellationToken drainCt)
    {
        BenchConnection? connection = null;
        try
        {
            connection = await BenchConnection.OpenAsync(server, options.SessionTimeoutMs, drainCt).ConfigureAwait(false);
            var path = $"{BenchPaths.Ephemeral}/{options.RunTag}-c{slot}-{_sequence++}";
            var xid = connection.Append(OpCode.Create, OpGenerator.CreateOf(path, CreateMode.Ephemeral, shared.Payload));
            await connection.FlushAsync(drainCt).ConfigureAwait(false);
            var (header, _) = await connection.ReadReplyAsync(xid, OpCode.Create, drainCt).ConfigureAwait(false);
            if (header.Err != KeeperErrorCode.Ok) return header.Err.ToString();
            return await connection.CloseSessionAsync(CloseTimeout).ConfigureAwait(false) ? null : "CloseFailed";
        }
        catch (OperationCanceledException) when (drainCt.IsCancellationRequested)
        {
            return "DrainTimeout";
        }
        catch (BenchProtocolException)
        {
            return "ProtocolError";
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            return "ConnectionLoss";
        }
        finally
        {
            if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
