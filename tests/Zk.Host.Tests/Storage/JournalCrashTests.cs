// Crash safety with real processes: a child appends group-committed batches to a SqliteJournal and reports each
// durable zxid; the test SIGKILLs it at seeded random moments, reopens the journal and checks that nothing
// reported is lost, the log is contiguous, and an unreported batch is there whole or not at all.
// ZK_CRASH_SEED picks another seed; the seed and round are in every failure message.
using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;
using Zk.Host.Storage;
using Zk.JournalCrashChild;

namespace Zk.Host.Tests.Storage;

public sealed class JournalCrashTests(ITestOutputHelper output) : IDisposable
{
    private const int Rounds = 24;
    private const int MaxBatch = 300;
    private const int DefaultSeed = 20250611;

    private readonly TempDirectory _dir = new("zk-crash-");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Every_zxid_reported_durable_survives_SIGKILL_at_random_moments()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ZK_CRASH_SEED"), CultureInfo.InvariantCulture, out var s) ? s : DefaultSeed;
        var random = new Random(seed);
        var history = new CrashHistory();
        var roundsWithProgress = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var context = $"seed {seed}, round {round}";
            output.WriteLine($"{context}: starting");
            var lines = await RunChildAndKill(random, context);

            var synced = history.Record(lines, context);
            roundsWithProgress += synced > 0 ? 1 : 0;
            using var journal = SqliteJournal.Open(_dir.Path);
            output.WriteLine($"{context}: {history.Verify(journal, context)}");
        }
        // Guard against a test that passes because the child never got going.
        Assert.True(roundsWithProgress >= Rounds / 2, $"only {roundsWithProgress} of {Rounds} rounds made durable progress (seed {seed})");
        Assert.True(history.TotalSynced > 10_000, $"only {history.TotalSynced} txns were reported durable (seed {seed})");
    }

    private async Task<List<string>> RunChildAndKill(Random random, string context)
    {
        var childSeed = random.Next();
        var killDuringStartup = random.Next(6) == 0;
        var killDelayMs = killDuringStartup ? random.Next(0, 250) : random.Next(0, 400);
        using var child = StartChild(childSeed);
        var lines = new List<string>();
        var accepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = Task.Run(async () =>
        {
            while (await child.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (lines)
                    lines.Add(line);
                if (line.StartsWith(CrashProtocol.Accepted, StringComparison.Ordinal))
                    accepted.TrySetResult();
            }
            accepted.TrySetResult();
        });
        var stderr = child.StandardError.ReadToEndAsync();
        if (!killDuringStartup)
            await accepted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(killDelayMs);
        if (child.HasExited)
            Assert.Fail($"{context}: the child exited by itself with code {child.ExitCode}: {await stderr}");
        child.Kill();   // SIGKILL on Unix: no finally blocks, no flush, no close.
        await child.WaitForExitAsync();
        await reader;
        await stderr;
        return lines;
    }

    private Process StartChild(int seed)
    {
        var childDll = Path.Combine(AppContext.BaseDirectory, "Zk.JournalCrashChild.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { childDll, "crash", _dir.Path, seed.ToString(CultureInfo.InvariantCulture), MaxBatch.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(arg);
        return Process.Start(start) ?? throw new InvalidOperationException("could not start the crash child");
    }
}

/// <summary>Everything the children reported, per epoch (each run of the child takes a new epoch).</summary>
internal sealed class CrashHistory
{
    private readonly SortedDictionary<long, EpochReport> _epochs = [];
    private long _maxAcceptedEpoch;

    public long TotalSynced { get; private set; }

    private sealed class EpochReport
    {
        public long SyncedCounter;
        public long AnnouncedCounter;
    }

