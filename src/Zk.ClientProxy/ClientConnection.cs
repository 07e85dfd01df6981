// One client TCP connection as its session actor sees it. The session actor writes frames into Output during
// its turn and calls Flush, which moves the flushed buffers into the transport's pipe on the calling thread when
// no write is in progress (with Kestrel's inline scheduling the socket send happens right there: no extra thread
// wake-up per reply); while a flush waits for the socket (the client reads slowly) later buffers queue up and the
// awaiting flush's continuation writes them. Flush and Close are thread-safe; Output belongs to whichever thread
// runs the session actor's turn.
using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Zk.Actors.Sessions;
using Zk.Protocol.Jute;
using Zk.Core.Sessions;

namespace Zk.ClientProxy;

internal sealed class ClientConnection : IClientConnection
{
    private readonly ConnectionContext _context;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _room = new(0);
    private readonly TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _maxOutstanding;
    private readonly long _maxPendingOutputBytes;
    private List<JuteWriter> _ready = [];
    private List<JuteWriter> _draining = [];
    private readonly List<JuteWriter> _spare = [];
    private JuteWriter _output = new(4096);
    private long _pendingBytes;
    private int _outstanding;
    // Exactly one thread at a time moves _ready into the pipe: the one that set _writing.
    private bool _writing;
    private bool _closing;
    private bool _finished;
    private int _waitingForRoom;

    public ClientConnection(long id, ConnectionContext context, string remoteAddress, int remotePort, long nowMs, int maxOutstanding, long maxPendingOutputBytes, ServerStats serverStats)
    {
        ConnectionId = id;
        _context = context;
        RemoteAddress = remoteAddress;
        RemotePort = remotePort;
        Stats = new ConnectionStats(nowMs, serverStats);
        _maxOutstanding = maxOutstanding;
        _maxPendingOutputBytes = maxPendingOutputBytes;
    }

    public long ConnectionId { get; }

    public string RemoteAddress { get; }

    public int RemotePort { get; }

    public ConnectionStats Stats { get; }

    public JuteWriter Output => _output;

    /// <summary>Completes once the last reply has been handed to the transport and its output completed.</summary>
    public Task Writer => _written.Task;

    public bool IsClosing
    {
        get
        {
            lock (_lock) return _closing;
        }
    }

    public long PendingOutputBytes => Interlocked.Read(ref _pendingBytes);

    public void Flush()
    {
        lock (_lock)
        {
            if (_output.Length == 0 || _closing) return;
            Interlocked.Add(ref _pendingBytes, _output.Length);
            _ready.Add(_output);
            _output = _spare.Count > 0 ? Pop(_spare) : new JuteWriter(4096);
            if (_writing) return;
            _writing = true;
        }
        Drain();
    }

    public void Close()
    {
        lock (_lock)
        {
            if (_closing) return;
            _closing = true;
            // Output is not taken here: Close may run on the connection handler's thread while the session actor is
            // in the middle of a frame in it (an unpatched length prefix would go out as a zero-length frame). The
            // actor flushes at the end of its turn; what it flushes before the output is finished still goes out.
            if (_writing)
            {
                // The thread that is writing sees _closing when it runs out of buffers and finishes the output.
                _room.Release();
                return;
            }
            _writing = true;
        }
        _room.Release();
        Drain();
    }

    public void Completed(int count)
    {
        if (Interlocked.Add(ref _outstanding, -count) < _maxOutstanding && Volatile.Read(ref _waitingForRoom) == 1) _room.Release();
    }

    /// <summary>Called by the read loop for each request it passes on; waits while the client has too many
    /// requests without replies or its replies are not being read (back-pressure instead of unbounded memory).</summary>
    public async ValueTask AdmitAsync(int count, CancellationToken ct)
    {
        Interlocked.Add(ref _outstanding, count);
        while ((Volatile.Read(ref _outstanding) >= _maxOutstanding || PendingOutputBytes > _maxPendingOutputBytes) && !IsClosing)
        {
            Volatile.Write(ref _waitingForRoom, 1);
            if (Volatile.Read(ref _outstanding) < _maxOutstanding && PendingOutputBytes <= _maxPendingOutputBytes) break;
            await _room.WaitAsync(TimeSpan.FromMilliseconds(50), ct).ConfigureAwait(false);
        }
        Volatile.Write(ref _waitingForRoom, 0);
    }

    /// <summary>Called by the thread that set _writing: writes queued buffers until none are left or a flush has to
    /// wait for the socket, in which case the flush's continuation carries on.</summary>
    private void Drain()
    {
        try
        {
            while (TakeBatch() is { } batch)
            {
                var output = _context.Transport.Output;
                foreach (var w in batch) output.Write(w.WrittenSpan);
                var flush = output.FlushAsync();
                if (!flush.IsCompletedSuccessfully)
                {
                    _ = DrainAfterAsync(flush, batch);
                    return;
                }
                if (!Written(flush.Result, batch))
                {
                    Finish();
                    return;
                }
            }
        }
        catch (Exception e) when (IsConnectionGone(e))
        {
            Finish();
        }
    }

    private async Task DrainAfterAsync(ValueTask<FlushResult> flush, List<JuteWriter> batch)
    {
        try
        {
            if (!Written(await flush.ConfigureAwait(false), batch))
            {
                Finish();
                return;
            }
        }
        catch (Exception e) when (IsConnectionGone(e))
        {
            Finish();
            return;
        }
        Drain();
    }

    // The client went away while we were writing; the read loop sees the same and ends the session.
    private static bool IsConnectionGone(Exception e) =>
        e is IOException or ObjectDisposedException or ConnectionResetException or InvalidOperationException or OperationCanceledException;

    /// <summary>The next buffers to write; null when there are none, after releasing _writing or, when the connection
    /// is closing, finishing the output.</summary>
    private List<JuteWriter>? TakeBatch()
    {
        lock (_lock)
        {
            if (_ready.Count > 0)
            {
                (_ready, _draining) = (_draining, _ready);
                return _draining;
            }
            if (!_closing)
            {
                _writing = false;
                return null;
            }
        }
        Finish();
        return null;
    }

    private bool Written(FlushResult result, List<JuteWriter> batch)
    {
        long bytes = 0;
        foreach (var w in batch) bytes += w.Length;
        Interlocked.Add(ref _pendingBytes, -bytes);
        if (Volatile.Read(ref _waitingForRoom) == 1) _room.Release();
        lock (_lock)
        {
            foreach (var w in batch)
            {
                if (w.Length > 1 << 20 || _spare.Count >= 4)
                {
                    w.Dispose();
                    continue;
                }
                w.Clear();
                _spare.Add(w);
            }
            batch.Clear();
        }
        return !result.IsCompleted && !result.IsCanceled;
    }

    /// <summary>FIN after the last reply (a reset could destroy replies the client has not read yet), then stop the
    /// read loop; the connection ends when both are done. Runs once, on the writing thread.</summary>
    private void Finish()
    {
        lock (_lock)
        {
            _closing = true;
            _writing = true;
            if (_finished) return;
            _finished = true;
        }
        try
        {
            _context.Transport.Output.Complete();
        }
        catch (Exception e) when (IsConnectionGone(e))
        {
            // Already completed by the transport.
        }
        _context.Transport.Input.CancelPendingRead();
        _room.Release();
        _written.TrySetResult();
    }

    private static JuteWriter Pop(List<JuteWriter> list)
    {
        var w = list[^1];
        list.RemoveAt(list.Count - 1);
        return w;
    }
}
