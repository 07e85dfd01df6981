// Group commit in the JournalActor: everything queued in its mailbox when it runs is made durable by one Sync, and
// no append is acknowledged before the Sync that covers it.
using Zk.Actors.Journal;
using Zk.Core.Testing;
using Zk.Actors.Kernel;
using Zk.Actors.Kernel.Testing;
using Zk.Core.Storage;

namespace Zk.Actors.Tests.Journal;

public sealed class JournalActorTests
{
    /// <summary>An InMemoryJournal that counts its syncs and remembers how far each one reached.</summary>
    private sealed class CountingJournal : IJournal
    {
        private readonly InMemoryJournal _inner = new();

        public List<long> Syncs { get; } = [];

        public long FirstZxid => _inner.FirstZxid;

        public long LastZxid => _inner.LastZxid;

        public long LastSyncedZxid => _inner.LastSyncedZxid;

        public long AcceptedEpoch => _inner.AcceptedEpoch;

        public long CurrentEpoch => _inner.CurrentEpoch;

        public void Append(long zxid, ReadOnlySpan<byte> payload) => _inner.Append(zxid, payload);

        public void SetAcceptedEpoch(long epoch) => _inner.SetAcceptedEpoch(epoch);

        public void SetCurrentEpoch(long epoch) => _inner.SetCurrentEpoch(epoch);

        /// <summary>When set, every sync waits for it (after signalling SyncEntered).</summary>
        public ManualResetEventSlim? Gate { get; init; }

        public ManualResetEventSlim SyncEntered { get; } = new(false);

        public void Sync()
        {
            SyncEntered.Set();
            Gate?.Wait(TimeSpan.FromSeconds(30));
            _inner.Sync();
            lock (Syncs) Syncs.Add(_inner.LastSyncedZxid);
        }

        public IEnumerable<JournalEntry> ReadFrom(long afterZxid) => _inner.ReadFrom(afterZxid);

        public void TruncateAfter(long zxid) => _inner.TruncateAfter(zxid);

        public void PurgeBefore(long zxid) => _inner.PurgeBefore(zxid);

        public void Dispose() => _inner.Dispose();
    }

    [Fact]
    public void Appends_queued_while_a_sync_runs_are_made_durable_by_the_next_single_sync_and_acknowledged_once()
    {
        // Production wiring: the journal on its own thread. Its first sync is held until ten more appends are queued
        // behind it; they must then take one sync and one (coalesced) acknowledgement, not ten.
        using var system = ActorSystem.Create("journal");
        var disk = new CountingJournal { Gate = new ManualResetEventSlim(false) };
        var journal = system.Spawn("journal", () => new JournalActor(disk), new ActorOptions(DedicatedThread: true));
        var probe = new TestProbe(system, "leader");
        journal.Tell(Append(probe.Ref, 1, 1));
        Assert.True(disk.SyncEntered.Wait(TimeSpan.FromSeconds(10)), "the first sync never started");
        for (var batch = 0; batch < 10; batch++) journal.Tell(Append(probe.Ref, 2 + (batch * 5), 5));
        disk.Gate.Set();

        Assert.Equal(1, probe.ExpectMsg<Logged>(TimeSpan.FromSeconds(10)).LastZxid);
        Assert.Equal(51, probe.ExpectMsg<Logged>(TimeSpan.FromSeconds(10)).LastZxid);
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal([1L, 51L], disk.Syncs);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void No_append_is_acknowledged_before_a_sync_covers_it_however_the_turns_fall(int seed)
    {
        // The simulated dispatcher ends the journal's turns after a random number of messages: whatever the batches,
        // each turn syncs at most once, acknowledgements only grow, and each one is already durable.
        var sim = new SimulationDispatcher(seed);
        var system = ActorSystem.CreateSimulated("journal", sim);
        var disk = new CountingJournal();
        var journal = system.Spawn("journal", () => new JournalActor(disk));
        var acknowledged = new List<(long Zxid, long SyncedThen)>();
        var leader = new FunctionRef("/journal/leader", (m, _) =>
        {
            if (m is Logged l) acknowledged.Add((l.LastZxid, disk.LastSyncedZxid));
        });
        for (var a = 0; a < 200; a++) journal.Tell(Append(leader, 1 + (a * 3), 3));
        sim.RunUntilIdle();

        Assert.Equal(600, acknowledged[^1].Zxid);
        Assert.All(acknowledged, x => Assert.True(x.Zxid <= x.SyncedThen, $"0x{x.Zxid:x} acknowledged with only 0x{x.SyncedThen:x} synced"));
        Assert.Equal(acknowledged.Select(x => x.Zxid).Order(), acknowledged.Select(x => x.Zxid));
        Assert.True(disk.Syncs.Count < 200, $"{disk.Syncs.Count} syncs for 200 appends: no group commit");
        Assert.Equal(disk.Syncs.Count, acknowledged.Count);
    }

    [Fact]
    public void An_epoch_queued_between_appends_is_acknowledged_in_order_with_them()
    {
        var sim = new SimulationDispatcher(5);
        var system = ActorSystem.CreateSimulated("journal", sim);
        var disk = new CountingJournal();
        var journal = system.Spawn("journal", () => new JournalActor(disk));
        var probe = new TestProbe(system, "leader", sim);
        journal.Tell(new PersistAcceptedEpoch(3, probe.Ref));
        journal.Tell(Append(probe.Ref, 1, 4));
        journal.Tell(new PersistCurrentEpoch(3, probe.Ref));
        journal.Tell(Append(probe.Ref, 5, 2));

        Assert.Equal(3, probe.ExpectMsg<EpochPersisted>().AcceptedEpoch);
        Assert.Equal(4, probe.ExpectMsg<Logged>().LastZxid);
        var current = probe.ExpectMsg<EpochPersisted>();
        Assert.Equal(3, current.CurrentEpoch);
        Assert.Equal(6, probe.ExpectMsg<Logged>().LastZxid);
        Assert.Equal(3, disk.CurrentEpoch);
    }

    private static AppendTxns Append(ActorRef replyTo, long from, int count) =>
        new([.. Enumerable.Range(0, count).Select(i => new JournalEntry(from + i, new byte[] { (byte)i, 1, 2, 3 }))], replyTo);
}
