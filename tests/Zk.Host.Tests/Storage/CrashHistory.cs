// Everything the crash children reported, per epoch (each run of the child takes a new epoch), and the check of a
// reopened journal against it: every acknowledged zxid is logged with its exact payload, the log has no gap, and
// what lies beyond the last acknowledgement is a whole number of announced batches. Single-threaded.
using Zk.Host.Storage;
using Zk.JournalCrashChild;

namespace Zk.Host.Tests.Storage;

internal sealed class CrashHistory
{
    private readonly SortedDictionary<long, EpochReport> _epochs = [];
    private long _maxAcceptedEpoch;

    public long TotalSynced { get; private set; }

    /// <summary>The most batches any child had announced but not yet reported durable at one time.</summary>
    public int MaxInFlight { get; private set; }

    private sealed class EpochReport
    {
        public long SyncedCounter;
        public long AnnouncedCounter;

        // Ends of the batches announced and not yet reported durable, oldest first.
        public readonly Queue<long> Unsynced = new();
    }

    /// <summary>Folds one run's stdout in; returns how many txns it reported durable.</summary>
    public long Record(IReadOnlyList<string> lines, string context)
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
                    Assert.Equal(current.AnnouncedCounter + 1, values[0] & 0xffffffff);
                    current.AnnouncedCounter = values[1] & 0xffffffff;
                    current.Unsynced.Enqueue(current.AnnouncedCounter);
                    MaxInFlight = Math.Max(MaxInFlight, current.Unsynced.Count);
                    break;
                case CrashProtocol.Synced:
                    Assert.NotNull(current);
                    // Acknowledgements come in batch order, one per batch.
                    Assert.True(current.Unsynced.TryDequeue(out var end), $"{context}: '{line}' acknowledges no announced batch");
                    Assert.Equal(end, values[0] & 0xffffffff);
                    synced += end - current.SyncedCounter;
                    current.SyncedCounter = end;
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
            // Exactly what was acknowledged, or that plus whole batches that were in flight when the kill came.
            Assert.True(logged == report.SyncedCounter || report.Unsynced.Contains(logged),
                $"{context}: epoch {epoch} has {logged} txns logged; acknowledged {report.SyncedCounter}, " +
                $"in flight up to {string.Join(", ", report.Unsynced)}");
        }
        foreach (var epoch in counters.Keys)
            Assert.True(_epochs.ContainsKey(epoch), $"{context}: txns of epoch {epoch}, which no child announced");

        // currentEpoch is made durable no later than the first batch of its epoch, and acceptedEpoch before any batch.
        var newestLoggedEpoch = counters.Count > 0 ? counters.Keys.Max() : 0;
        Assert.True(journal.CurrentEpoch >= newestLoggedEpoch, $"{context}: currentEpoch {journal.CurrentEpoch} behind logged epoch {newestLoggedEpoch}");
        Assert.True(journal.AcceptedEpoch >= _maxAcceptedEpoch, $"{context}: acceptedEpoch {journal.AcceptedEpoch} behind reported {_maxAcceptedEpoch}");
        Assert.True(journal.CurrentEpoch <= journal.AcceptedEpoch);

        if (_epochs.Count == 0)
            return "nothing reported yet";
        var (newest, last) = _epochs.Last();
        var kept = counters.GetValueOrDefault(newest);
        var keptInFlight = last.Unsynced.Count(end => end <= kept);
        return $"epoch {newest}: {last.SyncedCounter} acknowledged, {kept} logged, " +
               $"{last.Unsynced.Count} batches in flight at the kill, {keptInFlight} of them kept whole";
    }
}
