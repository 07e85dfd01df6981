// Runs one workload against one server or ensemble: setup, sessions, warm-up, the measured phase, drain, close.
// Drivers run as thread-pool tasks; the runner only flips phases and sums their counters at the end.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Zk.Bench.Metrics;
using Zk.Bench.Protocol;
using Zk.Bench.Report;
using Zk.Bench.Workloads;

namespace Zk.Bench.Runner;

/// <summary>Told when the measured phase starts and ends, e.g. to sample the server's CPU time over exactly that window.</summary>
public interface IRunObserver
{
    void OnMeasureStart();

    void OnMeasureEnd();
}

public sealed class BenchRunner(BenchOptions options, TextWriter? progress = null, TimeSpan? progressInterval = null, IRunObserver? observer = null)
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    public async Task<BenchResult> RunAsync(CancellationToken ct)
    {
        var problems = options.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
        var servers = ParseConnectString(options.ConnectString);
        var shared = new SharedRequests(options);
        if (!options.SkipSetup) await BenchSetup.RunAsync(servers[0], options, shared, ct).ConfigureAwait(false);

        var control = new RunControl(options.MaxOps);
        var connections = new List<BenchConnection>();
        try
        {
            var stats = new List<DriverStats>();
            Func<CancellationToken, Task>[] drivers;
            if (options.Workload == WorkloadKind.EphemeralChurn)
            {
                drivers = Enumerable.Range(0, options.Sessions).Select(i =>
                {
                    var d = new ChurnDriver(servers[i % servers.Count], control, options, shared, i);
                    stats.Add(d.Stats);
                    return (Func<CancellationToken, Task>)d.RunAsync;
                }).ToArray();
            }
            else
            {
                connections.AddRange(await OpenSessionsAsync(servers, ct).ConfigureAwait(false));
                drivers = connections.Select((c, i) =>
                {
                    var d = new PipelinedDriver(c, new OpGenerator(options, shared, i), control, options);
                    stats.Add(d.Stats);
                    return (Func<CancellationToken, Task>)d.RunAsync;
                }).ToArray();
            }
            var (measuredS, scrapes) = await DriveAsync(control, drivers, stats, ct).ConfigureAwait(false);
            return Summarize(stats, measuredS) with { Scrapes = scrapes };
        }
        finally
        {
            await Task.WhenAll(connections.Select(CloseAsync)).ConfigureAwait(false);
        }
    }

    /// <summary>host:port[,host:port…]; a host that is not an IP address is resolved when connecting.</summary>
    public static IReadOnlyList<EndPoint> ParseConnectString(string connectString)
    {
        var servers = new List<EndPoint>();
        foreach (var part in connectString.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPEndPoint.TryParse(part, out var ip) && ip.Port != 0)
            {
                servers.Add(ip);
                continue;
            }
            var colon = part.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(part.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
                throw new ArgumentException($"'{part}' is not host:port");
            servers.Add(new DnsEndPoint(part[..colon], port));
        }
        if (servers.Count == 0) throw new ArgumentException("the connect string names no server");
        return servers;
    }

    private async Task<BenchConnection[]> OpenSessionsAsync(IReadOnlyList<EndPoint> servers, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ConnectTimeout);
        var opening = Enumerable.Range(0, options.Sessions)
            .Select(i => BenchConnection.OpenAsync(servers[i % servers.Count], options.SessionTimeoutMs, timeout.Token))
            .ToArray();
        try
        {
            return await Task.WhenAll(opening).ConfigureAwait(false);
        }
        catch
        {
            foreach (var t in opening.Where(t => t.IsCompletedSuccessfully)) await t.Result.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // The scraper, when asked for, runs from the warm-up to the end of the drain: the load it is measured against.
    private async Task<(double MeasuredS, ScrapeStats? Scrapes)> DriveAsync(RunControl control, Func<CancellationToken, Task>[] drivers,
        List<DriverStats> stats, CancellationToken ct)
    {
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(ct);
        ProgressLine? line = progress is null ? null
            : new ProgressLine(options.Describe(), control, () => stats, progress, progressInterval ?? TimeSpan.FromSeconds(1));
        await using var scraper = options.ScrapeUrl is { } url ? new MetricsScraper(url, options.ScrapeInterval) : null;
        scraper?.Start();
        try
        {
            var running = drivers.Select(d => Task.Run(() => d(drain.Token), CancellationToken.None)).ToArray();
            var allDone = Task.WhenAll(running);
            if (options.Warmup > TimeSpan.Zero)
                await Task.WhenAny(allDone, Task.Delay(options.Warmup, ct)).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            observer?.OnMeasureStart();
            control.StartMeasuring();
            var end = options.MaxOps is null ? Task.Delay(options.Duration, ct) : control.BudgetExhausted;
            await Task.WhenAny(allDone, end).ConfigureAwait(false);
            control.Stop();
            drain.CancelAfter(options.DrainTimeout);
            await allDone.ConfigureAwait(false);
            var endTicks = Stopwatch.GetTimestamp();
            observer?.OnMeasureEnd();
            var scrapes = scraper is null ? null : await scraper.StopAsync().ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            return (Stopwatch.GetElapsedTime(control.MeasureStartTicks, endTicks).TotalSeconds, scrapes);
        }
        finally
        {
            control.Stop();
            if (line is not null) await line.DisposeAsync().ConfigureAwait(false);
        }
    }

    private BenchResult Summarize(List<DriverStats> stats, double measuredS)
    {
        var latency = Latency.NewHistogram();
        var errorsByKind = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long issued = 0, completed = 0, errors = 0, events = 0;
        foreach (var s in stats)
        {
            latency.Add(s.Latency);
            issued += s.Issued;
            completed += s.Completed;
            errors += s.Errors;
            events += s.WatchEvents;
            foreach (var (kind, n) in s.ErrorsByKind) errorsByKind[kind] = errorsByKind.GetValueOrDefault(kind) + n;
        }
        return new BenchResult
        {
            Workload = options.Workload.Name(),
            ConnectString = options.ConnectString,
            Sessions = options.Sessions,
            Window = options.Workload == WorkloadKind.EphemeralChurn ? 1 : options.Window,
            PayloadBytes = options.PayloadBytes,
            Znodes = options.Workload.UsesDataZnodes() ? options.Znodes : 0,
            ReadPercent = options.Workload == WorkloadKind.Mixed ? options.ReadPercent : null,
            WarmupS = options.Warmup.TotalSeconds,
            MeasuredS = Math.Round(measuredS, 3),
            Issued = issued,
            Completed = completed,
            Errors = errors,
            ErrorsByKind = errorsByKind,
            WatchEvents = events,
            OpsPerS = measuredS > 0 ? Math.Round(completed / measuredS, 1) : 0,
            LatencyUs = LatencySummary.From(latency),
            LatencyHistogram = latency,
        };
    }

    private static async Task CloseAsync(BenchConnection connection)
    {
        await connection.CloseSessionAsync(CloseTimeout).ConfigureAwait(false);
        await connection.DisposeAsync().ConfigureAwait(false);
    }
}
