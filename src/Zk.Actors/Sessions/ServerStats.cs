// Server-wide request counters and latency (ZooKeeper's ServerStats) behind srvr/stat/mntr and /metrics.
// Updated by every connection; read by anyone. Each field is atomic; srst resets them.
using Zk.Core.Sessions;

namespace Zk.Actors.Sessions;

public sealed class ServerStats
{
    private long _received;
    private long _sent;
    private long _minLatencyMs = long.MaxValue;
    private long _maxLatencyMs;
    private long _totalLatencyMs;
    private long _latencyCount;
    private long _authFailed;

    public long Received => Interlocked.Read(ref _received);

    public long Sent => Interlocked.Read(ref _sent);

    public long MinLatencyMs => Interlocked.Read(ref _latencyCount) == 0 ? 0 : Interlocked.Read(ref _minLatencyMs);

    public long MaxLatencyMs => Interlocked.Read(ref _maxLatencyMs);

    public double AvgLatencyMs
    {
        get
        {
            var n = Interlocked.Read(ref _latencyCount);
            return n == 0 ? 0.0 : (double)Interlocked.Read(ref _totalLatencyMs) / n;
        }
    }

    public long LatencyCount => Interlocked.Read(ref _latencyCount);

    public long AuthFailed => Interlocked.Read(ref _authFailed);

    public void OnReceived(int frames) => Interlocked.Add(ref _received, frames);

    public void OnSent(int frames) => Interlocked.Add(ref _sent, frames);

    public void OnAuthFailed() => Interlocked.Increment(ref _authFailed);

    public void OnLatency(long ms)
    {
        Interlocked.Add(ref _totalLatencyMs, ms);
        Interlocked.Increment(ref _latencyCount);
        long seen;
        while (ms < (seen = Interlocked.Read(ref _minLatencyMs)) && Interlocked.CompareExchange(ref _minLatencyMs, ms, seen) != seen) { }
        while (ms > (seen = Interlocked.Read(ref _maxLatencyMs)) && Interlocked.CompareExchange(ref _maxLatencyMs, ms, seen) != seen) { }
    }

    public void Reset()
    {
        Interlocked.Exchange(ref _received, 0);
        Interlocked.Exchange(ref _sent, 0);
        Interlocked.Exchange(ref _minLatencyMs, long.MaxValue);
        Interlocked.Exchange(ref _maxLatencyMs, 0);
        Interlocked.Exchange(ref _totalLatencyMs, 0);
        Interlocked.Exchange(ref _latencyCount, 0);
    }
}
