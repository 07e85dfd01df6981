// The seam between the workload and the journal: "make this batch (and maybe a currentEpoch) durable". Two
// implementations: the JournalActor as the server runs it (ActorJournalCommitter, the crash test's), and a bare
// SqliteJournal driven inline (DirectJournalCommitter), kept as the benchmark's baseline for the actor's cost.
// The workload calls from one thread; completions may come from the journal's.
using Zk.Actors.Journal;
using Zk.Host.Storage;
using Zk.Core.Storage;

namespace Zk.JournalCrashChild;

public interface IBatchCommitter : IDisposable
{
    long LastZxid { get; }

    long AcceptedEpoch { get; }

    /// <summary>Sets acceptedEpoch; returns once it is durable.</summary>
    void CommitAcceptedEpoch(long epoch);

    /// <summary>
    /// Submits the batch and, when given, a currentEpoch that is durable no later than the batch. The task completes
    /// once the batch and everything submitted before it are durable. The caller may reuse its list at once.
    /// </summary>
    Task SubmitAsync(IReadOnlyList<(long Zxid, byte[] Payload)> batch, long? currentEpoch);
}

/// <summary>SqliteJournal driven inline: append, set the epoch, one Sync; durable when SubmitAsync returns.</summary>
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

    public Task SubmitAsync(IReadOnlyList<(long Zxid, byte[] Payload)> batch, long? currentEpoch)
    {
        foreach (var (zxid, payload) in batch)
            journal.Append(zxid, payload);
        if (currentEpoch is { } epoch)
            journal.SetCurrentEpoch(epoch);
        journal.Sync();
        return Task.CompletedTask;
    }

    public void Dispose() => journal.Dispose();
}
