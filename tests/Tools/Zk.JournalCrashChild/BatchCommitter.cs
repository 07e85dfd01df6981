// The seam between the workload and the journal: "make this batch (and maybe a currentEpoch) durable, then return".
// Today a direct SqliteJournal; when the JournalActor lands, a second implementation sends it the batch and
// waits for its acknowledgement, and Program picks it — the workload does not change. Single-threaded.
using Zk.Actors.Journal;
using Zk.Host.Storage;

namespace Zk.JournalCrashChild;

public interface IBatchCommitter : IDisposable
{
    long LastZxid { get; }

    long AcceptedEpoch { get; }

    void CommitAcceptedEpoch(long epoch);

    /// <summary>Appends the batch and, atomically with it, sets currentEpoch when given; returns once durable.</summary>
    void Commit(IReadOnlyList<(long Zxid, byte[] Payload)> batch, long? currentEpoch);
}

public sealed class DirectJournalCommitter(IJournal journal) : IBatchCommitter
{
    public static DirectJournalCommitter Open(string directory, bool forceSync) =>
        new(SqliteJournal.Open(directory, forceSync));

    public long LastZxid => journal.LastZxid;

    public long AcceptedEpoch => journal.AcceptedEpoch;

    public void CommitAcceptedEpoch(long epoch)
    {
        journal.SetAcceptedEpoch(epoch);
        journal.Sync();
    }

    public void Commit(IReadOnlyList<(long Zxid, byte[] Payload)> batch, long? currentEpoch)
    {
        foreach (var (zxid, payload) in batch)
            journal.Append(zxid, payload);
        if (currentEpoch is { } epoch)
            journal.SetCurrentEpoch(epoch);
        journal.Sync();
    }

    public void Dispose() => journal.Dispose();
}
