// Latency in nanoseconds on HdrHistogram: the one layout every zkbench histogram has (1 ns to 60 s at 3 significant
// digits, so a reported value is within 0.1 % of a recorded one), recording that clamps what the layout cannot hold,
// and the percentile distribution (.hgrm) that HdrHistogram's plotter reads. A histogram from NewHistogram takes one
// writer at a time; the Recorder from NewIntervalRecorder any number of writers and one reader of intervals.
using HdrHistogram;

namespace Zk.Bench.Metrics;

public static class Latency
{
    /// <summary>A latency above a minute is counted as a minute: no run waits that long for a reply.</summary>
    public const long HighestTrackableNs = 60_000_000_000;

    public const int SignificantDigits = 3;

    /// <summary>HdrHistogram's output divides by this: the .hgrm file is in microseconds.</summary>
    public const double NsPerMicrosecond = 1000;

    public static LongHistogram NewHistogram() => new(1, HighestTrackableNs, SignificantDigits);

    public static Recorder NewIntervalRecorder() =>
        HistogramFactory.With64BitBucketSize().WithValuesFrom(1).WithValuesUpTo(HighestTrackableNs).WithPrecisionOf(SignificantDigits)
            .WithThreadSafeWrites().WithThreadSafeReads().Create();

    /// <summary>Records <paramref name="ns"/>, a negative value (a clock step) as 0 and one beyond the range as its top.</summary>
    public static void RecordNs(this IRecorder recorder, long ns) => recorder.RecordValue(Math.Clamp(ns, 0, HighestTrackableNs));

    /// <summary>The lowest value of the smallest recorded value's bucket; 0 when empty.</summary>
    public static long MinNs(HistogramBase h) =>
        h.TotalCount == 0 ? 0 : h.LowestEquivalentValue(h.RecordedValues().First().ValueIteratedTo);

    /// <summary>The highest value of the largest recorded value's bucket; 0 when empty.</summary>
    public static long MaxNs(HistogramBase h) => h.TotalCount == 0 ? 0 : h.GetMaxValue();

    public static double MeanNs(HistogramBase h) => h.TotalCount == 0 ? 0 : h.GetMean();

    /// <summary>HdrHistogram's value at a percentile (the highest value of its bucket); 0 when empty.</summary>
    public static long PercentileNs(HistogramBase h, double percentile) => h.TotalCount == 0 ? 0 : h.GetValueAtPercentile(percentile);

    /// <summary>The percentile distribution in microseconds, 5 ticks per half-distance: HdrHistogram's .hgrm text.</summary>
    public static void WritePercentileDistribution(HistogramBase h, TextWriter writer) =>
        h.OutputPercentileDistribution(writer, percentileTicksPerHalfDistance: 5, outputValueUnitScalingRatio: NsPerMicrosecond);

    /// <summary>The percentile distribution as a .hgrm file.</summary>
    public static async Task WriteHgrmFileAsync(HistogramBase h, string path, CancellationToken ct)
    {
        using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        WritePercentileDistribution(h, writer);
        await File.WriteAllTextAsync(path, writer.ToString(), ct).ConfigureAwait(false);
    }
}
