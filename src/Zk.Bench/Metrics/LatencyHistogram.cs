// A log-linear latency histogram in the manner of HdrHistogram: exact below 2^SubBucketBits, then 2^SubBucketBits
// buckets per power of two (relative error under 0.4%). Record is single-writer; RecordAtomic/DrainInto may race.
using System.Numerics;

namespace Zk.Bench.Metrics;

public sealed class LatencyHistogram
{
    /// <summary>256 buckets per octave: a bucket is at most 1/256 of its values wide.</summary>
    public const int SubBucketBits = 8;

    /// <summary>2^36 ns ≈ 68.7 s; a longer latency is counted in the last bucket (its exact value still sets Max).</summary>
    public const int HighestTrackableBits = 36;

    public static readonly long HighestTrackableValueNs = (1L << HighestTrackableBits) - 1;

    private static readonly int BucketCount = IndexOf(HighestTrackableValueNs) + 1;

    private readonly long[] _counts = new long[BucketCount];
    private long _totalCount;
    private long _sumNs;
    private long _minNs = long.MaxValue;
    private long _maxNs;

    public long TotalCount => _totalCount;

    public long MinNs => _totalCount == 0 ? 0 : _minNs;

    public long MaxNs => _maxNs;

    public double MeanNs => _totalCount == 0 ? 0 : (double)_sumNs / _totalCount;

    /// <summary>Records one value in nanoseconds; negative values count as 0. One writer at a time.</summary>
    public void Record(long valueNs)
    {
        if (valueNs < 0) valueNs = 0;
        _counts[IndexOf(Math.Min(valueNs, HighestTrackableValueNs))]++;
        _totalCount++;
        _sumNs += valueNs;
        if (valueNs < _minNs) _minNs = valueNs;
        if (valueNs > _maxNs) _maxNs = valueNs;
    }

    /// <summary>
    /// Thread-safe recording for a histogram that several writers share and one reader drains (the live progress
    /// line). Only the counts are kept; min, max and mean are left to <see cref="DrainInto"/>'s target.
    /// </summary>
    public void RecordAtomic(long valueNs)
    {
        if (valueNs < 0) valueNs = 0;
        Interlocked.Increment(ref _counts[IndexOf(Math.Min(valueNs, HighestTrackableValueNs))]);
        Interlocked.Increment(ref _totalCount);
    }

    /// <summary>Moves every count into <paramref name="target"/> and zeroes this one; safe against RecordAtomic.</summary>
    public void DrainInto(LatencyHistogram target)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            if (Volatile.Read(ref _counts[i]) == 0) continue;
            var n = Interlocked.Exchange(ref _counts[i], 0);
            if (n == 0) continue;
            Interlocked.Add(ref _totalCount, -n);
            target.AddBucket(i, n);
        }
    }

    /// <summary>Adds every value of <paramref name="other"/> to this one (merging per-session histograms).</summary>
    public void Add(LatencyHistogram other)
    {
        if (other._totalCount == 0) return;
        for (var i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
        _totalCount += other._totalCount;
        _sumNs += other._sumNs;
        _minNs = Math.Min(_minNs, other._minNs);
        _maxNs = Math.Max(_maxNs, other._maxNs);
    }

    public void Reset()
    {
        Array.Clear(_counts);
        _totalCount = 0;
        _sumNs = 0;
        _minNs = long.MaxValue;
        _maxNs = 0;
    }

    /// <summary>
    /// The smallest recorded value v such that at least <paramref name="percentile"/>% of the values are ≤ v,
    /// reported as the highest value of v's bucket (HdrHistogram's convention) and never above Max. 0 when empty.
    /// </summary>
    public long ValueAtPercentileNs(double percentile)
    {
        if (_totalCount == 0) return 0;
        var p = Math.Clamp(percentile, 0, 100);
        var rank = Math.Max(1, (long)Math.Ceiling(p / 100.0 * _totalCount));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return Math.Min(HighestEquivalentValue(i), _maxNs);
        }
        return _maxNs;
    }

    /// <summary>
    /// The bucket of a value: m = max(0, log2(v) − SubBucketBits) low bits are dropped, and the index is
    /// (m &lt;&lt; SubBucketBits) + (v &gt;&gt; m). Values below 2^(SubBucketBits+1) map to themselves; each later
    /// octave takes 2^SubBucketBits consecutive indexes.
    /// </summary>
    internal static int IndexOf(long valueNs)
    {
        var log2 = 63 - BitOperations.LeadingZeroCount((ulong)valueNs | 1);
        var shift = Math.Max(0, log2 - SubBucketBits);
        return (shift << SubBucketBits) + (int)(valueNs >> shift);
    }

    internal static long LowestEquivalentValue(int index)
    {
        var shift = Math.Max(0, (index >> SubBucketBits) - 1);
        return (long)(index - (shift << SubBucketBits)) << shift;
    }

    internal static long HighestEquivalentValue(int index)
    {
        var shift = Math.Max(0, (index >> SubBucketBits) - 1);
        return LowestEquivalentValue(index) + (1L << shift) - 1;
    }

    // Min, max and sum are approximated by the bucket's bounds: a drained interval only needs percentiles.
    private void AddBucket(int index, long count)
    {
        _counts[index] += count;
        _totalCount += count;
        var low = LowestEquivalentValue(index);
        _sumNs += low * count;
        _minNs = Math.Min(_minNs, low);
        _maxNs = Math.Max(_maxNs, HighestEquivalentValue(index));
    }
}
