// zkbench's latency figures on HdrHistogram against data whose true percentiles are known: exact small values,
// uniform, exponential and bimodal distributions, clamping, merging per-session histograms, the interval recorder the
// progress line reads, the summary zkbench prints and the .hgrm percentile distribution it writes for plotting.
using System.Globalization;
using HdrHistogram;
using Zk.Bench.Metrics;
using Zk.Bench.Report;

namespace Zk.Bench.Tests;

public class LatencyTests
{
    // 3 significant digits: a bucket is at most 1/1024 of its values wide, and HdrHistogram reports its highest value.
    private const double RelativeError = 1.0 / 1024;

    [Fact]
    public void An_empty_histogram_reports_zero_everywhere()
    {
        var h = Latency.NewHistogram();
        Assert.Equal(0, h.TotalCount);
        Assert.Equal(0, Latency.PercentileNs(h, 50));
        Assert.Equal(0, Latency.PercentileNs(h, 99.9));
        Assert.Equal(0, Latency.MinNs(h));
        Assert.Equal(0, Latency.MaxNs(h));
        Assert.Equal(0, Latency.MeanNs(h));
        Assert.Equal(new LatencySummary(0, 0, 0, 0, 0, 0, 0, 0), LatencySummary.From(h));
    }

    [Fact]
    public void Values_up_to_2048_ns_are_exact()
    {
        var h = Latency.NewHistogram();
        for (var v = 1; v <= 1000; v++) h.RecordNs(v);
        Assert.Equal(500, Latency.PercentileNs(h, 50));
        Assert.Equal(990, Latency.PercentileNs(h, 99));
        Assert.Equal(999, Latency.PercentileNs(h, 99.9));
        Assert.Equal(1000, Latency.PercentileNs(h, 100));
        Assert.Equal(1, Latency.MinNs(h));
        Assert.Equal(1000, Latency.MaxNs(h));
        Assert.Equal(500.5, Latency.MeanNs(h));
    }

    [Fact]
    public void Uniform_distribution_percentiles_are_within_the_bucket_error()
    {
        var h = Latency.NewHistogram();
        // 1 µs .. 1 s in 1 µs steps: the p-th percentile is p% of a second.
        for (long us = 1; us <= 1_000_000; us++) h.RecordNs(us * 1000);
        AssertWithinBucket(500_000_000, Latency.PercentileNs(h, 50));
        AssertWithinBucket(900_000_000, Latency.PercentileNs(h, 90));
        AssertWithinBucket(990_000_000, Latency.PercentileNs(h, 99));
        AssertWithinBucket(999_000_000, Latency.PercentileNs(h, 99.9));
        AssertWithinBucket(1_000_000_000, Latency.MaxNs(h));
        Assert.Equal(1_000_000, h.TotalCount);
    }

    [Fact]
    public void Exponential_distribution_matches_the_exact_percentiles_of_its_samples()
    {
        var random = new Random(7);
        var samples = new long[200_000];
        var h = Latency.NewHistogram();
        for (var i = 0; i < samples.Length; i++)
        {
            // Mean 2 ms: the shape of a loaded server's latency.
            samples[i] = (long)(-Math.Log(1 - random.NextDouble()) * 2_000_000);
            h.RecordNs(samples[i]);
        }
        Array.Sort(samples);
        // p% of 200,000 is a whole rank for each of these, so "the value at p" is one sample.
        foreach (var p in new[] { 50.0, 90, 99, 99.9, 99.99 })
            AssertWithinBucket(samples[(int)Math.Round(p / 100 * samples.Length) - 1], Latency.PercentileNs(h, p));
        AssertWithinBucket(samples[^1], Latency.MaxNs(h));
        Assert.InRange(Latency.MinNs(h), samples[0] - (long)(samples[0] * RelativeError), samples[0]);
        Assert.InRange(Latency.MeanNs(h), samples.Average() * (1 - RelativeError), samples.Average() * (1 + RelativeError));
    }

    [Fact]
    public void Bimodal_distribution_separates_the_tail()
    {
        var h = Latency.NewHistogram();
        for (var i = 0; i < 9_980; i++) h.RecordNs(1_000_000);
        for (var i = 0; i < 20; i++) h.RecordNs(100_000_000);
        AssertWithinBucket(1_000_000, Latency.PercentileNs(h, 50));
        AssertWithinBucket(1_000_000, Latency.PercentileNs(h, 99.8));
        AssertWithinBucket(100_000_000, Latency.PercentileNs(h, 99.9));
        AssertWithinBucket(100_000_000, Latency.MaxNs(h));
    }

