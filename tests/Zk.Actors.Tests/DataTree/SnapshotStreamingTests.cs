// Specifications of fuzzy snapshots as the actors take them: the data tree actor streams a snapshot in bounded
// chunks, a few in flight, while it keeps applying txns; the snapshot actor writes the chunks as they come and
// publishes the snapshot only when the last one arrives. Loading the chunks and replaying the log after the
// snapshot's start gives the tree exactly. Simulated dispatcher, so every interleaving is deterministic.
using Zk.Actors.Tree;
using Zk.Actors.Journal;
using Zk.Core.Testing;
using Zk.Actors.Kernel;
using Zk.Actors.Kernel.Testing;
using Zk.Actors.Server;
using Zk.Protocol;
using Zk.Protocol.Jute;
using Zk.Protocol.Records;
using TreeT = Zk.Core.DataTree.DataTree;
using Zk.Core.DataTree;
using Zk.Core.DataTree.Snapshot;
using Zk.Core.Storage;

namespace Zk.Actors.Tests.DataTree;

public sealed class SnapshotStreamingTests
{
    private const int BigNodes = 3000;

    /// <summary>Txns built against a reference tree: BigNodes znodes of 100 bytes under /big, then random changes to them.</summary>
    private sealed class Reference
    {
        private readonly TreeHarness _h = new(RandomWorkload.Options, withSessions: false);
        private readonly Random _rng = new(17);

        public List<Txn> Log { get; } = [];

        public TreeT Tree => _h.Tree;

        public List<Txn> Next(OpCode op, Request body)
        {
            var txn = _h.Prepare(op, body);
            _h.Apply(txn);
            Log.Add(txn);
            return [txn];
        }

        public List<Txn> Populate()
        {
            var txns = Next(OpCode.CreateSession, new CreateSessionRequest(30_000, TreeHarness.Password(TreeHarness.S1)));
            txns.AddRange(Next(OpCode.Create, new CreateRequest("/big", null, Acl.OpenAclUnsafe, 0)));
            for (var i = 0; i < BigNodes; i++)
                txns.AddRange(Next(OpCode.Create, new CreateRequest($"/big/n{i:D5}", new byte[100], Acl.OpenAclUnsafe, 0)));
            return txns;
        }

        /// <summary>Deletes, re-creates and rewrites nodes the snapshot may or may not have reached yet.</summary>
        public List<Txn> Churn(int count)
        {
            var txns = new List<Txn>();
            for (var i = 0; i < count; i++)
            {
                var path = $"/big/n{_rng.Next(BigNodes):D5}";
                var body = _rng.Next(3) switch
                {
                    0 => (OpCode.SetData, (Request)new SetDataRequest(path, [(byte)i, 1, 2], -1)),
                    1 when Tree.Exists(path) => (OpCode.Delete, new DeleteRequest(path, -1)),
                    _ when !Tree.Exists(path) => (OpCode.Create, new CreateRequest(path, [9, 9], Acl.OpenAclUnsafe, 0)),
                    _ => (OpCode.Create, new CreateRequest($"/big/new{i}-{_rng.Next()}", [7], Acl.OpenAclUnsafe, 0)),
                };
                txns.AddRange(Next(body.Item1, body.Item2));
            }
            return txns;
        }
    }

    [Fact]
    public void A_snapshot_streams_in_bounded_chunks_while_txns_apply_and_replays_to_the_same_tree()
    {
        var sim = new SimulationDispatcher(3);
        var system = ActorSystem.CreateSimulated("t", sim);
        var snapshots = new TestProbe(system, "snapshots", sim);
        var options = new DataTreeActorOptions(1) { ContainerCheckIntervalMs = 0, SnapCount = 2, Snapshots = snapshots.Ref };
        var tree = system.Spawn("tree", () => new DataTreeActor(new TreeT(RandomWorkload.Options), options, new Random(1)));
        var reference = new Reference();

        tree.Tell(new ApplyTxns(reference.Populate()));
        var begin = snapshots.ExpectMsg<SnapshotBegin>();
        Assert.Equal(reference.Log[^1].Zxid, begin.Zxid);

        var content = new JuteWriter();
        var chunks = 0;
        var inFlight = new Queue<SnapshotChunk>();
        inFlight.Enqueue(snapshots.ExpectMsg<SnapshotChunk>());
        inFlight.Enqueue(snapshots.ExpectMsg<SnapshotChunk>());
        // Two chunks in flight and no more until one is acknowledged, however long the snapshot actor takes.
        snapshots.ExpectNoMsg(TimeSpan.FromSeconds(1));
        while (true)
        {
            var chunk = inFlight.Dequeue();
            Assert.Equal(begin.Zxid, chunk.Zxid);
            Assert.True(chunk.Content.Length < DataTreeActor.SnapshotChunkBytes + 1024, $"a chunk of {chunk.Content.Length} bytes");
            content.WriteRaw(chunk.Content.WrittenSpan);
            chunk.Content.Dispose();
            chunks++;
            if (chunk.Last) break;
            // The tree keeps changing between chunks, as it does in production.
            tree.Tell(new ApplyTxns(reference.Churn(25)));
            tree.Tell(new SnapshotChunkWritten(chunk.Zxid), snapshots.Ref);
            if (inFlight.Count == 0 || !inFlight.Peek().Last)
                inFlight.Enqueue(snapshots.ExpectMsg<SnapshotChunk>(where: c => c.Zxid == begin.Zxid));
        }
        Assert.True(chunks >= 3, $"a tree of {BigNodes} nodes of 100 bytes took only {chunks} chunks");

        var loaded = TreeT.Load(content.WrittenSpan, RandomWorkload.Options);
        Assert.Equal(begin.Zxid, loaded.LastProcessedZxid);
        foreach (var txn in reference.Log.Where(t => t.Zxid > begin.Zxid)) loaded.Apply(txn);
        Assert.Equal(reference.Tree.Digest, loaded.Digest);
        Assert.Equal(loaded.ComputeDigest(), loaded.Digest);
        Assert.Equal(RandomWorkload.Dump(reference.Tree), RandomWorkload.Dump(loaded));
        Assert.True(loaded.ReplayAnomalies > 0, "the churn should have raced the snapshot");
    }

