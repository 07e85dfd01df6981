// Runs the journal contract against InMemoryJournal, plus what only the simulated disk can do (fsync failure).
using Zk.Core.Testing;
using Zk.Core.Storage;

namespace Zk.Core.Tests.Storage;

public sealed class InMemoryJournalTests : JournalContract
{
    private readonly InMemoryDisk _disk = new("server-1");

    protected override string ExpectedFileName => "server-1/journal";

    protected override IJournal OpenJournal() => new InMemoryJournal(_disk);

    protected override IJournal CrashAndReopen(IJournal journal)
    {
        ((InMemoryJournal)journal).Crash();
        return Track(new InMemoryJournal(_disk));
    }

    protected override IJournal CorruptPayloadAndReopen(IJournal journal, long zxid)
    {
        journal.Dispose();
        _disk.FlipJournalPayloadBit(zxid);
        return new InMemoryJournal(_disk);
    }

    protected override IJournal CorruptCrcAndReopen(IJournal journal, long zxid)
    {
        journal.Dispose();
        _disk.FlipJournalCrcBit(zxid);
        return new InMemoryJournal(_disk);
    }

    [Fact]
    public void A_new_journal_over_the_same_disk_sees_only_synced_state()
    {
        var journal = (InMemoryJournal)Open();
        AppendRange(journal, 1, 1, 2);
        journal.SetAcceptedEpoch(1);
        journal.Sync();
        AppendRange(journal, 1, 3, 3);
        journal.SetAcceptedEpoch(2);
        var restarted = Track(new InMemoryJournal(_disk));
        AssertHoldsExactly(restarted, [Z(1, 1), Z(1, 2)]);
        Assert.Equal(1, restarted.AcceptedEpoch);
    }

    [Fact]
    public void A_failed_fsync_persists_nothing_and_stops_the_journal()
    {
        var journal = Open();
        AppendRange(journal, 1, 1, 2);
        journal.Sync();
        AppendRange(journal, 1, 3, 4);
        _disk.FailNextSync = true;
        Assert.Throws<IOException>(journal.Sync);
        Assert.Throws<InvalidOperationException>(() => journal.Append(Z(1, 5), [1]));
        journal = CrashAndReopen(journal);
        AssertHoldsExactly(journal, [Z(1, 1), Z(1, 2)]);
    }
}
