// Writes the snapshots the data tree takes, keeps the newest N (autopurge.snapRetainCount) and trims the log to
// what they need. A snapshot arrives in chunks (SnapshotBegin, SnapshotChunk…, the last one sealing it) written to an
// ISnapshotWriter as they come, so neither side ever holds a whole snapshot in memory; each chunk is acknowledged so
// the data tree keeps only a few in flight. Blocking file IO: runs on a dedicated thread in production.
using Microsoft.Extensions.Logging;
using Zk.Actors.Tree;
using Zk.Actors.Journal;
using Zk.Actors.Kernel;
using Zk.Core.DataTree;
using Zk.Core.Storage;

namespace Zk.Actors.Server;

public sealed record SnapshotSaved(long Zxid, long SizeBytes, long DurationMs);

/// <summary>Save a snapshot and tell <paramref name="ReplyTo"/> once it is durable (a SNAP sync must not ACK before).</summary>
public sealed record SaveSnapshot(TreeSnapshot Snapshot, ActorRef ReplyTo);

public sealed partial class SnapshotActor(ISnapshotStore store, ActorRef journal, int retainCount, ActorRef? notify = null,
    Metrics.ServerMetrics? metrics = null) : Actor
{
    // The snapshot being streamed: its writer, or null while the chunks of one that is not needed are dropped.
    private ISnapshotWriter? _writer;
    private long _streamZxid = -1;
    private long _streamStarted;

    protected internal override void Receive(object message)
    {
        switch (message)
        {
            case SnapshotBegin b:
                Begin(b.Zxid);
                break;
            case SnapshotChunk c:
                Chunk(c);
                break;
            case SnapshotAbort a:
                if (a.Zxid == _streamZxid) Abandon();
                break;
            case TreeSnapshot s:
                Save(s, notify);
                break;
            case SaveSnapshot s:
                Save(s.Snapshot, s.ReplyTo);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected internal override void PostStop() => Abandon();

    private void Begin(long zxid)
    {
        Abandon();
        _streamZxid = zxid;
        _streamStarted = System.Time.GetTimestamp();
        // A snapshot at or beyond this one already exists (e.g. installed by a SNAP sync): it serves as well.
        if (store.List() is [var newest, ..] && newest.Zxid >= zxid) return;
        _writer = store.BeginWrite(zxid);
    }

    private void Chunk(SnapshotChunk c)
    {
        try
        {
            if (c.Zxid == _streamZxid && _writer is not null) _writer.Content.Write(c.Content.WrittenSpan);
        }
        finally
        {
            c.Content.Dispose();
            Sender?.Tell(new SnapshotChunkWritten(c.Zxid), Self);
        }
        if (!c.Last || c.Zxid != _streamZxid) return;
        var writer = _writer;
        _writer = null;
        _streamZxid = -1;
        if (writer is null) return;
        SnapshotInfo info;
        using (writer) info = writer.Commit();
        Published(info, (long)System.Time.GetElapsedTime(_streamStarted).TotalMilliseconds, notify);
    }

    /// <summary>Drops an unfinished snapshot: the store deletes its temp file, nothing is published.</summary>
    private void Abandon()
    {
        _writer?.Dispose();
        _writer = null;
        _streamZxid = -1;
    }

    private void Save(TreeSnapshot s, ActorRef? replyTo)
    {
        // A snapshot at or beyond this one already exists: it holds committed state too, so it serves as well.
        if (store.List() is [var newest, ..] && newest.Zxid >= s.Zxid)
        {
            replyTo?.Tell(new SnapshotSaved(newest.Zxid, newest.SizeBytes, 0), Self);
            return;
        }
        var started = System.Time.GetTimestamp();
        var info = store.Write(s.Zxid, stream => stream.Write(s.Content));
        Published(info, (long)System.Time.GetElapsedTime(started).TotalMilliseconds, replyTo);
    }

    private void Published(SnapshotInfo info, long ms, ActorRef? replyTo)
    {
        var purged = store.PurgeAllButNewest(Math.Max(SnapshotNames.MinRetainCount, retainCount));
        var all = store.List();
        var oldest = all.Count > 0 ? all[^1] : null;
        // Keep every txn after the oldest retained snapshot, so falling back to it still recovers everything.
        if (oldest is not null && purged.Count > 0) journal.Tell(new PurgeLog(oldest.Zxid + 1), Self);
        LogSnapshotSaved(Log, info.FileName, info.Zxid, info.SizeBytes, ms);
        metrics?.SnapshotWritten(info.Zxid, info.SizeBytes, ms, System.NowMs());
        replyTo?.Tell(new SnapshotSaved(info.Zxid, info.SizeBytes, ms), Self);
    }

    [LoggerMessage(EventId = 7010, Level = LogLevel.Information, Message = "snapshot {File} at 0x{Zxid:x}: {Bytes} bytes in {Ms} ms")]
    private static partial void LogSnapshotSaved(ILogger log, string file, long zxid, long bytes, long ms);
}
