// The server's own path to disk: a production ActorSystem (thread pool, real time) with the JournalActor on its
// dedicated thread over a SqliteJournal, exactly as ServerNode spawns it. Batches go in as AppendTxns (after a
// PersistCurrentEpoch when one is due) without waiting, so several can be in the journal's mailbox and share an
// fsync (group commit); a batch is durable once a cumulative Logged ack reaches its last zxid. Submit from one
// thread; acks arrive on the journal's thread.
using Zk.Actors.Journal;
using Zk.Actors.Kernel;
using Zk.Host.Storage;
using Zk.Core.Storage;

namespace Zk.JournalCrashChild;

public sealed class ActorJournalCommitter : IBatchCommitter
{
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(60);

    private readonly ActorSystem _system;
    private readonly ActorRef _journal;
    private readonly FunctionRef _acks;
    private readonly Queue<(long LastZxid, TaskCompletionSource Durable)> _waiting = new();
    private long _durableZxid;

    private ActorJournalCommitter(ActorSystem system, ActorRef journal)
    {
        _system = system;
        _journal = journal;
        _acks = new FunctionRef($"/{system.Name}/crash-child-acks", (message, _) =>
        {
            if (message is Logged logged) OnLogged(logged.LastZxid);
        });
        var state = Ask<JournalState>(reply => new GetJournalState(reply));
        LastZxid = state.LastZxid;
        AcceptedEpoch = state.AcceptedEpoch;
        _durableZxid = state.LastZxid;
    }

    public static ActorJournalCommitter Open(string directory, bool forceSync)
    {
        var journal = SqliteJournal.Open(directory, forceSync);
        var system = ActorSystem.Create("journal-crash-child");
        var actor = system.Spawn("journal", () => new JournalActor(journal), new ActorOptions(DedicatedThread: true));
        return new ActorJournalCommitter(system, actor);
    }

    /// <summary>As recovered when opened, then the last zxid submitted.</summary>
    public long LastZxid { get; private set; }

    public long AcceptedEpoch { get; private set; }

    public void CommitAcceptedEpoch(long epoch)
    {
        var persisted = Ask<EpochPersisted>(reply => new PersistAcceptedEpoch(epoch, reply));
        if (persisted.AcceptedEpoch < epoch)
            throw new InvalidOperationException($"the journal acknowledged acceptedEpoch {persisted.AcceptedEpoch}, not {epoch}");
        AcceptedEpoch = epoch;
    }

    public Task SubmitAsync(IReadOnlyList<(long Zxid, byte[] Payload)> batch, long? currentEpoch)
    {
        var entries = batch.Select(e => new JournalEntry(e.Zxid, e.Payload)).ToList();
        var last = entries[^1].Zxid;
        var durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiting) _waiting.Enqueue((last, durable));
        // The epoch first: a crash between the two syncs then leaves currentEpoch ahead of the log, never behind it.
        if (currentEpoch is { } epoch) _journal.Tell(new PersistCurrentEpoch(epoch, _acks), _acks);
        _journal.Tell(new AppendTxns(entries, _acks), _acks);
        LastZxid = last;
        return durable.Task.WaitAsync(AckTimeout);
    }

    public void Dispose()
    {
        // A clean stop: the journal syncs and closes in PostStop, after the messages already queued.
        _system.GracefulStopAsync(_journal, AckTimeout).GetAwaiter().GetResult();
        _system.Dispose();
    }

    // Logged is cumulative (the journal may coalesce acks): every batch up to its zxid is durable. An ack that goes
    // back fails every waiting batch (on the workload's thread, not the journal's): the child then exits loudly.
    private void OnLogged(long lastZxid)
    {
        var done = new List<TaskCompletionSource>();
        Exception? wrong = null;
        lock (_waiting)
        {
            if (lastZxid < _durableZxid) wrong = new InvalidOperationException($"Logged went back from 0x{_durableZxid:x} to 0x{lastZxid:x}");
            else _durableZxid = lastZxid;
            while (_waiting.Count > 0 && (wrong is not null || _waiting.Peek().LastZxid <= lastZxid)) done.Add(_waiting.Dequeue().Durable);
        }
        foreach (var d in done)
        {
            if (wrong is null) d.TrySetResult();
            else d.TrySetException(wrong);
        }
    }

    private T Ask<T>(Func<ActorRef, object> message) =>
        _system.Ask<T>(_journal, message, AckTimeout).GetAwaiter().GetResult();
}
