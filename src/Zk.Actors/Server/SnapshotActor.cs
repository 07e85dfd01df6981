// Writes snapshots the data tree took, keeps the newest N (autopurge.snapRetainCount) and trims the log to
// what they need. Blocking file IO: runs on a dedicated thread in production.
using Microsoft.Extensions.Logging;
using Zk.Actors.DataTree;
using Zk.Actors.Journal;
using Zk.Actors.Kernel;

namespace Zk.Actors.Server;

public sealed record SnapshotSaved(long Zxid, long SizeBytes, long DurationMs);

/// <summary>Save a snapshot and tell <paramref name="ReplyTo"/> once it is durable (a SNAP sync must not ACK before).</summary>
public sealed record SaveSnapshot(TreeSnapshot Snapshot, ActorRef ReplyTo);

public sealed partial class SnapshotActor(ISnapshotStore store, ActorRef journal, int retainCount, ActorRef? notify = null,
    Metrics.ServerMetrics? metrics = null) : Actor
{
    protected internal override void Receive(object message)
    {
        switch (message)
        {
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
        var purged = store.PurgeAllButNewest(Math.Max(SnapshotNames.MinRetainCount, retainCount));
        var all = store.List();
        var oldest = all.Count > 0 ? all[^1] : null;
        // Keep every txn after the oldest retained snapshot, so falling back to it still recovers everything.
        if (oldest is not null && purged.Count > 0) journal.Tell(new PurgeLog(oldest.Zxid + 1), Self);
        var ms = (long)System.Time.GetElapsedTime(started).TotalMilliseconds;
        LogSnapshotSaved(Log, info.FileName, info.Zxid, info.SizeBytes, ms);
        metrics?.SnapshotWritten(info.Zxid, info.SizeBytes, ms, System.NowMs());
        replyTo?.Tell(new SnapshotSaved(info.Zxid, info.SizeBytes, ms), Self);
    }

    [LoggerMessage(EventId = 7010, Level = LogLevel.Information, Message = "snapshot {File} at 0x{Zxid:x}: {Bytes} bytes in {Ms} ms")]
    private static partial void LogSnapshotSaved(ILogger log, string file, long zxid, long bytes, long ms);
}
