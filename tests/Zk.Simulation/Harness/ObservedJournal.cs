// An IJournal that forwards to a server's InMemoryJournal and shows every durable-state change to the run's
// checker: appends (one txn per zxid), syncs (epochs on disk), truncations (never of a committed txn).
// Called by the server's JournalActor only, like any IJournal.
using Zk.Actors.Journal;
using Zk.Core.Testing;
using Zk.Simulation.Checking;
using Zk.Core.Storage;

namespace Zk.Simulation.Harness;

internal sealed class ObservedJournal(int serverId, InMemoryJournal inner, ClusterChecker checker) : IJournal
{
    public InMemoryJournal Inner => inner;

    public long FirstZxid => inner.FirstZxid;

    public long LastZxid => inner.LastZxid;

    public long LastSyncedZxid => inner.LastSyncedZxid;

    public long AcceptedEpoch => inner.AcceptedEpoch;

    public long CurrentEpoch => inner.CurrentEpoch;

    public void Append(long zxid, ReadOnlySpan<byte> payload)
    {
        checker.Logging(serverId, zxid, payload);
        inner.Append(zxid, payload);
    }

    public void SetAcceptedEpoch(long epoch) => inner.SetAcceptedEpoch(epoch);

    public void SetCurrentEpoch(long epoch) => inner.SetCurrentEpoch(epoch);

    public void Sync()
    {
        inner.Sync();
        checker.Synced(serverId, inner.Disk);
    }

    public IEnumerable<JournalEntry> ReadFrom(long afterZxid) => inner.ReadFrom(afterZxid);

    public void TruncateAfter(long zxid)
    {
        var dropped = inner.ReadFrom(zxid).Select(e => e.Zxid).ToList();
        inner.TruncateAfter(zxid);
        checker.Synced(serverId, inner.Disk);
        checker.Truncated(serverId, zxid, dropped, inner.Disk);
    }

    public void PurgeBefore(long zxid)
    {
        inner.PurgeBefore(zxid);
        checker.Synced(serverId, inner.Disk);
        checker.Purged(serverId, inner.Disk);
    }

    public void Dispose() => inner.Dispose();
}
