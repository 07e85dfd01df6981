// The data tree actor's snapshots. Every snapCount-ish txns a fuzzy snapshot is streamed to the SnapshotActor in
// chunks of about SnapshotChunkBytes, written between the actor's other messages: the next chunk is written when
// the snapshot actor acknowledges one, so reads and writes are never held up for more than one chunk and at most
// MaxChunksInFlight chunks exist at once (a snapshot of a large tree used to block this actor for seconds and park
// its buffers in the array pool). The SNAP sync of a learner still takes a consistent snapshot in one turn.
// Same thread as the rest of the actor.
using Zk.Protocol.Jute;
using Zk.Core.DataTree;
using Zk.Core.DataTree.Snapshot;

namespace Zk.Actors.Tree;

public sealed partial class DataTreeActor
{
    /// <summary>The size a chunk is cut at (a node with big data may make one larger).</summary>
    internal const int SnapshotChunkBytes = 128 * 1024;

    private const int MaxChunksInFlight = 2;

    // Nodes written between two checks of the chunk's size.
    private const int NodesPerStep = 64;

    private TreeSnapshotWriter? _snapshot;
    private int _chunksInFlight;
    private int _sinceSnapshot;
    private int _snapshotAfter;

    // Randomised like ZooKeeper's, so the servers of an ensemble do not all snapshot at the same moment.
    private int NextSnapshotThreshold() => Math.Max(1, _options.SnapCount / 2 + _random.Next(Math.Max(1, _options.SnapCount / 2)));

    private void MaybeSnapshot(int applied)
    {
        if (_options.Snapshots is null) return;
        _sinceSnapshot += applied;
        // One snapshot at a time; the count keeps running, so the next one starts as soon as this one is done.
        if (_sinceSnapshot < _snapshotAfter || _snapshot is not null) return;
        _sinceSnapshot = 0;
        _snapshotAfter = NextSnapshotThreshold();
        _snapshot = new TreeSnapshotWriter(_tree);
        _options.Snapshots.Tell(new SnapshotBegin(_snapshot.StartZxid), Self);
        WriteChunks();
    }

    private void ChunkWritten(SnapshotChunkWritten w)
    {
        if (_snapshot is null || w.Zxid != _snapshot.StartZxid) return;
        _chunksInFlight--;
        WriteChunks();
    }

    private void WriteChunks()
    {
        while (_snapshot is { } snapshot && _chunksInFlight < MaxChunksInFlight)
        {
            // A chunk's buffer comes from the shared pool and goes back to it once written (buffers up to 1 MiB are pooled).
            var chunk = new JuteWriter(SnapshotChunkBytes + SnapshotChunkBytes / 4);
            var done = false;
            while (!done && chunk.Length < SnapshotChunkBytes) done = snapshot.WriteSome(chunk, NodesPerStep);
            _chunksInFlight++;
            if (done)
            {
                _snapshot = null;
                _chunksInFlight = 0;
            }
            _options.Snapshots!.Tell(new SnapshotChunk(snapshot.StartZxid, chunk, done), Self);
        }
    }

    /// <summary>The tree this snapshot walks is being replaced: the snapshot can no longer be finished.</summary>
    private void AbortSnapshot()
    {
        if (_snapshot is null) return;
        _options.Snapshots?.Tell(new SnapshotAbort(_snapshot.StartZxid), Self);
        _snapshot = null;
        _chunksInFlight = 0;
    }

    /// <summary>A consistent snapshot for a SNAP sync: written in one turn, so no txn is applied while it is taken.</summary>
    private byte[] SerializeTree()
    {
        using var w = new JuteWriter(64 * 1024);
        var writer = new TreeSnapshotWriter(_tree);
        while (!writer.WriteSome(w, int.MaxValue)) { }
        return w.ToArray();
    }
}
