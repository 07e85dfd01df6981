// The histogram's percentiles against distributions whose true percentiles are known, and its bucket arithmetic.
using Zk.Bench.Metrics;

namespace Zk.Bench.Tests;

public class LatencyHistogramTests
{
    // A bucket is at most 1/256 of its values wide, and the reported value is the bucket's highest.
    private const double RelativeError = 1.0 / 256;

    [Fact]
    public void Empty_histogram_reports_zero_everywhere()
    {
        var h = new LatencyHistogram();
        Assert.Equal(0, h.TotalCount);
        Assert.Equal(0, h.ValueAtPercentileNs(50));
        Assert.Equal(0, h.ValueAtPercentileNs(99.9));
        Assert.Equal(0, h.MinNs);
        Assert.Equal(0, h.MaxNs);
    }

    [Fact]
    public void Values_below_512_are_exact()
    {
        var h = new LatencyHistogram();
        for (var v = 1; v <= 500; v++) h.Record(v);
        Assert.Equal(250, h.ValueAtPercentileNs(50));
        Assert.Equal(495, h.ValueAtPercentileNs(99));
        Assert.Equal(500, h.ValueAtPercentileNs(100));
        Assert.Equal(1, h.MinNs);
        Assert.Equal(250.5, h.MeanNs);
    }

    [Fact]
    public void Uniform_distribution_percentiles_are_within_the_bucket_error()
    {
        var h = new LatencyHistogram();
        // 1 µs .. 1 s in 1 µs steps: the p-th percentile is p% of a second.
        for (long us = 1; us <= 1_000_000; us++) h.Record(us * 1000);
        AssertClose(500_000_000, h.ValueAtPercentileNs(50));
        AssertClose(900_000_000, h.ValueAtPercentileNs(90));
        AssertClose(990_000_000, h.ValueAtPercentileNs(99));
        AssertClose(999_000_000, h.ValueAtPercentileNs(99.9));
        Assert.Equal(1_000_000_000, h.MaxNs);
        Assert.Equal(1_000_000, h.TotalCount);
    }

    [Fact]
    public void Exponential_distribution_matches_the_exact_percentiles_of_its_samples()
    {
        var random = new Random(7);
        var samples = new long[200_000];
        var h = new LatencyHistogram();
        for (var i = 0; i < samples.Length; i++)
        {
            // Mean 2 ms: the shape of a loaded server's latency.
            samples[i] = (long)(-Math.Log(1 - random.NextDouble()) * 2_000_000);
            h.Record(samples[i]);
        }
        Array.Sort(samples);
        foreach (var p in new[] { 50.0, 90, 99, 99.9, 99.99 })
        {
            var exact = samples[(int)Math.Ceiling(p / 100 * samples.Length) - 1];
            AssertClose(exact, h.ValueAtPercentileNs(p));
        }
        Assert.Equal(samples[^1], h.MaxNs);
        Assert.Equal(samples[0], h.MinNs);
    }

    [Fact]
    public void Bimodal_distribution_separates_the_tail()
    {
        var h = new LatencyHistogram();
        for (var i = 0; i < 9_980; i++) h.Record(1_000_000);
        for (var i = 0; i < 20; i++) h.Record(100_000_000);
        AssertClose(1_000_000, h.ValueAtPercentileNs(50));
        AssertClose(1_000_000, h.ValueAtPercentileNs(99));
        AssertClose(100_000_000, h.ValueAtPercentileNs(99.9));
        Assert.Equal(100_000_000, h.MaxNs);
    }

    [Fact]
    public void Every_value_falls_inside_its_bucket_and_buckets_are_narrow()
    {
        var random = new Random(3);
        for (var i = 0; i < 100_000; i++)
        {
            var v = (long)Math.Pow(2, random.NextDouble() * LatencyHistogram.HighestTrackableBits) - 1;
            var index = LatencyHistogram.IndexOf(v);
            var low = LatencyHistogram.LowestEquivalentValue(index);
            var high = LatencyHistogram.HighestEquivalentValue(index);
            Assert.InRange(v, low, high);
            Assert.True(high - low <= Math.Max(0, low * RelativeError), $"bucket [{low}, {high}] of {v} is too wide");
            Assert.Equal(high + 1, LatencyHistogram.LowestEquivalentValue(index + 1));
        }
    }

    [Fact]
    public void Values_beyond_the_trackable_range_count_in_the_last_bucket_and_keep_an_exact_max()
    {
        var h = new LatencyHistogram();
        h.Record(LatencyHistogram.HighestTrackableValueNs * 4);
        h.Record(-5);
        Assert.Equal(2, h.TotalCount);
        Assert.Equal(0, h.MinNs);
        Assert.Equal(LatencyHistogram.HighestTrackableValueNs * 4, h.MaxNs);
        AssertClose(LatencyHistogram.HighestTrackableValueNs, h.ValueAtPercentileNs(100));
    }

    [Fact]
    public void Add_merges_counts_min_max_and_mean()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        for (var i = 1; i <= 100; i++) a.Record(i * 1000);
        for (var i = 101; i <= 200; i++) b.Record(i * 1000);
        a.Add(b);
        Assert.Equal(200, a.TotalCount);
        Assert.Equal(1000, a.MinNs);
        Assert.Equal(200_000, a.MaxNs);
        Assert.Equal(100_500, a.MeanNs);
        AssertClose(100_000, a.ValueAtPercentileNs(50));
    }

    [Fact]
    public void DrainInto_moves_atomically_recorded_counts_and_leaves_zero()
    {
        var shared = new LatencyHistogram();
        Parallel.For(0, 4, t =>
        {
            for (var i = 0; i < 10_000; i++) shared.RecordAtomic(1_000 + t * 1_000_000);
        });
        var window = new LatencyHistogram();
        shared.DrainInto(window);
        Assert.Equal(40_000, window.TotalCount);
        Assert.Equal(0, shared.TotalCount);
        AssertClose(3_001_000, window.ValueAtPercentileNs(100));
        AssertClose(1_000, window.ValueAtPercentileNs(25));
        var again = new LatencyHistogram();
        shared.DrainInto(again);
        Assert.Equal(0, again.TotalCount);
    }

    private static void AssertClose(long expected, long actual)
    {
        var tolerance = Math.Max(1, (long)Math.Ceiling(expected * RelativeError));
        Assert.True(Math.Abs(actual - expected) <= tolerance, $"expected {expected} ± {tolerance}, got {actual}");
    }
}
