// Scraping a real ZkActors process's /metrics while zkbench loads it, as Prometheus would: every scrape succeeds and the
// counters move with the load; zkbench's --scrape-url reports its scrapes; scrape-cost runs its pairs. What scraping
// costs is measured by `zkbench scrape-cost` (docs/BENCHMARKS.md), never asserted here: no assertion on timing.
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Zk.Bench.Compare;
using Zk.Bench.Report;
using Zk.Bench.Runner;
using Zk.Bench.Workloads;

namespace Zk.Bench.Tests;

public sealed class ScrapedServerFixture : IAsyncLifetime
{
    private ZkActorsProcess? _server;

    public ZkActorsProcess Server => _server ?? throw new InvalidOperationException("the server is not started");

    public Uri MetricsUrl => new($"http://127.0.0.1:{Server.AdminPort}/metrics");

    public async Task InitializeAsync() =>
        _server = await ZkActorsProcess.LaunchAsync(new Dictionary<string, string> { ["admin.enableServer"] = "true" }, "zkbench-scraped");

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}

public partial class ScrapeUnderLoadTests(ScrapedServerFixture fixture) : IClassFixture<ScrapedServerFixture>
{
    private BenchOptions Writes(TimeSpan duration) => new()
    {
        ConnectString = fixture.Server.ConnectString,
        Workload = WorkloadKind.Write,
        Sessions = 4,
        Window = 16,
        Znodes = 100,
        PayloadBytes = 64,
        Warmup = TimeSpan.FromMilliseconds(300),
        Duration = duration,
    };

    [Fact]
    public async Task Scrapes_during_a_write_load_all_succeed_and_the_commit_counter_keeps_up_with_the_writes()
    {
        var commits = new ConcurrentQueue<double>();
        var scraper = new MetricsScraper(fixture.MetricsUrl, TimeSpan.FromMilliseconds(250), body => commits.Enqueue(Sample(body, "zk_commits_total")));
        BenchResult result;
        ScrapeStats stats;
        await using (scraper)
        {
            scraper.Start();
            result = await new BenchRunner(Writes(TimeSpan.FromSeconds(2))).RunAsync(CancellationToken.None);
            stats = await scraper.StopAsync();
        }
        AssertClean(result);
        Assert.True(stats.Failures == 0, $"{stats.Failures} scrapes failed, the last with: {stats.LastFailure}");
        Assert.True(stats.Scrapes >= 3, $"only {stats.Scrapes} scrapes in a 2.3 s run");
        var seen = commits.ToArray();
        Assert.Equal(stats.Scrapes, seen.Length);
        for (var i = 1; i < seen.Length; i++) Assert.True(seen[i] >= seen[i - 1], $"zk_commits_total went from {seen[i - 1]} to {seen[i]}");
        Assert.True(seen[^1] > seen[0], $"zk_commits_total stayed at {seen[0]} while {result.Completed} writes completed");
        // Every completed setData was one committed txn.
        using var http = new HttpClient();
        Assert.True(Sample(await http.GetStringAsync(fixture.MetricsUrl), "zk_commits_total") >= result.Completed);
    }

    [Fact]
    public async Task A_run_with_a_scrape_url_reports_its_scrapes()
    {
        var options = Writes(TimeSpan.FromSeconds(1)) with { ScrapeUrl = fixture.MetricsUrl, ScrapeInterval = TimeSpan.FromMilliseconds(250) };
        var result = await new BenchRunner(options).RunAsync(CancellationToken.None);
        AssertClean(result);
        var scrapes = Assert.IsType<ScrapeStats>(result.Scrapes);
        Assert.True(scrapes.Failures == 0, scrapes.LastFailure);
        Assert.True(scrapes.Scrapes >= 2, $"only {scrapes.Scrapes} scrapes");
        Assert.True(scrapes.MeanBytes > 1000, $"{scrapes.MeanBytes} bytes per scrape");
        Assert.Contains("metrics scrapes", TableFormat.Result(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_scraper_that_cannot_reach_the_endpoint_counts_failures_and_the_load_goes_on()
    {
        var nowhere = new Uri($"http://127.0.0.1:{ServerLauncher.FreeLoopbackPort()}/metrics");
        var options = Writes(TimeSpan.FromSeconds(1)) with { ScrapeUrl = nowhere, ScrapeInterval = TimeSpan.FromMilliseconds(250) };
        var result = await new BenchRunner(options).RunAsync(CancellationToken.None);
        AssertClean(result);
        var scrapes = Assert.IsType<ScrapeStats>(result.Scrapes);
        Assert.True(scrapes.Scrapes >= 1);
        Assert.Equal(scrapes.Scrapes, scrapes.Failures);
        Assert.NotNull(scrapes.LastFailure);
    }

    [Fact]
    public async Task Scrape_cost_runs_each_workload_without_and_with_the_scraper_in_alternating_order()
    {
        var workRoot = Directory.CreateTempSubdirectory("zkbench-scrape-cost-").FullName;
        try
        {
            var options = new ScrapeCostOptions
            {
                Workloads = [new WorkloadSpec(WorkloadKind.Write, 2, 8)],
                Rounds = 2,
                ScrapeInterval = TimeSpan.FromMilliseconds(250),
                Common = new BenchOptions { Znodes = 50, PayloadBytes = 32, Warmup = TimeSpan.FromMilliseconds(200), Duration = TimeSpan.FromSeconds(0.6) },
                Launch = new LaunchSettings { ZkActorsDll = TestPaths.ZkActorsDll },
                WorkRoot = workRoot,
            };
            var report = await new ScrapeCostRunner(options, TextWriter.Null).RunAsync(CancellationToken.None);
            Assert.True(report.AllClean);
            var w = Assert.Single(report.Workloads);
            Assert.Equal([(1, false), (1, true), (2, true), (2, false)], w.Runs.Select(r => (r.Round, r.Scraping)));
            Assert.All(w.Runs, r => Assert.Equal(r.Scraping, r.Result.Scrapes is not null));
            Assert.True(w.Scrapes >= 2);
            Assert.Equal(2, w.PairRatios.Count);
            Assert.Contains("write 2x8", ScrapeCostTable.Render(report), StringComparison.Ordinal);
        }
        finally
        {
            TestPaths.TryDelete(workRoot);
        }
    }

    private static double Sample(string exposition, string name)
    {
        var m = SampleLine().Matches(exposition).FirstOrDefault(x => x.Groups["name"].Value == name)
            ?? throw new KeyNotFoundException($"no sample {name} in the scrape");
        return double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
    }

    // An unlabelled sample line of text format 0.0.4: NAME VALUE.
    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<value>\S+)$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex SampleLine();

    private static void AssertClean(BenchResult result)
    {
        Assert.True(result.Issued > 0, "nothing was issued");
        Assert.Equal(result.Issued, result.Completed + result.Errors);
        Assert.True(result.Errors == 0, $"errors: {string.Join(", ", result.ErrorsByKind.Select(kv => $"{kv.Key}={kv.Value}"))}");
    }
}
