// Scrapes a Prometheus endpoint every interval while a run drives its load, as a Prometheus server would (its Accept
// header, one scrape at a time, a tick skipped while a scrape is still under way), and counts how that went. One
// background task; the figures are read once, from StopAsync.
using System.Diagnostics;
using System.Text;
using Zk.Bench.Metrics;

namespace Zk.Bench.Runner;

/// <summary>Scrapes made, failed ones (with the last reason), and their duration and size.</summary>
public sealed record ScrapeStats(double IntervalS, long Scrapes, long Failures, double P50Ms, double MaxMs, long MeanBytes)
{
    public string? LastFailure { get; init; }
}

public sealed class MetricsScraper : IAsyncDisposable
{
    // What Prometheus 2.x/3.x sends: OpenMetrics first, then the text format.
    private const string PrometheusAccept =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    private readonly Uri _url;
    private readonly TimeSpan _interval;
    private readonly Action<string>? _onScrape;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly HdrHistogram.LongHistogram _durations = Latency.NewHistogram();
    private Task _loop = Task.CompletedTask;
    private long _failures;
    private long _bytes;
    private string? _lastFailure;

    /// <param name="onScrape">Called with each scraped body on the scraper's task (a test reads values from it).</param>
    public MetricsScraper(Uri url, TimeSpan interval, Action<string>? onScrape = null)
    {
        _url = url;
        _interval = interval;
        _onScrape = onScrape;
        // Prometheus' default scrape timeout. A scrape that outlasts the interval delays the next one, as in Prometheus.
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        _http.DefaultRequestHeaders.Accept.ParseAdd(PrometheusAccept);
    }

    public void Start() => _loop = LoopAsync(_stop.Token);

    public async Task<ScrapeStats> StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        var ok = _durations.TotalCount;
        return new ScrapeStats(_interval.TotalSeconds, ok + _failures, _failures, Latency.PercentileNs(_durations, 50) / 1e6,
            Latency.MaxNs(_durations) / 1e6, ok == 0 ? 0 : _bytes / ok)
        {
            LastFailure = _lastFailure,
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
        _http.Dispose();
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        await Task.Yield();
        using var timer = new PeriodicTimer(_interval);
        do
        {
            await ScrapeOnceAsync(ct).ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
    }

    private async Task ScrapeOnceAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.GetAsync(_url, ct).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                Fail($"HTTP {(int)response.StatusCode}");
                return;
            }
            _durations.RecordNs((long)Stopwatch.GetElapsedTime(started).TotalNanoseconds);
            _bytes += body.Length;
            _onScrape?.Invoke(Encoding.UTF8.GetString(body));
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            Fail(e.Message);
        }
    }

    private void Fail(string reason)
    {
        _failures++;
        _lastFailure = reason;
    }
}
