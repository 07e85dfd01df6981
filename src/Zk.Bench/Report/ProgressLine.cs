// The live progress line on stderr: phase, elapsed seconds, ops/s and p99 of the last interval, errors so far.
// One background task per run; it only reads the drivers' counters and takes the shared recorder's intervals.
using System.Diagnostics;
using System.Globalization;
using HdrHistogram;
using Zk.Bench.Metrics;
using Zk.Bench.Runner;

namespace Zk.Bench.Report;

public sealed class ProgressLine : IAsyncDisposable
{
    private readonly RunControl _control;
    private readonly Func<IReadOnlyList<DriverStats>> _stats;
    private readonly string _label;
    private readonly TextWriter _out;
    private readonly bool _overwrite;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly long _startTicks = Stopwatch.GetTimestamp();

    /// <param name="interval">How often a line is printed; on a terminal the line is rewritten in place.</param>
    public ProgressLine(string label, RunControl control, Func<IReadOnlyList<DriverStats>> stats, TextWriter output, TimeSpan interval)
    {
        _label = label;
        _control = control;
        _stats = stats;
        _out = output;
        _overwrite = ReferenceEquals(output, Console.Error) && !Console.IsErrorRedirected;
        _loop = LoopAsync(interval);
    }

    public static string Format(string label, RunPhase phase, double elapsedS, double opsPerS, long p99Ns, long errors) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{label} [{PhaseName(phase)}] {elapsedS,6:F1}s  {opsPerS,10:N0} ops/s  p99 {TableFormat.Latency(p99Ns / 1e3),9}  errors {errors:N0}");

    public async ValueTask DisposeAsync()
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
        if (_overwrite) await _out.WriteLineAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private static string PhaseName(RunPhase phase) => phase switch
    {
        RunPhase.Warmup => "warm-up",
        RunPhase.Measure => "measure",
        _ => "drain",
    };

    private async Task LoopAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        HistogramBase? window = null;
        long lastCompleted = 0;
        var lastTicks = Stopwatch.GetTimestamp();
        while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
        {
            var now = Stopwatch.GetTimestamp();
            long completed = 0, errors = 0;
            foreach (var s in _stats())
            {
                completed += s.AllCompleted;
                errors += s.Errors;
            }
            // The recorder hands back the previous interval's histogram to fill again.
            window = window is null ? _control.Interval.GetIntervalHistogram() : _control.Interval.GetIntervalHistogram(window);
            var seconds = Math.Max(1e-9, Stopwatch.GetElapsedTime(lastTicks, now).TotalSeconds);
            var line = Format(_label, _control.Phase, Stopwatch.GetElapsedTime(_startTicks, now).TotalSeconds,
                (completed - lastCompleted) / seconds, Latency.PercentileNs(window, 99), errors);
            if (_overwrite) await _out.WriteAsync("\r" + line + "  ").ConfigureAwait(false);
            else await _out.WriteLineAsync(line).ConfigureAwait(false);
            lastCompleted = completed;
            lastTicks = now;
        }
    }
}
