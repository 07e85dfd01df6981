// Owns the IJournal and makes appends durable with group commit: it takes every message queued in its mailbox,
// buffers them, and at the end of the batch does ONE Sync (one fsync) before acknowledging them all, in order.
// Runs on a dedicated thread in production because Sync blocks.
using Microsoft.Extensions.Logging;
using Zk.Actors.Kernel;

namespace Zk.Actors.Journal;

/// <summary>Append txns; the journal answers <see cref="Logged"/> with the last zxid once they are durable.</summary>
public sealed record AppendTxns(IReadOnlyList<JournalEntry> Entries, ActorRef ReplyTo);

/// <summary>Durable up to and including <paramref name="LastZxid"/>.</summary>
public sealed record Logged(long LastZxid);

public sealed record PersistAcceptedEpoch(long Epoch, ActorRef ReplyTo);

public sealed record PersistCurrentEpoch(long Epoch, ActorRef ReplyTo);

public sealed record EpochPersisted(long AcceptedEpoch, long CurrentEpoch);

/// <summary>ZAB TRUNC: drop every entry after <paramref name="Zxid"/>.</summary>
public sealed record TruncateLog(long Zxid, ActorRef ReplyTo);

public sealed record LogTruncated(long LastZxid);

/// <summary>Read entries after <paramref name="AfterZxid"/>, at most <paramref name="MaxEntries"/>.</summary>
public sealed record ReadLog(long AfterZxid, int MaxEntries, ActorRef ReplyTo);

public sealed record LogEntries(IReadOnlyList<JournalEntry> Entries, long FirstZxid, long LastZxid);

/// <summary>A SNAP replaced this server's state by a snapshot at <paramref name="SnapshotZxid"/>: the whole log goes.</summary>
public sealed record ResetLog(long SnapshotZxid, ActorRef ReplyTo);

/// <summary>Retention: drop entries older than <paramref name="Zxid"/>.</summary>
public sealed record PurgeLog(long Zxid);

public sealed record GetJournalState(ActorRef ReplyTo);

public sealed record JournalState(long FirstZxid, long LastZxid, long AcceptedEpoch, long CurrentEpoch);

/// <summary>LastZxid is the last logged zxid, or the snapshot zxid the log starts after when it is empty.</summary>
public sealed partial class JournalActor(IJournal journal, long snapshotZxid = 0) : Actor
{
    private long _baseZxid = snapshotZxid;

    private long LastZxid => Math.Max(journal.LastZxid, _baseZxid);

    private readonly List<(ActorRef ReplyTo, object Reply)> _pendingAcks = [];
    private readonly Dictionary<ActorRef, int> _lastAckIndex = [];

    protected internal override void Receive(object message)
    {
        switch (message)
        {
            case AppendTxns a:
                foreach (var e in a.Entries) journal.Append(e.Zxid, e.Payload.Span);
                Ack(a.ReplyTo, new Logged(LastZxid), coalesce: true);
                break;
            case PersistAcceptedEpoch p:
                journal.SetAcceptedEpoch(p.Epoch);
                Ack(p.ReplyTo, new EpochPersisted(p.Epoch, -1), coalesce: false);
                break;
            case PersistCurrentEpoch p:
                journal.SetCurrentEpoch(p.Epoch);
                Ack(p.ReplyTo, new EpochPersisted(-1, p.Epoch), coalesce: false);
                break;
            case TruncateLog t:
                SyncAndAck();
                journal.TruncateAfter(t.Zxid);
                LogTruncatedAt(Log, t.Zxid, journal.LastZxid);
                t.ReplyTo.Tell(new LogTruncated(LastZxid), Self);
                break;
            case ResetLog r:
                SyncAndAck();
                journal.TruncateAfter(0);
                _baseZxid = r.SnapshotZxid;
                LogTruncatedAt(Log, 0, LastZxid);
                r.ReplyTo.Tell(new LogTruncated(LastZxid), Self);
                break;
            case ReadLog r:
                SyncAndAck();
                var entries = new List<JournalEntry>();
                foreach (var e in journal.ReadFrom(r.AfterZxid))
                {
                    if (entries.Count >= r.MaxEntries) break;
                    entries.Add(e);
                }
                r.ReplyTo.Tell(new LogEntries(entries, journal.FirstZxid, LastZxid), Self);
                break;
            case PurgeLog p:
                SyncAndAck();
                journal.PurgeBefore(p.Zxid);
                break;
            case GetJournalState g:
                g.ReplyTo.Tell(new JournalState(journal.FirstZxid, LastZxid, journal.AcceptedEpoch, journal.CurrentEpoch), Self);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected internal override void OnBatchEnd() => SyncAndAck();

    protected internal override void PostStop()
    {
        // A clean stop flushes what was appended; acks still go out so nobody waits for a stopped journal.
        SyncAndAck();
        journal.Dispose();
    }

    /// <summary>Consecutive Logged acks to the same requester collapse into the last one: acks are cumulative.</summary>
    private void Ack(ActorRef replyTo, object reply, bool coalesce)
    {
        if (coalesce && _lastAckIndex.TryGetValue(replyTo, out var i) && i == _pendingAcks.Count - 1 && _pendingAcks[i].Reply is Logged)
        {
            _pendingAcks[i] = (replyTo, reply);
            return;
        }
        _lastAckIndex[replyTo] = _pendingAcks.Count;
        _pendingAcks.Add((replyTo, reply));
    }

    private void SyncAndAck()
    {
        if (_pendingAcks.Count == 0) return;
        journal.Sync();
        var durable = new EpochPersisted(journal.AcceptedEpoch, journal.CurrentEpoch);
        foreach (var (replyTo, reply) in _pendingAcks)
        {
            replyTo.Tell(reply is EpochPersisted ? durable : reply, Self);
        }
        _pendingAcks.Clear();
        _lastAckIndex.Clear();
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "journal truncated after 0x{Zxid:x}; last zxid now 0x{LastZxid:x}")]
    private static partial void LogTruncatedAt(ILogger log, long zxid, long lastZxid);
}
