// Start-up: the newest valid snapshot, then the log after it. A corrupt record stops start-up with the file and
// zxid named; a corrupt snapshot is skipped only when the log still holds every txn after an older one, so
// nothing acknowledged is ever silently lost. Runs before any actor starts; single-threaded.
using Microsoft.Extensions.Logging;
using Zk.Core.DataTree;
using Zk.Core.DataTree.Snapshot;
using Zk.Core.Storage;

namespace Zk.Core.Storage;

/// <summary>Log holds every logged txn after the snapshot, applied to Tree or not (see applyLog).</summary>
public sealed record RecoveredState(DataTree.DataTree Tree, long LastLoggedZxid, long SnapshotZxid, IReadOnlyList<Zab.HistoryEntry> Log);

public sealed class RecoveryException(string message, Exception? inner = null) : Exception(message, inner);

public static partial class Recovery
{
    /// <param name="applyLog">True for a standalone server, whose every logged txn is committed. An ensemble member
    /// keeps the log after the snapshot unapplied until a leader confirms it (applied state = committed prefix).</param>
    public static RecoveredState Load(ISnapshotStore snapshots, IJournal journal, DataTreeOptions options, bool applyLog, ILogger log)
    {
        var (tree, snapshotZxid) = LoadNewestSnapshot(snapshots, journal, options, log);
        var logged = new List<Zab.HistoryEntry>();
        long last = snapshotZxid;
        try
        {
            foreach (var entry in journal.ReadFrom(snapshotZxid))
            {
                var txn = TxnCodec.Decode(entry.Payload.Span);
                if (txn.Zxid != entry.Zxid)
                    throw new RecoveryException($"journal record 0x{entry.Zxid:x} holds a txn for zxid 0x{txn.Zxid:x}");
                if (applyLog) tree.Apply(txn);
                logged.Add(new Zab.HistoryEntry(entry.Zxid, entry.Payload, txn));
                last = entry.Zxid;
            }
        }
        catch (JournalCorruptException e)
        {
            throw new RecoveryException($"refusing to start: {e.Message}", e);
        }
        catch (Zk.Protocol.Jute.MalformedFrameException e)
        {
            throw new RecoveryException($"refusing to start: a journal record after zxid 0x{last:x} does not decode: {e.Message}", e);
        }
        LogRecovered(log, snapshotZxid, last, tree.NodeCount, tree.SessionCount);
        return new RecoveredState(tree, Math.Max(last, journal.LastZxid), snapshotZxid, logged);
    }

    private static (DataTree.DataTree Tree, long Zxid) LoadNewestSnapshot(ISnapshotStore snapshots, IJournal journal, DataTreeOptions options, ILogger log)
    {
        var list = snapshots.List();
        foreach (var info in list)
        {
            try
            {
                var bytes = snapshots.ReadAllBytes(info);
                var tree = DataTree.DataTree.Load(bytes, options);
                return (tree, info.Zxid);
            }
            catch (Exception e) when (e is JournalCorruptException or Zk.Protocol.Jute.MalformedFrameException or InvalidDataException)
            {
                // An older snapshot will do only if the log still reaches back to it.
                var older = list.SkipWhile(s => s != info).Skip(1).FirstOrDefault();
                var logReaches = older is not null ? journal.FirstZxid <= older.Zxid + 1 : journal.FirstZxid <= 1;
                if (!logReaches)
                    throw new RecoveryException($"refusing to start: snapshot {info.FileName} (zxid 0x{info.Zxid:x}) is corrupt and the log no longer holds the txns to rebuild without it: {e.Message}", e);
                LogSnapshotSkipped(log, info.FileName, info.Zxid, e.Message);
            }
        }
        if (list.Count > 0 && journal.FirstZxid > 1)
            throw new RecoveryException($"refusing to start: no usable snapshot and the log starts at 0x{journal.FirstZxid:x}, not at the beginning");
        return (new DataTree.DataTree(options), 0);
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "recovered: snapshot at 0x{SnapshotZxid:x}, log to 0x{LastZxid:x}, {Nodes} nodes, {Sessions} sessions")]
    private static partial void LogRecovered(ILogger log, long snapshotZxid, long lastZxid, int nodes, int sessions);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Error, Message = "snapshot {File} (zxid 0x{Zxid:x}) is corrupt, using an older one: {Reason}")]
    private static partial void LogSnapshotSkipped(ILogger log, string file, long zxid, string reason);
}
