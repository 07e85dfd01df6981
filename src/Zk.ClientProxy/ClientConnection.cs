// One client TCP connection as its session actor sees it. The session actor writes frames into Output during
// its turn and calls Flush; a writer task per connection moves flushed buffers to the socket. Flush and Close
// are thread-safe; Output belongs to whichever thread runs the session actor's turn.
using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Zk.Actors.Sessions;
using Zk.Protocol.Jute;

namespace Zk.ClientProxy;

internal sealed class ClientConnection : IClientConnection
{
    private readonly ConnectionContext _context;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly SemaphoreSlim _room = new(0);
    private readonly int _maxOutstanding;
    private readonly long _maxPendingOutputBytes;
    private List<JuteWriter> _ready = [];
    private List<JuteWriter> _spare = [];
    private JuteWriter _output = new(4096);
    private long _pendingBytes;
    private int _outstanding;
    private bool _closing;
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
        Writer = Task.Run(WriteLoopAsync);
    }

    public long ConnectionId { get; }

    public string RemoteAddress { get; }

    public int RemotePort { get; }

    public ConnectionStats Stats { get; }

    public JuteWriter Output => _output;

    public Task Writer { get; }

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
        }
        _signal.Release();
    }

    public void Close()
    {
        lock (_lock)
        {
            if (_closing) return;
            _closing = true;
            if (_output.Length > 0)
            {
                _ready.Add(_output);
                _output = new JuteWriter(16);
            }
        }
        _signal.Release();
        _room.Release();
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

    private async Task WriteLoopAsync()
    {
        var output = _context.Transport.Output;
        try
        {
            while (true)
            {
                await _signal.WaitAsync().ConfigureAwait(false);
                List<JuteWriter> batch;
                bool closing;
                lock (_lock)
                {
                    batch = _ready;
                    _ready = [];
                    closing = _closing;
                }
                if (batch.Count > 0 && !await WriteAsync(output, batch).ConfigureAwait(false)) break;
                if (closing)
                {
                    lock (_lock)
                    {
                        if (_ready.Count > 0) continue;
                    }
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or ConnectionResetException or InvalidOperationException)
        {
            // The client went away while we were writing; the read loop sees the same and ends the session.
        }
        finally
        {
            // FIN after the last reply (a reset could destroy replies the client has not read yet), then stop the
            // read loop; the connection ends when both loops are done.
            await output.CompleteAsync().ConfigureAwait(false);
            _context.Transport.Input.CancelPendingRead();
            _room.Release();
        }
    }

    private async ValueTask<bool> WriteAsync(PipeWriter output, List<JuteWriter> batch)
    {
        long bytes = 0;
        foreach (var w in batch)
        {
            output.Write(w.WrittenSpan);
            bytes += w.Length;
        }
        var result = await output.FlushAsync().ConfigureAwait(false);
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
        }
        return !result.IsCompleted && !result.IsCanceled;
    }

    private static JuteWriter Pop(List<JuteWriter> list)
    {
        var w = list[^1];
        list.RemoveAt(list.Count - 1);
        return w;
    }
}