    [Fact]
    public void A_negative_value_counts_as_zero_and_one_beyond_a_minute_as_a_minute()
    {
        var h = Latency.NewHistogram();
        h.RecordNs(-5);
        h.RecordNs(Latency.HighestTrackableNs * 4);
        Assert.Equal(2, h.TotalCount);
        Assert.Equal(0, Latency.MinNs(h));
        AssertWithinBucket(Latency.HighestTrackableNs, Latency.MaxNs(h));
        AssertWithinBucket(Latency.HighestTrackableNs, Latency.PercentileNs(h, 100));
    }

    [Fact]
    public void Per_session_histograms_merge_into_one_with_every_count()
    {
        var a = Latency.NewHistogram();
        var b = Latency.NewHistogram();
        for (var i = 1; i <= 100; i++) a.RecordNs(i * 1000);
        for (var i = 101; i <= 200; i++) b.RecordNs(i * 1000);
        var merged = Latency.NewHistogram();
        merged.Add(a);
        merged.Add(b);
        Assert.Equal(200, merged.TotalCount);
        AssertWithinBucket(100_000, Latency.PercentileNs(merged, 50));
        AssertWithinBucket(200_000, Latency.MaxNs(merged));
        Assert.Equal(1000, Latency.MinNs(merged));
        Assert.InRange(Latency.MeanNs(merged), 100_500 * (1 - RelativeError), 100_500 * (1 + RelativeError));
    }

    [Fact]
    public void The_interval_recorder_takes_many_writers_and_hands_out_each_interval_once()
    {
        var recorder = Latency.NewIntervalRecorder();
        Parallel.For(0, 4, t =>
        {
            for (var i = 0; i < 10_000; i++) recorder.RecordNs(1_000 + t * 1_000_000);
        });
        var interval = recorder.GetIntervalHistogram();
        Assert.Equal(40_000, interval.TotalCount);
        AssertWithinBucket(3_001_000, Latency.PercentileNs(interval, 100));
        Assert.Equal(1_000, Latency.PercentileNs(interval, 25));
        recorder.RecordNs(5_000);
        var next = recorder.GetIntervalHistogram(interval);
        Assert.Equal(1, next.TotalCount);
        AssertWithinBucket(5_000, Latency.PercentileNs(next, 100));
    }

    [Fact]
    public void The_summary_is_in_microseconds()
    {
        var h = Latency.NewHistogram();
        for (var v = 1; v <= 1000; v++) h.RecordNs(v);
        var s = LatencySummary.From(h);
        Assert.Equal(new LatencySummary(MinUs: 0.001, P50Us: 0.5, P90Us: 0.9, P99Us: 0.99, P999Us: 0.999, MaxUs: 1, MeanUs: 0.5, Count: 1000), s);
    }

    [Fact]
    public void The_percentile_distribution_lists_rising_percentiles_in_microseconds_up_to_the_max_and_the_count()
    {
        var h = Latency.NewHistogram();
        // 1 µs .. 10 ms in 1 µs steps.
        for (long us = 1; us <= 10_000; us++) h.RecordNs(us * 1000);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        Latency.WritePercentileDistribution(h, text);
        var lines = text.ToString().Split('\n');
        Assert.Equal(["Value", "Percentile", "TotalCount", "1/(1-Percentile)"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var rows = lines.Skip(1).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(f => (ValueUs: double.Parse(f[0], CultureInfo.InvariantCulture), Percentile: double.Parse(f[1], CultureInfo.InvariantCulture),
                Count: long.Parse(f[2], CultureInfo.InvariantCulture)))
            .ToList();
        Assert.True(rows.Count > 20, $"only {rows.Count} rows");
        for (var i = 1; i < rows.Count; i++)
        {
            Assert.True(rows[i].Percentile >= rows[i - 1].Percentile && rows[i].Count >= rows[i - 1].Count && rows[i].ValueUs >= rows[i - 1].ValueUs,
                $"row {i} goes back: {rows[i - 1]} then {rows[i]}");
        }
        var median = rows.First(r => r.Percentile >= 0.5);
        Assert.Equal(0.5, median.Percentile, 9);
        Assert.Equal(Latency.PercentileNs(h, 50) / 1000.0, median.ValueUs, 3);
        Assert.Equal((1.0, 10_000L), (rows[^1].Percentile, rows[^1].Count));
        Assert.Equal(Latency.MaxNs(h) / 1000.0, rows[^1].ValueUs, 3);
        Assert.Contains(lines, l => l.StartsWith("#[Max", StringComparison.Ordinal) && l.TrimEnd().EndsWith("Total count    =        10000]", StringComparison.Ordinal));
    }

    // HdrHistogram reports the highest value of the bucket that holds the true one: never below it, at most a bucket above.
    private static void AssertWithinBucket(long expected, long actual) =>
        Assert.True(actual >= expected && actual <= expected + (long)Math.Ceiling(expected * RelativeError),
            $"expected {expected} .. {expected + (long)Math.Ceiling(expected * RelativeError)}, got {actual}");
}
