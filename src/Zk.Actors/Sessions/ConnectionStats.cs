// Per-connection counters for the cons/stat four-letter words and the admin server. Written by one session
// actor and the connection loop, read by anyone: fields are individually atomic, the set is not a snapshot.
using Zk.Core.Sessions;

namespace Zk.Actors.Sessions;

public sealed class ConnectionStats
{
    private long _received;
    private long _sent;
    private long _minLatencyMs = long.MaxValue;
    private long _maxLatencyMs;
    private long _totalLatencyMs;
    private long _latencyCount;

    private readonly ServerStats? _server;

    public ConnectionStats(long establishedMs, ServerStats? server = null)
    {
        EstablishedMs = establishedMs;
        _server = server;
    }

    public long EstablishedMs { get; }

    public long Received => Interlocked.Read(ref _received);

    public long Sent => Interlocked.Read(ref _sent);

    public long SessionId { get; set; }

    public int TimeoutMs { get; set; }

    public string LastOp { get; set; } = "NA";

    public long LastCxid { get; set; } = -1;

    public long LastZxid { get; set; } = -1;

    public long LastResponseMs { get; set; }

    public long LastLatencyMs { get; set; }

    public int Outstanding { get; set; }

    public long MinLatencyMs => _latencyCount == 0 ? 0 : Interlocked.Read(ref _minLatencyMs);

    public long MaxLatencyMs => Interlocked.Read(ref _maxLatencyMs);

    public long AvgLatencyMs => _latencyCount == 0 ? 0 : Interlocked.Read(ref _totalLatencyMs) / Interlocked.Read(ref _latencyCount);

    public void OnReceived(int frames = 1)
    {
        Interlocked.Add(ref _received, frames);
        _server?.OnReceived(frames);
    }

    public void OnSent(int frames = 1)
    {
        Interlocked.Add(ref _sent, frames);
        _server?.OnSent(frames);
    }

    public void OnResponse(long latencyMs, long nowMs)
    {
        LastLatencyMs = latencyMs;
        LastResponseMs = nowMs;
        _server?.OnLatency(latencyMs);
        Interlocked.Add(ref _totalLatencyMs, latencyMs);
        Interlocked.Increment(ref _latencyCount);
        // Only the session actor records latencies of its connection, so a plain compare-then-set is enough.
        if (latencyMs < Interlocked.Read(ref _minLatencyMs)) Interlocked.Exchange(ref _minLatencyMs, latencyMs);
        if (latencyMs > Interlocked.Read(ref _maxLatencyMs)) Interlocked.Exchange(ref _maxLatencyMs, latencyMs);
    }

    public void Reset()
    {
        Interlocked.Exchange(ref _received, 0);
        Interlocked.Exchange(ref _sent, 0);
        Interlocked.Exchange(ref _minLatencyMs, long.MaxValue);
        Interlocked.Exchange(ref _maxLatencyMs, 0);
        Interlocked.Exchange(ref _totalLatencyMs, 0);
        Interlocked.Exchange(ref _latencyCount, 0);
        LastLatencyMs = 0;
        LastResponseMs = 0;
        LastOp = "NA";
        LastCxid = -1;
        LastZxid = -1;
    }
}
