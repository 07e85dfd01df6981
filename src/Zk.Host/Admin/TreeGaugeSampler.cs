// Samples the gauges that need the data tree (znodes, watches, ephemerals, data size, sessions, last zxid) once per
// interval, so that a scrape of /metrics only reads numbers: however often Prometheus scrapes, the tree actor answers
// one status question per interval. One background task; the gauges it sets are read by any scraping thread.
using Zk.Actors.Tree;
using Zk.Actors.Server.Metrics;

namespace Zk.Host.Admin;

internal sealed class TreeGaugeSampler : IAsyncDisposable
{
    /// <summary>How stale a tree gauge may be: far below Prometheus' usual scrape interval of 15 s or more.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    private readonly ServerMetrics _metrics;
    private readonly Func<CancellationToken, Task<TreeStatus?>> _askTree;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private int _disposed;

    /// <param name="askTree">The tree's status, or null when it has none to give (AdminSources.TreeStatusAsync).</param>
    public TreeGaugeSampler(ServerMetrics metrics, Func<CancellationToken, Task<TreeStatus?>> askTree, TimeProvider time)
    {
        _metrics = metrics;
        _askTree = askTree;
        _time = time;
    }

    /// <summary>Samples at once, then every <paramref name="interval"/> until disposed.</summary>
    public void Start(TimeSpan interval) => _loop = LoopAsync(interval, _stop.Token);

    /// <summary>
    /// One sample: the tree's status, stamped with the time it was asked for, so a stamp at or after T means every write
    /// acknowledged before T is in it. Nothing is set while the server does not serve (its tree may be mid-sync) or the
    /// tree does not answer within AdminSources.AskTimeout: the stamp then shows how old the gauges are.
    /// </summary>
    public async Task SampleOnceAsync(CancellationToken ct)
    {
        var askedUnixMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (await _askTree(ct).ConfigureAwait(false) is { } tree) _metrics.SetTree(tree, askedUnixMs);
    }

    /// <summary>Stops sampling and waits for a sample under way; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        _stop.Dispose();
    }

    private async Task LoopAsync(TimeSpan interval, CancellationToken ct)
    {
        // Off the caller's thread: the first sample must not hold up the admin server's start.
        await Task.Yield();
        using var timer = new PeriodicTimer(interval, _time);
        do
        {
            await SampleOnceAsync(ct).ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
    }
}
