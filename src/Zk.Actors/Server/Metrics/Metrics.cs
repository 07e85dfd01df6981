// The three metric kinds of the registry: counters, gauges and histograms with fixed buckets. Thread-safe and
// allocation-free to update (Interlocked on plain fields); any thread may update, the scraper reads a consistent-enough view.
namespace Zk.Actors.Server.Metrics;

/// <summary>A monotonically increasing count (Prometheus "counter"; names end in _total).</summary>
public sealed class Counter
{
    private long _value;

    public long Value => Interlocked.Read(ref _value);

    public void Inc() => Interlocked.Increment(ref _value);

    public void Inc(long by)
    {
        if (by > 0) Interlocked.Add(ref _value, by);
    }
}

/// <summary>A value that goes up and down; stored as the bits of a double so Set is one atomic exchange.</summary>
public sealed class Gauge
{
    private long _bits;

    public double Value => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _bits));

    public void Set(double value) => Interlocked.Exchange(ref _bits, BitConverter.DoubleToInt64Bits(value));

    public void Add(double delta)
    {
        long seen, next;
        do
        {
            seen = Interlocked.Read(ref _bits);
            next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + delta);
        }
        while (Interlocked.CompareExchange(ref _bits, next, seen) != seen);
    }
}

/// <summary>A histogram over fixed upper bounds (ascending, +Inf implied). Observe is a binary search and three
/// atomic adds; bucket counts are kept per bucket and made cumulative only when written out.</summary>
public sealed class Histogram
{
    private readonly double[] _upperBounds;
    private readonly long[] _bucketCounts;
    private long _count;
    private long _sumBits;

    public Histogram(double[] upperBounds)
    {
        for (var i = 1; i < upperBounds.Length; i++)
        {
            if (!(upperBounds[i] > upperBounds[i - 1])) throw new ArgumentException("bucket bounds must ascend strictly", nameof(upperBounds));
        }
        _upperBounds = upperBounds;
        _bucketCounts = new long[upperBounds.Length + 1];
    }

    public ReadOnlySpan<double> UpperBounds => _upperBounds;

    public long Count => Interlocked.Read(ref _count);

    public double Sum => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _sumBits));

    public void Observe(double value)
    {
        var i = Array.BinarySearch(_upperBounds, value);
        // An exact hit belongs to that bucket (le is inclusive); otherwise the first larger bound's bucket.
        if (i < 0) i = ~i;
        Interlocked.Increment(ref _bucketCounts[i]);
        Interlocked.Increment(ref _count);
        long seen, next;
        do
        {
            seen = Interlocked.Read(ref _sumBits);
            next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + value);
        }
        while (Interlocked.CompareExchange(ref _sumBits, next, seen) != seen);
    }

    /// <summary>Cumulative counts per bound, then the +Inf count last (length = bounds + 1).</summary>
    public long[] CumulativeCounts()
    {
        var result = new long[_bucketCounts.Length];
        long running = 0;
        for (var i = 0; i < result.Length; i++)
        {
            running += Interlocked.Read(ref _bucketCounts[i]);
            result[i] = running;
        }
        return result;
    }

    /// <summary>Bucket bounds in seconds for request latency: 100 µs to 10 s.</summary>
    public static double[] LatencySecondsBuckets() =>
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>Bucket bounds in seconds for slow operations (elections, snapshots): 1 ms to 60 s.</summary>
    public static double[] SlowSecondsBuckets() =>
        [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
}
