// The contract every IJournal must meet, written once and run against each implementation (in-memory here,
// SQLite in Zk.Host.Tests), like Akka's JournalSpec. xunit makes a fresh instance — a fresh journal — per test.
using Zk.Core.Storage;

namespace Zk.Core.Testing;

public abstract class JournalContract : IDisposable
{
    private readonly List<IJournal> _opened = [];

    /// <summary>Opens the journal at this test's location; called again after a close, it must see the same state.</summary>
    protected abstract IJournal OpenJournal();

    /// <summary>A process crash: unsynced state is lost. Returns the journal reopened over what survived.</summary>
    protected abstract IJournal CrashAndReopen(IJournal journal);

    /// <summary>Closes the journal, flips one bit of the stored payload of <paramref name="zxid"/> (CRC left stale), reopens.</summary>
    protected abstract IJournal CorruptPayloadAndReopen(IJournal journal, long zxid);

    /// <summary>Closes the journal, damages the stored CRC of <paramref name="zxid"/>, reopens.</summary>
    protected abstract IJournal CorruptCrcAndReopen(IJournal journal, long zxid);

    /// <summary>The name a corruption report must carry.</summary>
    protected abstract string ExpectedFileName { get; }

    protected IJournal Open()
    {
        var journal = OpenJournal();
        _opened.Add(journal);
        return journal;
    }

    protected IJournal Reopen(IJournal journal)
    {
        journal.Dispose();
        return Open();
    }

    protected IJournal Track(IJournal journal)
    {
        _opened.Add(journal);
        return journal;
    }

    public virtual void Dispose()
    {
        foreach (var journal in _opened)
            journal.Dispose();
        GC.SuppressFinalize(this);
    }

    protected static long Z(int epoch, uint counter) => ((long)epoch << 32) | counter;

    protected static byte[] PayloadOf(long zxid, int length = 32)
    {
        var payload = new byte[length];
        new Random((int)(zxid ^ (zxid >> 32))).NextBytes(payload);
        return payload;
    }

    protected static void AppendRange(IJournal journal, int epoch, uint fromCounter, uint toCounter)
    {
        for (var c = fromCounter; c <= toCounter; c++)
            journal.Append(Z(epoch, c), PayloadOf(Z(epoch, c)));
    }

    protected static List<long> Zxids(IJournal journal, long after = 0) => [.. journal.ReadFrom(after).Select(e => e.Zxid)];

    protected static void AssertHoldsExactly(IJournal journal, IEnumerable<long> zxids)
    {
        var expected = zxids.ToList();
        var entries = journal.ReadFrom(0).ToList();
        Assert.Equal(expected, entries.Select(e => e.Zxid));
        foreach (var entry in entries)
            Assert.Equal(PayloadOf(entry.Zxid), entry.Payload.ToArray());
    }

    [Fact]
    public void A_new_journal_is_empty_with_epochs_zero()
    {
        var journal = Open();
        Assert.Equal(0, journal.FirstZxid);
        Assert.Equal(0, journal.LastZxid);
        Assert.Equal(0, journal.LastSyncedZxid);
        Assert.Equal(0, journal.AcceptedEpoch);
        Assert.Equal(0, journal.CurrentEpoch);
        Assert.Empty(journal.ReadFrom(0));
    }

    [Fact]
    public void Appended_entries_read_back_in_zxid_order_with_their_payloads()
    {
        var journal = Open();
        AppendRange(journal, 1, 1, 5);
        journal.Sync();
        AssertHoldsExactly(journal, [Z(1, 1), Z(1, 2), Z(1, 3), Z(1, 4), Z(1, 5)]);
    }

    [Fact]
    public void ReadFrom_returns_only_entries_after_the_given_zxid()
    {
        var journal = Open();
        AppendRange(journal, 1, 1, 5);
        journal.Sync();
        Assert.Equal([Z(1, 4), Z(1, 5)], Zxids(journal, Z(1, 3)));
        Assert.Empty(Zxids(journal, Z(1, 5)));
        Assert.Equal(5, Zxids(journal, 0).Count);
    }

    [Fact]
    public void ReadFrom_sees_appended_entries_before_they_are_synced()
    {
        var journal = Open();
        AppendRange(journal, 1, 1, 2);
        journal.Sync();
        AppendRange(journal, 1, 3, 4);
        Assert.Equal([Z(1, 1), Z(1, 2), Z(1, 3), Z(1, 4)], Zxids(journal));
    }