    [Fact]
    public void Replacing_the_tree_aborts_the_snapshot_in_progress()
    {
        var sim = new SimulationDispatcher(4);
        var system = ActorSystem.CreateSimulated("t", sim);
        var snapshots = new TestProbe(system, "snapshots", sim);
        var options = new DataTreeActorOptions(1) { ContainerCheckIntervalMs = 0, SnapCount = 2, Snapshots = snapshots.Ref };
        var tree = system.Spawn("tree", () => new DataTreeActor(new TreeT(RandomWorkload.Options), options, new Random(1)));
        tree.Tell(new ApplyTxns(new Reference().Populate()));
        var begin = snapshots.ExpectMsg<SnapshotBegin>();
        snapshots.ExpectMsg<SnapshotChunk>().Content.Dispose();
        snapshots.ExpectMsg<SnapshotChunk>().Content.Dispose();

        tree.Tell(new ReplaceTree(new TreeT(RandomWorkload.Options)));
        snapshots.ExpectMsg(new SnapshotAbort(begin.Zxid));
        // Acknowledgements of the abandoned snapshot start nothing.
        tree.Tell(new SnapshotChunkWritten(begin.Zxid), snapshots.Ref);
        snapshots.ExpectNoMsg(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void The_snapshot_actor_publishes_a_streamed_snapshot_only_after_its_last_chunk()
    {
        var sim = new SimulationDispatcher(5);
        var system = ActorSystem.CreateSimulated("t", sim);
        var store = new InMemorySnapshotStore();
        var journal = new TestProbe(system, "journal", sim);
        var notify = new TestProbe(system, "notify", sim);
        var tree = new TestProbe(system, "tree", sim);
        var actor = system.Spawn("snapshots", () => new SnapshotActor(store, journal.Ref, 3, notify.Ref));

        actor.Tell(new SnapshotBegin(0x42), tree.Ref);
        actor.Tell(new SnapshotChunk(0x42, Bytes(1, 2, 3), Last: false), tree.Ref);
        tree.ExpectMsg(new SnapshotChunkWritten(0x42));
        Assert.Empty(store.List());
        actor.Tell(new SnapshotChunk(0x42, Bytes(4, 5), Last: true), tree.Ref);
        tree.ExpectMsg(new SnapshotChunkWritten(0x42));
        var saved = notify.ExpectMsg<SnapshotSaved>();
        Assert.Equal(0x42, saved.Zxid);
        var published = Assert.Single(store.List());
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, store.ReadAllBytes(published));
    }

    [Fact]
    public void An_aborted_or_superseded_snapshot_leaves_nothing_behind()
    {
        var sim = new SimulationDispatcher(6);
        var system = ActorSystem.CreateSimulated("t", sim);
        var store = new InMemorySnapshotStore();
        var tree = new TestProbe(system, "tree", sim);
        var actor = system.Spawn("snapshots", () => new SnapshotActor(store, new TestProbe(system, "journal", sim).Ref, 3));

        actor.Tell(new SnapshotBegin(0x10), tree.Ref);
        actor.Tell(new SnapshotChunk(0x10, Bytes(1), Last: false), tree.Ref);
        actor.Tell(new SnapshotAbort(0x10), tree.Ref);
        // A chunk of the aborted snapshot that was already on its way is acknowledged and dropped.
        actor.Tell(new SnapshotChunk(0x10, Bytes(2), Last: true), tree.Ref);
        tree.ExpectMsg(new SnapshotChunkWritten(0x10));
        tree.ExpectMsg(new SnapshotChunkWritten(0x10));
        actor.Tell(new SnapshotBegin(0x20), tree.Ref);
        actor.Tell(new SnapshotChunk(0x20, Bytes(3), Last: false), tree.Ref);
        actor.Tell(new SnapshotBegin(0x30), tree.Ref);
        actor.Tell(new SnapshotChunk(0x30, Bytes(4), Last: true), tree.Ref);
        tree.ExpectMsg(new SnapshotChunkWritten(0x20));
        tree.ExpectMsg(new SnapshotChunkWritten(0x30));

        var published = Assert.Single(store.List());
        Assert.Equal(0x30, published.Zxid);
        Assert.Equal(new byte[] { 4 }, store.ReadAllBytes(published));
        Assert.DoesNotContain(store.Disk.Files.Keys, SnapshotNames.IsTemp);
    }

    private static JuteWriter Bytes(params byte[] bytes)
    {
        var w = new JuteWriter();
        w.WriteRaw(bytes);
        return w;
    }
}
