// IJournal on one SQLite database in dataLogDir (WAL mode, exclusive lock): the txn log and the epochs live in
// one database, so a Sync is one commit — one fsync — and "txns, then currentEpoch" lands atomically. The txns of
// one group commit are one row (BatchRecords; each record keeps its own CRC): one b-tree insert per commit instead
// of one per txn, which cut the journal thread's pwrite calls per commit from ~92 to a handful (docs/BENCHMARKS.md).
// Not thread-safe: one owner (the JournalActor) calls every member, like every IJournal.
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Zk.Actors.Journal;
using Zk.Core.Storage;

namespace Zk.Host.Storage;

public sealed class SqliteJournal : IJournal
{
    public const string DatabaseFileName = "zkactors-journal.db";

    // Rows are fetched a few at a time so no statement stays open while the caller appends between two MoveNext calls.
    private const int ReadPageRows = 4;

    // A row is written (in the same transaction, durable at the next Sync) once its records pass this size, which bounds
    // what one read of a row brings into memory.
    private const int MaxRowBytes = 4 << 20;

    private const string AcceptedEpochName = "acceptedEpoch";
    private const string CurrentEpochName = "currentEpoch";

    private readonly SqliteConnection _db;
    private readonly sqlite3_stmt _insertRow;
    private readonly SqliteCommand _upsertEpoch;
    private readonly SqliteCommand _selectPage;
    private readonly PendingRecords _pending = new();
    private SqliteTransaction? _tx;
    private long _firstZxid;
    private long _lastZxid;
    private long _lastSyncedZxid;
    private long _acceptedEpoch;
    private long _currentEpoch;
    private long _pendingAcceptedEpoch;
    private long _pendingCurrentEpoch;
    private bool _failed;
    private bool _disposed;

    private SqliteJournal(string path, SqliteConnection db)
    {
        FilePath = path;
        _db = db;
        // The hot statement is driven through SQLitePCL directly: it binds the pending records' buffer as a span,
        // without copying it into a byte[] per commit as a SqliteParameter would.
        Check(raw.sqlite3_prepare_v2(db.Handle, "INSERT INTO txn_batch(last_zxid, first_zxid, records) VALUES (?1, ?2, ?3)", out _insertRow));
        _upsertEpoch = Prepare(
            "INSERT INTO epochs(name, value, crc) VALUES ($name, $value, $crc) " +
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value, crc = excluded.crc",
            "$name", "$value", "$crc");
        _selectPage = Prepare($"SELECT first_zxid, records FROM txn_batch WHERE last_zxid > $after ORDER BY last_zxid LIMIT {ReadPageRows}", "$after");
    }

    public string FilePath { get; }

    public long FirstZxid => _firstZxid;

    public long LastZxid => _lastZxid;

    public long LastSyncedZxid => _lastSyncedZxid;

    public long AcceptedEpoch => _acceptedEpoch;

    public long CurrentEpoch => _currentEpoch;

