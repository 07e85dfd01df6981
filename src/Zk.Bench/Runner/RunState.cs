// The state one run shares between its drivers and the progress line: the phase, the operation budget and each
// driver's counters. Each DriverStats has one writer (its driver); the progress line only reads.
using System.Diagnostics;
using HdrHistogram;
using Zk.Bench.Metrics;

namespace Zk.Bench.Runner;

public enum RunPhase
{
    Warmup = 0,
    Measure = 1,
    Stopping = 2,
}

public sealed class RunControl
{
    private readonly TaskCompletionSource _budgetExhausted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _phase;
    private long _budget;

    public RunControl(long? maxOps)
    {
        _budget = maxOps ?? long.MaxValue;
    }

    public RunPhase Phase => (RunPhase)Volatile.Read(ref _phase);

    /// <summary>Completes when a run with --ops has handed out its last measured operation.</summary>
    public Task BudgetExhausted => _budgetExhausted.Task;

    /// <summary>Latencies of every phase, from every driver; the progress line takes one interval at a time.</summary>
    public Recorder Interval { get; } = Latency.NewIntervalRecorder();

    public long MeasureStartTicks { get; private set; }

    public void StartMeasuring()
    {
        MeasureStartTicks = Stopwatch.GetTimestamp();
        Volatile.Write(ref _phase, (int)RunPhase.Measure);
    }

    public void Stop() => Volatile.Write(ref _phase, (int)RunPhase.Stopping);

    /// <summary>Takes one measured operation from the budget; false (and the budget stays spent) once it is gone.</summary>
    public bool TryTakeBudget()
    {
        if (_budget == long.MaxValue) return true;
        var left = Interlocked.Decrement(ref _budget);
        if (left == 0) _budgetExhausted.TrySetResult();
        return left >= 0;
    }
}

public sealed class DriverStats
{
    private static readonly double NsPerTick = 1e9 / Stopwatch.Frequency;

    private long _allCompleted;
    private long _errors;

    /// <summary>Operations issued in the measured phase.</summary>
    public long Issued { get; set; }

    /// <summary>Measured operations that succeeded.</summary>
    public long Completed { get; set; }

    /// <summary>Measured operations that failed: an error reply, a bad reply, a lost connection, a drain time-out.</summary>
    public long Errors => Volatile.Read(ref _errors);

    /// <summary>Operations of any phase that got a reply, for the live ops/s.</summary>
    public long AllCompleted => Volatile.Read(ref _allCompleted);

    /// <summary>Watch notifications received during the measured phase.</summary>
    public long WatchEvents { get; set; }

    public Dictionary<string, long> ErrorsByKind { get; } = new(StringComparer.Ordinal);

    /// <summary>Latencies of the measured phase; written by this driver only.</summary>
    public LongHistogram Latency { get; } = Metrics.Latency.NewHistogram();

    public static long ElapsedNs(long startTicks, long endTicks) => (long)((endTicks - startTicks) * NsPerTick);

    public void RecordSuccess(bool measured, long latencyNs, RunControl control)
    {
        Volatile.Write(ref _allCompleted, _allCompleted + 1);
        control.Interval.RecordNs(latencyNs);
        if (!measured) return;
        Completed++;
        Latency.RecordNs(latencyNs);
    }

    public void RecordError(bool measured, string kind, long count = 1)
    {
        if (!measured || count <= 0) return;
        Volatile.Write(ref _errors, _errors + count);
        ErrorsByKind[kind] = ErrorsByKind.GetValueOrDefault(kind) + count;
    }

    /// <summary>An error reply still counts toward the live ops/s: the server did answer it.</summary>
    public void RecordErrorReply(bool measured, string kind)
    {
        Volatile.Write(ref _allCompleted, _allCompleted + 1);
        RecordError(measured, kind);
    }
}
