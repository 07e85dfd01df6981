// Drives one session of a request/reply workload with a window of requests in flight: every batch of replies read
// from the socket is answered by one batch of new requests and one flush. One task per session, no locks.
using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using Zk.Bench.Protocol;
using Zk.Bench.Workloads;
using Zk.Protocol;
using Zk.Protocol.Jute;
using Zk.Protocol.Records;

namespace Zk.Bench.Runner;

public sealed class PipelinedDriver
{
    private readonly BenchConnection _connection;
    private readonly OpGenerator _generator;
    private readonly RunControl _control;
    private readonly int _payloadBytes;
    private readonly int _window;

    // The in-flight requests in issue order; ZooKeeper answers a session's requests in that order.
    private readonly int[] _xids;
    private readonly OpCode[] _ops;
    private readonly long[] _startTicks;
    private readonly bool[] _measured;
    private int _head;
    private int _inFlight;
    private bool _exhausted;
    private byte[]? _scratch;

    public PipelinedDriver(BenchConnection connection, OpGenerator generator, RunControl control, BenchOptions options)
    {
        _connection = connection;
        _generator = generator;
        _control = control;
        _payloadBytes = options.PayloadBytes;
        _window = options.Window;
        _xids = new int[_window];
        _ops = new OpCode[_window];
        _startTicks = new long[_window];
        _measured = new bool[_window];
    }

    public DriverStats Stats { get; } = new();

    /// <summary>Runs until the run stops and every in-flight request is answered, or <paramref name="drainCt"/> fires.</summary>
    public async Task RunAsync(CancellationToken drainCt)
    {
        try
        {
            Refill();
            await _connection.FlushAsync(drainCt).ConfigureAwait(false);
            while (_inFlight > 0)
            {
                var result = await _connection.Input.ReadAsync(drainCt).ConfigureAwait(false);
                var buffer = result.Buffer;
                ProcessReplies(ref buffer);
                _connection.Input.AdvanceTo(buffer.Start, buffer.End);
                Refill();
                await _connection.FlushAsync(drainCt).ConfigureAwait(false);
                if (result.IsCompleted && _inFlight > 0)
                    throw new BenchProtocolException($"the server closed session 0x{_connection.SessionId:x}");
            }
        }
        catch (OperationCanceledException) when (drainCt.IsCancellationRequested)
        {
            FailInFlight("DrainTimeout");
        }
        catch (Exception e) when (e is BenchProtocolException or IOException or SocketException or ObjectDisposedException)
        {
            FailInFlight(e is BenchProtocolException ? "ProtocolError" : "ConnectionLoss");
        }
    }

    private void Refill()
    {
        while (_inFlight < _window && !_exhausted)
        {
            var phase = _control.Phase;
            var measured = phase == RunPhase.Measure;
            if (!_generator.PairPending)
            {
                if (phase == RunPhase.Stopping || (measured && !_control.TryTakeBudget()))
                {
                    _exhausted = true;
                    return;
                }
            }
            var (op, body) = _generator.Next();
            var slot = (_head + _inFlight) % _window;
            _xids[slot] = _connection.Append(op, body);
            _ops[slot] = op;
            _startTicks[slot] = Stopwatch.GetTimestamp();
            _measured[slot] = measured;
            _inFlight++;
            if (measured) Stats.Issued++;
        }
    }

    private void ProcessReplies(ref ReadOnlySequence<byte> buffer)
    {
        while (BenchConnection.TryReadFrame(ref buffer, ref _scratch, out var frame))
        {
            var now = Stopwatch.GetTimestamp();
            var r = new JuteReader(frame);
            var header = r.ReadReplyHeader();
            if (header.Xid == Xids.Notification)
            {
                if (_control.Phase == RunPhase.Measure) Stats.WatchEvents++;
                continue;
            }
            if (header.Xid == Xids.Ping) continue;
            if (_inFlight == 0 || header.Xid != _xids[_head])
                throw new BenchProtocolException($"reply xid {header.Xid} does not answer the oldest request (xid {(_inFlight == 0 ? -1 : _xids[_head])})");
            var op = _ops[_head];
            var measured = _measured[_head];
            var latencyNs = DriverStats.ElapsedNs(_startTicks[_head], now);
            _head = (_head + 1) % _window;
            _inFlight--;
            if (header.Err != KeeperErrorCode.Ok)
            {
                Stats.RecordErrorReply(measured, header.Err.ToString());
                continue;
            }
            if (!BodyIsValid(op, ref r))
            {
                Stats.RecordErrorReply(measured, "BadReply");
                continue;
            }
            Stats.RecordSuccess(measured, latencyNs, _control);
        }
    }

    // Decodes the body as a real client would and checks what a correct server must return.
    private bool BodyIsValid(OpCode op, ref JuteReader r)
    {
        try
        {
            var body = ResponseCodec.Decode(op, ref r);
            return body switch
            {
                GetDataResponse d => (d.Data?.Length ?? 0) == _payloadBytes && d.Stat.DataLength == _payloadBytes,
                StatResponse s => s.Stat.DataLength == _payloadBytes,
                _ => true,
            };
        }
        catch (MalformedFrameException)
        {
            return false;
        }
    }

    private void FailInFlight(string kind)
    {
        for (var i = 0; i < _inFlight; i++)
            Stats.RecordError(_measured[(_head + i) % _window], kind);
        _inFlight = 0;
    }
}