    /// <summary>
    /// Opens or creates the journal in <paramref name="directory"/>. forceSync=yes (ZooKeeper's default) fsyncs every
    /// commit (synchronous=FULL); no leaves commits to the OS (NORMAL): they survive a process crash, not a power cut.
    /// Refuses a file that is not a ZkActors journal, a newer schema, and a file another process holds open; an
    /// older schema is migrated in place.
    /// </summary>
    public static SqliteJournal Open(string directory, bool forceSync = true)
    {
        Directory.CreateDirectory(directory);
        var path = Path.GetFullPath(Path.Combine(directory, DatabaseFileName));
        var db = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            // Seconds to retry on a lock: only a second process on the same file ever holds one, so fail fast.
            DefaultTimeout = 1,
        }.ToString());
        SqliteJournal? journal = null;
        try
        {
            db.Open();
            SqliteJournalSchema.Configure(db, path, forceSync);
            SqliteJournalSchema.CreateOrCheck(db, path);
            journal = new SqliteJournal(path, db);
            journal.LoadState();
            return journal;
        }
        catch (SqliteException e) when (SqliteJournalSchema.IsCorruption(e))
        {
            Close(journal, db);
            throw new JournalCorruptException(path, null, $"SQLite reports: {e.Message}", e);
        }
        catch
        {
            Close(journal, db);
            throw;
        }
    }

    private static void Close(SqliteJournal? journal, SqliteConnection db)
    {
        if (journal is not null)
            journal.Dispose();
        else
            db.Dispose();
    }

    public void Append(long zxid, ReadOnlySpan<byte> payload)
    {
        EnsureUsable();
        JournalRules.CheckAppend(zxid, _lastZxid);
        _pending.Add(zxid, payload);
        _lastZxid = zxid;
        if (_firstZxid == 0)
            _firstZxid = zxid;
        if (_pending.Bytes >= MaxRowBytes)
            WritePendingRow();
    }

    public void SetAcceptedEpoch(long epoch)
    {
        EnsureUsable();
        JournalRules.CheckAcceptedEpoch(epoch, _pendingAcceptedEpoch);
        WriteEpoch(AcceptedEpochName, epoch);
        _pendingAcceptedEpoch = epoch;
    }

    public void SetCurrentEpoch(long epoch)
    {
        EnsureUsable();
        JournalRules.CheckCurrentEpoch(epoch, _pendingCurrentEpoch, _pendingAcceptedEpoch);
        WriteEpoch(CurrentEpochName, epoch);
        _pendingCurrentEpoch = epoch;
    }

    public void Sync()
    {
        EnsureUsable();
        WritePendingRow();
        if (_tx is null)
            return;
        try
        {
            _tx.Commit();
        }
        catch
        {
            // What reached the disk is unknown now; only a restart that reads it back can tell.
            _failed = true;
            throw;
        }
        _tx.Dispose();
        _tx = null;
        _lastSyncedZxid = _lastZxid;
        _acceptedEpoch = _pendingAcceptedEpoch;
        _currentEpoch = _pendingCurrentEpoch;
    }

    public IEnumerable<JournalEntry> ReadFrom(long afterZxid)
    {
        EnsureUsable();
        return ReadAll(afterZxid);
    }

    public void TruncateAfter(long zxid)
    {
        EnsureUsable();
        WritePendingRow();
        BeginIfNeeded();
        // The row holding zxid keeps its records up to zxid: a run of whole records is a row of its own.
        if (ReadRow("SELECT first_zxid, records FROM txn_batch WHERE last_zxid > $zxid ORDER BY last_zxid LIMIT 1", zxid) is { } row
            && row.FirstZxid <= zxid)
        {
            var keep = Cut(row, zxid, keepPrefix: true);
            ExecuteSql("DELETE FROM txn_batch WHERE last_zxid > $zxid", zxid);
            InsertRow(keep.LastZxid, row.FirstZxid, keep.Records.Span);
        }
        else
        {
            ExecuteSql("DELETE FROM txn_batch WHERE last_zxid > $zxid", zxid);
        }
        Sync();
        LoadBounds();
        _lastSyncedZxid = _lastZxid;
    }

    public void PurgeBefore(long zxid)
    {
        EnsureUsable();
        WritePendingRow();
        BeginIfNeeded();
        if (_lastZxid > 0)
        {
            var bound = Math.Min(zxid, _lastZxid);
            ExecuteSql("DELETE FROM txn_batch WHERE last_zxid < $zxid", bound);
            // The oldest remaining row may still begin before the bound: keep only its records from the bound on.
            if (ReadRow("SELECT first_zxid, records FROM txn_batch WHERE last_zxid >= $zxid ORDER BY last_zxid LIMIT 1", bound) is { } row
                && row.FirstZxid < bound)
            {
                var keep = Cut(row, bound - 1, keepPrefix: false);
                using var update = Command("UPDATE txn_batch SET first_zxid = $first, records = $records WHERE last_zxid = $last");
                update.Parameters.AddWithValue("$first", keep.FirstZxid);
                update.Parameters.AddWithValue("$records", keep.Records.ToArray());
                update.Parameters.AddWithValue("$last", keep.LastZxid);
                Execute(update);
            }
        }
        Sync();
        LoadBounds();
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        // An open transaction is rolled back: unsynced appends are lost, exactly as in a crash.
        _tx?.Dispose();
        _insertRow.Dispose();
        _upsertEpoch.Dispose();
        _selectPage.Dispose();
        _db.Dispose();
    }

    /// <summary>Written rows first (committed or in the open transaction), then the records not yet written. Lazy: the
    /// records before a damaged one are yielded before the damage throws, so tools can salvage a prefix.</summary>
    private IEnumerable<JournalEntry> ReadAll(long afterZxid)
    {
        var cursor = afterZxid;
        while (true)
        {
            var page = ReadPage(cursor);
            if (page.Count > 0)
            {
                foreach (var (firstZxid, records) in page)
                {
                    var reader = new RowReader(FilePath, firstZxid, records);
                    // Records up to the cursor are only stepped over: their CRCs are checked when they are read.
                    while (reader.MoveNext(verifyCrc: false))
                    {
                        if (reader.Zxid <= cursor) continue;
                        reader.VerifyCrc();
                        cursor = reader.Zxid;
                        yield return new JournalEntry(reader.Zxid, records.AsMemory(reader.PayloadOffset, reader.PayloadLength));
                    }
                }
                continue;
            }
            // Appends made while the caller iterates land here; a Sync meanwhile moves them into rows, read above.
            if (_pending.Count == 0 || _pending.After(cursor) is not { } next)
                yield break;
            cursor = next.Zxid;
            yield return next;
        }
    }

    private List<(long FirstZxid, byte[] Records)> ReadPage(long afterZxid)
    {
        EnsureUsable();
        var page = new List<(long, byte[])>(ReadPageRows);
        _selectPage.Transaction = _tx;
        _selectPage.Parameters[0].Value = afterZxid;
        try
        {
            using var reader = _selectPage.ExecuteReader();
            while (reader.Read())
                page.Add((reader.GetInt64(0), ReadBlob(reader, 1)));
        }
        catch (SqliteException e) when (SqliteJournalSchema.IsCorruption(e))
        {
            throw new JournalCorruptException(FilePath, afterZxid + 1, $"unreadable record at or after this zxid; SQLite reports: {e.Message}", e);
        }
        catch (InvalidCastException e)
        {
            throw new JournalCorruptException(FilePath, afterZxid + 1, "a record after this zxid has columns of the wrong type", e);
        }
        return page;
    }

    private static byte[] ReadBlob(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? throw new InvalidCastException("null records") : reader.GetFieldValue<byte[]>(ordinal);

    private (long FirstZxid, byte[] Records)? ReadRow(string sql, long zxid)
    {
        using var command = Command(sql);
        command.Parameters.AddWithValue("$zxid", zxid);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), ReadBlob(reader, 1)) : null;
    }

    /// <summary>The records of a row up to and including <paramref name="zxid"/> (keepPrefix) or after it, with their bounds.</summary>
    private (long FirstZxid, long LastZxid, ReadOnlyMemory<byte> Records) Cut((long FirstZxid, byte[] Records) row, long zxid, bool keepPrefix)
    {
        var reader = new RowReader(FilePath, row.FirstZxid, row.Records);
        long first = 0, last = 0;
        var cut = 0;
        // Framing only: a record's stored CRC moves with it, so damage is still found when the record is read.
        while (reader.MoveNext(verifyCrc: false))
        {
            if (reader.Zxid <= zxid)
            {
                cut = reader.Position;
                if (keepPrefix) last = reader.Zxid;
            }
            else if (!keepPrefix)
            {
                if (first == 0) first = reader.Zxid;
                last = reader.Zxid;
            }
        }
        return keepPrefix
            ? (row.FirstZxid, last, row.Records.AsMemory(0, cut))
            : (first, last, row.Records.AsMemory(cut));
    }

    private void LoadState()
    {
        LoadBounds();
        _lastSyncedZxid = _lastZxid;
        if (_lastZxid != 0)
            VerifyNewestRecord();
        var epochs = SqliteJournalSchema.ReadEpochs(_db, FilePath);
        _acceptedEpoch = _pendingAcceptedEpoch = epochs.GetValueOrDefault(AcceptedEpochName);
        _currentEpoch = _pendingCurrentEpoch = epochs.GetValueOrDefault(CurrentEpochName);
        if (_currentEpoch > _acceptedEpoch)
            throw new JournalCorruptException(FilePath, null, $"currentEpoch {_currentEpoch} exceeds acceptedEpoch {_acceptedEpoch}");
    }

    /// <summary>The newest record is the one a crash would have hurt, and LastZxid rests on it: check it (and the
    /// framing of its row) at open. Older records are checked when they are read.</summary>
    private void VerifyNewestRecord()
    {
        var (firstZxid, records) = ReadPage(_lastZxid - 1) is [var row, ..] ? row
            : throw new JournalCorruptException(FilePath, _lastZxid, "the newest row cannot be read back");
        var reader = new RowReader(FilePath, firstZxid, records);
        while (reader.MoveNext(verifyCrc: false))
        {
            if (reader.AtEnd) reader.VerifyCrc();
        }
        if (reader.Zxid != _lastZxid)
            throw new JournalCorruptException(FilePath, _lastZxid, $"the newest row ends at 0x{reader.Zxid:x}, not at its key");
    }

    private void LoadBounds()
    {
        using var command = Command(
            "SELECT coalesce((SELECT first_zxid FROM txn_batch ORDER BY last_zxid LIMIT 1), 0), coalesce(max(last_zxid), 0) FROM txn_batch");
        using var reader = command.ExecuteReader();
        reader.Read();
        _firstZxid = reader.GetInt64(0);
        _lastZxid = reader.GetInt64(1);
    }

    private void WritePendingRow()
    {
        if (_pending.Count == 0)
            return;
        BeginIfNeeded();
        InsertRow(_pending.LastZxid, _pending.FirstZxid, _pending.Encoded);
        _pending.Clear();
    }

    private void InsertRow(long lastZxid, long firstZxid, ReadOnlySpan<byte> records)
    {
        try
        {
            Check(raw.sqlite3_bind_int64(_insertRow, 1, lastZxid));
            Check(raw.sqlite3_bind_int64(_insertRow, 2, firstZxid));
            Check(raw.sqlite3_bind_blob(_insertRow, 3, records));
            var rc = raw.sqlite3_step(_insertRow);
            if (rc != raw.SQLITE_DONE)
                Check(rc);
        }
        catch
        {
            // The transaction may have been rolled back under us (disk full, I/O error): stop here, loudly.
            _failed = true;
            throw;
        }
        finally
        {
            raw.sqlite3_reset(_insertRow);
            raw.sqlite3_clear_bindings(_insertRow);
        }
    }

    private void Check(int rc) => SqliteException.ThrowExceptionForRC(rc, _db.Handle);

    private void WriteEpoch(string name, long epoch)
    {
        BeginIfNeeded();
        _upsertEpoch.Parameters[0].Value = name;
        _upsertEpoch.Parameters[1].Value = epoch;
        _upsertEpoch.Parameters[2].Value = (long)SqliteJournalSchema.EpochCrc(name, epoch);
        Execute(_upsertEpoch);
    }

    private void BeginIfNeeded()
    {
        if (_tx is not null)
            return;
        _tx = _db.BeginTransaction();
        _upsertEpoch.Transaction = _tx;
    }

    private void Execute(SqliteCommand command)
    {
        try
        {
            command.ExecuteNonQuery();
        }
        catch
        {
            _failed = true;
            throw;
        }
    }

    private void ExecuteSql(string sql, long zxid)
    {
        using var command = Command(sql);
        command.Parameters.AddWithValue("$zxid", zxid);
        Execute(command);
    }

    private SqliteCommand Command(string sql)
    {
        var command = _db.CreateCommand();
        command.Transaction = _tx;
        command.CommandText = sql;
        return command;
    }

    private SqliteCommand Prepare(string sql, params string[] parameterNames)
    {
        var command = _db.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameterNames)
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        return command;
    }

    private void EnsureUsable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failed)
            throw new InvalidOperationException($"{FilePath}: a write failed earlier; restart and recover from disk");
    }
}