    /// <summary>Folds one run's stdout in; returns how many txns it reported durable.</summary>
    public long Record(List<string> lines, string context)
    {
        EpochReport? current = null;
        long epoch = 0, synced = 0;
        foreach (var line in lines)
        {
            Assert.True(CrashProtocol.TryParse(line, out var kind, out var values), $"{context}: unparsable line '{line}'");
            switch (kind)
            {
                case CrashProtocol.Accepted:
                    epoch = values[0];
                    Assert.True(epoch > _maxAcceptedEpoch, $"{context}: epoch {epoch} reused");
                    _maxAcceptedEpoch = epoch;
                    current = _epochs[epoch] = new EpochReport();
                    break;
                case CrashProtocol.Batch:
                    Assert.NotNull(current);
                    Assert.Equal(epoch, values[1] >>> 32);
                    Assert.Equal(current.SyncedCounter + 1, values[0] & 0xffffffff);
                    current.AnnouncedCounter = values[1] & 0xffffffff;
                    break;
                case CrashProtocol.Synced:
                    Assert.NotNull(current);
                    Assert.Equal(current.AnnouncedCounter, values[0] & 0xffffffff);
                    synced += current.AnnouncedCounter - current.SyncedCounter;
                    current.SyncedCounter = current.AnnouncedCounter;
                    break;
            }
        }
        TotalSynced += synced;
        return synced;
    }

    /// <summary>Checks the reopened journal against every report so far; describes the newest epoch.</summary>
    public string Verify(SqliteJournal journal, string context)
    {
        var counters = new SortedDictionary<long, long>();
        var previous = 0L;
        foreach (var entry in journal.ReadFrom(0))
        {
            Assert.True(entry.Zxid > previous, $"{context}: zxid 0x{entry.Zxid:x} out of order");
            previous = entry.Zxid;
            var epoch = entry.Zxid >>> 32;
            var counter = entry.Zxid & 0xffffffff;
            var expectedCounter = counters.GetValueOrDefault(epoch) + 1;
            Assert.True(counter == expectedCounter, $"{context}: gap in epoch {epoch}: expected counter {expectedCounter}, found {counter}");
            counters[epoch] = counter;
            Assert.True(CrashProtocol.PayloadFor(entry.Zxid).AsSpan().SequenceEqual(entry.Payload.Span), $"{context}: wrong payload at 0x{entry.Zxid:x}");
        }
        Assert.Equal(previous, journal.LastZxid);

        foreach (var (epoch, report) in _epochs)
        {
            var logged = counters.GetValueOrDefault(epoch);
            // Either exactly what was reported, or that plus the whole batch in flight when the kill came.
            Assert.True(logged == report.SyncedCounter || logged == report.AnnouncedCounter,
                $"{context}: epoch {epoch} has {logged} txns logged; reported durable {report.SyncedCounter}, announced {report.AnnouncedCounter}");
        }
        foreach (var epoch in counters.Keys)
            Assert.True(_epochs.ContainsKey(epoch), $"{context}: txns of epoch {epoch}, which no child announced");

        // currentEpoch is committed with the first batch of its epoch, and acceptedEpoch before any batch.
        var newestLoggedEpoch = counters.Count > 0 ? counters.Keys.Max() : 0;
        Assert.True(journal.CurrentEpoch >= newestLoggedEpoch, $"{context}: currentEpoch {journal.CurrentEpoch} behind logged epoch {newestLoggedEpoch}");
        Assert.True(journal.AcceptedEpoch >= _maxAcceptedEpoch, $"{context}: acceptedEpoch {journal.AcceptedEpoch} behind reported {_maxAcceptedEpoch}");
        Assert.True(journal.CurrentEpoch <= journal.AcceptedEpoch);

        if (_epochs.Count == 0)
            return "nothing reported yet";
        var (newest, last) = _epochs.Last();
        var kept = counters.GetValueOrDefault(newest);
        var inFlight = last.AnnouncedCounter == last.SyncedCounter ? "none" : kept == last.AnnouncedCounter ? "kept whole" : "lost whole";
        return $"epoch {newest}: {last.SyncedCounter} reported durable, {kept} logged, batch in flight at the kill: {inFlight}";
    }
}