    [Fact]
    public void LastZxid_follows_appends_and_LastSyncedZxid_follows_syncs()
    {
        var journal = Open();
        AppendRange(journal, 1, 1, 3);
        Assert.Equal(Z(1, 3), journal.LastZxid);
        Assert.Equal(0, journal.LastSyncedZxid);
        Assert.Equal(Z(1, 1), journal.FirstZxid);
        journal.Sync();
        Assert.Equal(Z(1, 3), journal.LastSyncedZxid);
        journal.Append(Z(2, 1), PayloadOf(Z(2, 1)));
        Assert.Equal(Z(2, 1), journal.LastZxid);
        Assert.Equal(Z(1, 3), journal.LastSyncedZxid);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void A_zxid_that_is_not_positive_is_refused(long zxid)
    {
        var journal = Open();
        Assert.Throws<ArgumentOutOfRangeException>(() => journal.Append(zxid, [1]));
    }

    [Fact]
    public void A_zxid_that_does_not_increase_is_refused_synced_or_not()
    {
        var journal = Open();
        AppendRange(journal, 1, 1, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => journal.Append(Z(1, 3), [1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => journal.Append(Z(1, 2), [1]));
        journal.Sync();
        Assert.Throws<ArgumentOutOfRangeException>(() => journal.Append(Z(1, 3), [1]));
        Assert.Equal(Z(1, 3), journal.LastZxid);
    }

    [Fact]
    public void Gaps_between_zxids_are_allowed()
    {
        var journal = Open();
        journal.Append(Z(1, 1), PayloadOf(Z(1, 1)));
        journal.Append(Z(3, 7), PayloadOf(Z(3, 7)));
        journal.Sync();
        AssertHoldsExactly(journal, [Z(1, 1), Z(3, 7)]);
    }

    [Fact]
    public void A_crash_keeps_synced_entries_and_loses_unsynced_ones()
    {
        var journal = Open();
        AppendRange(journal, 1, 1, 3);
        journal.Sync();
        AppendRange(journal, 1, 4, 6);
        journal = CrashAndReopen(journal);
        AssertHoldsExactly(journal, [Z(1, 1), Z(1, 2), Z(1, 3)]);
        Assert.Equal(Z(1, 3), journal.LastZxid);
        Assert.Equal(Z(1, 3), journal.LastSyncedZxid);
    }

    [Fact]
    public void After_a_crash_the_lost_zxids_can_be_appended_again()
    {
        var journal = Open();
        AppendRange(journal, 1, 1, 2);
        journal.Sync();
        AppendRange(journal, 1, 3, 4);
        journal = CrashAndReopen(journal);
        AppendRange(journal, 1, 3, 4);
        journal.Sync();
        AssertHoldsExactly(journal, [Z(1, 1), Z(1, 2), Z(1, 3), Z(1, 4)]);
    }

    [Fact]
    public void Reopening_after_a_close_sees_the_same_entries_and_epochs()
    {
        var journal = Open();
        journal.SetAcceptedEpoch(2);
        journal.SetCurrentEpoch(1);
        AppendRange(journal, 1, 1, 4);
        journal.Sync();
        journal = Reopen(journal);
        AssertHoldsExactly(journal, [Z(1, 1), Z(1, 2), Z(1, 3), Z(1, 4)]);
        Assert.Equal(Z(1, 1), journal.FirstZxid);
        Assert.Equal(Z(1, 4), journal.LastZxid);
        Assert.Equal(Z(1, 4), journal.LastSyncedZxid);
        Assert.Equal(2, journal.AcceptedEpoch);
        Assert.Equal(1, journal.CurrentEpoch);
    }

    [Fact]
    public void Many_entries_in_many_batches_read_back_complete_and_in_order()
    {
        var journal = Open();
        for (uint batch = 0; batch < 20; batch++)
        {
            AppendRange(journal, 1, batch * 150 + 1, batch * 150 + 150);
            journal.Sync();
        }
        Assert.Equal(Enumerable.Range(1, 3000).Select(c => Z(1, (uint)c)), Zxids(journal));
    }

    [Fact]
    public void Appending_while_reading_neither_skips_nor_repeats_entries()
    {
        var journal = Open();
        AppendRange(journal, 1, 1, 1000);
        journal.Sync();
        var seen = new List<long>();
        var next = 1001u;
        foreach (var entry in journal.ReadFrom(0))
        {
            seen.Add(entry.Zxid);
            if (next <= 1500)
                journal.Append(Z(1, next), PayloadOf(Z(1, next++)));
        }
        Assert.Equal(Enumerable.Range(1, 1500).Select(c => Z(1, (uint)c)), seen);
    }

    [Fact]
    public void Empty_and_one_megabyte_payloads_round_trip()
    {
        var journal = Open();
        var big = PayloadOf(99, 1 << 20);
        journal.Append(Z(1, 1), []);
        journal.Append(Z(1, 2), big);
        journal.Sync();
        journal = Reopen(journal);
        var entries = journal.ReadFrom(0).ToList();
        Assert.Empty(entries[0].Payload.ToArray());
        Assert.Equal(big, entries[1].Payload.ToArray());
    }

    [Fact]
    public void Epochs_set_are_invisible_until_synced()
    {
        var journal = Open();
        journal.SetAcceptedEpoch(3);
        journal.SetCurrentEpoch(3);
        Assert.Equal(0, journal.AcceptedEpoch);
        Assert.Equal(0, journal.CurrentEpoch);
        journal.Sync();
        Assert.Equal(3, journal.AcceptedEpoch);
        Assert.Equal(3, journal.CurrentEpoch);
    }

    [Fact]
    public void A_crash_before_sync_loses_the_epochs_set()
    {
        var journal = Open();
        journal.SetAcceptedEpoch(1);
        journal.Sync();
        journal.SetAcceptedEpoch(2);
        journal.SetCurrentEpoch(2);
        journal = CrashAndReopen(journal);
        Assert.Equal(1, journal.AcceptedEpoch);
        Assert.Equal(0, journal.CurrentEpoch);
    }

    [Fact]
    public void Txns_and_the_currentEpoch_set_after_them_become_durable_together()
    {
        // zab.md §6: on NEWLEADER a learner logs the synced txns, then currentEpoch, then ACKs.
        var journal = Open();
        journal.SetAcceptedEpoch(2);
        journal.Sync();
        AppendRange(journal, 1, 1, 3);
        journal.SetCurrentEpoch(2);
        journal = CrashAndReopen(journal);
        Assert.Equal(0, journal.CurrentEpoch);
        Assert.Empty(journal.ReadFrom(0));

        AppendRange(journal, 1, 1, 3);
        journal.SetCurrentEpoch(2);
        journal.Sync();
        journal = CrashAndReopen(journal);
        Assert.Equal(2, journal.CurrentEpoch);
        Assert.Equal(Z(1, 3), journal.LastZxid);
    }

    [Fact]
    public void An_epoch_never_goes_back()
    {
        var journal = Open();
        journal.SetAcceptedEpoch(5);
        journal.SetCurrentEpoch(4);
        journal.Sync();
        Assert.Throws<InvalidOperationException>(() => journal.SetAcceptedEpoch(4));
        Assert.Throws<InvalidOperationException>(() => journal.SetCurrentEpoch(3));
        journal.SetAcceptedEpoch(5);
        journal.SetCurrentEpoch(4);
        journal.Sync();
        Assert.Equal(5, journal.AcceptedEpoch);
    }

    [Fact]
    public void CurrentEpoch_may_not_exceed_acceptedEpoch_even_a_pending_one()
    {
        var journal = Open();
        journal.SetAcceptedEpoch(1);
        Assert.Throws<InvalidOperationException>(() => journal.SetCurrentEpoch(2));
        journal.SetAcceptedEpoch(2);
        journal.SetCurrentEpoch(2);
        journal.Sync();
        Assert.Equal(2, journal.CurrentEpoch);
    }

    [Fact]
    public void TruncateAfter_drops_later_entries_durably()
    {
        var journal = Open();
        AppendRange(journal, 1, 1, 5);
        journal.Sync();
        journal.TruncateAfter(Z(1, 3));
        Assert.Equal(Z(1, 3), journal.LastZxid);
        Assert.Equal(Z(1, 3), journal.LastSyncedZxid);
        journal = CrashAndReopen(journal);
        AssertHoldsExactly(journal, [Z(1, 1), Z(1, 2), Z(1, 3)]);
    }

    [Fact]
    public void TruncateAfter_also_makes_pending_appends_and_epochs_durable()
    {
        var journal = Open();
        AppendRange(journal, 1, 1, 5);
        journal.SetAcceptedEpoch(2);
        journal.TruncateAfter(Z(1, 4));
        Assert.Equal(2, journal.AcceptedEpoch);
        journal = CrashAndReopen(journal);
        AssertHoldsExactly(journal, [Z(1, 1), Z(1, 2), Z(1, 3), Z(1, 4)]);
        Assert.Equal(2, journal.AcceptedEpoch);
    }

    [Fact]
    public void After_TruncateAfter_a_diverged_suffix_can_be_rewritten()
    {
        var journal = Open();
        AppendRange(journal, 1, 1, 5);
        journal.Sync();
        journal.TruncateAfter(Z(1, 2));
        AppendRange(journal, 2, 1, 2);
        journal.Sync();
        AssertHoldsExactly(journal, [Z(1, 1), Z(1, 2), Z(2, 1), Z(2, 2)]);
    }

    [Fact]
    public void TruncateAfter_zero_empties_the_log()
    {
        var journal = Open();
        AppendRange(journal, 1, 1, 3);
        journal.Sync();
        journal.TruncateAfter(0);
        Assert.Equal(0, journal.LastZxid);
        Assert.Equal(0, journal.FirstZxid);
        journal = Reopen(journal);
        Assert.Empty(journal.ReadFrom(0));
    }

    [Fact]
    public void PurgeBefore_drops_older_entries_and_moves_FirstZxid()
    {
        var journal = Open();
        AppendRange(journal, 1, 1, 6);
        journal.Sync();
        journal.PurgeBefore(Z(1, 4));
        Assert.Equal(Z(1, 4), journal.FirstZxid);
        journal = Reopen(journal);
        AssertHoldsExactly(journal, [Z(1, 4), Z(1, 5), Z(1, 6)]);
        Assert.Equal(Z(1, 4), journal.FirstZxid);
        Assert.Equal(Z(1, 6), journal.LastZxid);
    }

    [Fact]
    public void PurgeBefore_never_drops_the_newest_entry()
    {
        var journal = Open();
        AppendRange(journal, 1, 1, 3);
        journal.Sync();
        journal.PurgeBefore(Z(9, 9));
        Assert.Equal(Z(1, 3), journal.LastZxid);
        Assert.Equal(Z(1, 3), journal.FirstZxid);
        journal = CrashAndReopen(journal);
        AssertHoldsExactly(journal, [Z(1, 3)]);
    }

    [Fact]
    public void PurgeBefore_and_TruncateAfter_cut_inside_a_sync_and_across_several()
    {
        var journal = Open();
        for (uint batch = 0; batch < 4; batch++)
        {
            AppendRange(journal, 1, batch * 10 + 1, batch * 10 + 10);
            journal.Sync();
        }
        journal.PurgeBefore(Z(1, 15));
        Assert.Equal(Z(1, 15), journal.FirstZxid);
        journal.TruncateAfter(Z(1, 33));
        Assert.Equal(Z(1, 33), journal.LastZxid);
        journal = CrashAndReopen(journal);
        AssertHoldsExactly(journal, Enumerable.Range(15, 19).Select(c => Z(1, (uint)c)));
        Assert.Equal([Z(1, 31), Z(1, 32), Z(1, 33)], Zxids(journal, Z(1, 30)));
        AppendRange(journal, 2, 1, 2);
        journal.Sync();
        journal.PurgeBefore(Z(2, 1));
        journal = Reopen(journal);
        AssertHoldsExactly(journal, [Z(2, 1), Z(2, 2)]);
    }

    [Fact]
    public void Sync_with_nothing_pending_changes_nothing()
    {
        var journal = Open();
        journal.Sync();
        AppendRange(journal, 1, 1, 1);
        journal.Sync();
        journal.Sync();
        AssertHoldsExactly(journal, [Z(1, 1)]);
    }

    [Fact]
    public void A_flipped_payload_bit_is_reported_with_file_and_zxid_on_read()
    {
        var journal = Open();
        AppendRange(journal, 1, 1, 5);
        journal.Sync();
        journal = Track(CorruptPayloadAndReopen(journal, Z(1, 3)));
        var error = Assert.Throws<JournalCorruptException>(() => journal.ReadFrom(0).ToList());
        Assert.Equal(Z(1, 3), error.Zxid);
        Assert.Equal(ExpectedFileName, error.FileName);
        Assert.Contains("0x100000003", error.Message, StringComparison.Ordinal);
        Assert.Contains(ExpectedFileName, error.Message, StringComparison.Ordinal);
        // Records before the damage are still readable: recovery tools can salvage the prefix.
        Assert.Equal([Z(1, 1), Z(1, 2)], journal.ReadFrom(0).Take(2).Select(e => e.Zxid));
    }

    [Fact]
    public void A_damaged_crc_is_reported_with_file_and_zxid_on_read()
    {
        var journal = Open();
        AppendRange(journal, 1, 1, 5);
        journal.Sync();
        journal = Track(CorruptCrcAndReopen(journal, Z(1, 2)));
        var error = Assert.Throws<JournalCorruptException>(() => journal.ReadFrom(Z(1, 1)).ToList());
        Assert.Equal(Z(1, 2), error.Zxid);
        Assert.Equal(ExpectedFileName, error.FileName);
    }

    [Fact]
    public void A_damaged_newest_record_is_reported_when_the_journal_opens()
    {
        var journal = Open();
        AppendRange(journal, 1, 1, 3);
        journal.Sync();
        var error = Assert.Throws<JournalCorruptException>(() => Track(CorruptPayloadAndReopen(journal, Z(1, 3))));
        Assert.Equal(Z(1, 3), error.Zxid);
    }
}
