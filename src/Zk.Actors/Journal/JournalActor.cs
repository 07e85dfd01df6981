// Owns the IJournal and makes appends durable with group commit: it takes every message queued in its mailbox,
// buffers them, and at the end of the batch does ONE Sync (one fsync) before acknowledging them all, in order.
// Runs on a dedicated thread in production because Sync blocks.
using Microsoft.Extensions.Logging;
using Zk.Actors.Kernel;
using Zk.Core.Storage;

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

/// <summary>A SNAP sync: this server's state becomes the leader's snapshot at <paramref name="Zxid"/> followed by
/// <paramref name="Entries"/>, the leader's txns after it. Answered with <see cref="Logged"/> once durable.</summary>
public sealed record InstallSnapshot(long Zxid, byte[] Snapshot, IReadOnlyList<JournalEntry> Entries, ActorRef ReplyTo);

/// <summary>Retention: drop entries older than <paramref name="Zxid"/>.</summary>
public sealed record PurgeLog(long Zxid);

public sealed record GetJournalState(ActorRef ReplyTo);

public sealed record JournalState(long FirstZxid, long LastZxid, long AcceptedEpoch, long CurrentEpoch);

/// <summary>LastZxid is the last logged zxid, or the snapshot zxid the log starts after when it is empty.</summary>
/// <remarks>The snapshot store is shared with the SnapshotActor (stores are thread-safe); the journal writes to it only
/// to install a leader's snapshot, in order with the log changes around it.</remarks>
public sealed partial class JournalActor(IJournal journal, long snapshotZxid = 0, ISnapshotStore? snapshots = null,
    Server.Metrics.ServerMetrics? metrics = null) : Actor
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
                metrics?.JournalAppends.Inc(a.Entries.Count);
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
            case InstallSnapshot i:
                Install(i);
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

    /// <summary>
    /// A SNAP sync, ordered so that every state a crash can leave on disk is one recovery may trust (zab.md §12.8–9,
    /// ZOOKEEPER-3642): first the log drops the txns after the snapshot from the first one the leader does not hold
    /// on (never a committed one: the leader holds them all), then the snapshot becomes durable, then the leader's
    /// txns after the log's end are appended, durable at this batch's sync and so before any currentEpoch queued
    /// after them. Nothing this server acknowledged leaves its disk before a durable snapshot covers it. The log may
    /// lack leader txns below its end only where its own newer snapshot covers them (it was purged there).
    /// </summary>
    private void Install(InstallSnapshot s)
    {
        if (snapshots is null) throw new InvalidOperationException("a SNAP sync needs the snapshot store");
        SyncAndAck();
        var leader = new Dictionary<long, ReadOnlyMemory<byte>>(s.Entries.Count);
        foreach (var e in s.Entries) leader[e.Zxid] = e.Payload;
        var old = journal.ReadFrom(s.Zxid).ToList();
        var agree = 0;
        while (agree < old.Count && leader.TryGetValue(old[agree].Zxid, out var p) && p.Span.SequenceEqual(old[agree].Payload.Span)) agree++;
        if (agree < old.Count)
        {
            var keep = agree > 0 ? old[agree - 1].Zxid : s.Zxid;
            journal.TruncateAfter(keep);
            LogTruncatedAt(Log, keep, journal.LastZxid);
        }
        var newest = snapshots.List() is [var n, ..] ? n.Zxid : -1;
        if (newest < s.Zxid)
        {
            snapshots.Write(s.Zxid, stream => stream.Write(s.Snapshot));
            newest = s.Zxid;
        }
        var logged = journal.LastZxid;
        var kept = old.Take(agree).Select(o => o.Zxid).ToHashSet();
        foreach (var e in s.Entries)
        {
            if (e.Zxid > logged) journal.Append(e.Zxid, e.Payload.Span);
            else if (e.Zxid > newest && !kept.Contains(e.Zxid))
                throw new InvalidOperationException($"SNAP install: leader txn 0x{e.Zxid:x} is neither logged nor under a snapshot (log ends at 0x{logged:x})");
        }
        _baseZxid = s.Zxid;
        Ack(s.ReplyTo, new Logged(LastZxid), coalesce: true);
    }

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
        var syncStarted = System.Time.GetTimestamp();
        journal.Sync();
        metrics?.FsyncSeconds.Observe(System.Time.GetElapsedTime(syncStarted).TotalSeconds);
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
