// IJournal on one SQLite database in dataLogDir (WAL mode, exclusive lock): the txn log and the epochs live in
// one database, so a Sync is one commit — one fsync — and "txns, then currentEpoch" lands atomically.
// Not thread-safe: one owner (the JournalActor) calls every member, like every IJournal.
using Microsoft.Data.Sqlite;
using Zk.Actors.Journal;

namespace Zk.Host.Storage;

public sealed class SqliteJournal : IJournal
{
    public const string DatabaseFileName = "zkactors-journal.db";

    // Rows are fetched in pages so no statement stays open while the caller appends between two MoveNext calls.
    private const int ReadPageRows = 512;
    private const string AcceptedEpochName = "acceptedEpoch";
    private const string CurrentEpochName = "currentEpoch";

    private readonly SqliteConnection _db;
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _upsertEpoch;
    private readonly SqliteCommand _selectPage;
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
        _insert = Prepare("INSERT INTO txn_log(zxid, payload, crc) VALUES ($zxid, $payload, $crc)", "$zxid", "$payload", "$crc");
        _upsertEpoch = Prepare(
            "INSERT INTO epochs(name, value, crc) VALUES ($name, $value, $crc) " +
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value, crc = excluded.crc",
            "$name", "$value", "$crc");
        _selectPage = Prepare($"SELECT zxid, payload, crc FROM txn_log WHERE zxid > $after ORDER BY zxid LIMIT {ReadPageRows}", "$after");
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
    /// Refuses a file that is not a ZkActors journal, a newer schema, and a file another process holds open.
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
        BeginIfNeeded();
        _insert.Parameters[0].Value = zxid;
        _insert.Parameters[1].Value = payload.ToArray();
        _insert.Parameters[2].Value = (long)Crc32C.ForRecord(zxid, payload);
        Execute(_insert);
        _lastZxid = zxid;
        if (_firstZxid == 0)
            _firstZxid = zxid;
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
        return ReadPages(afterZxid);
    }

    public void TruncateAfter(long zxid)
    {
        EnsureUsable();
        BeginIfNeeded();
        ExecuteSql("DELETE FROM txn_log WHERE zxid > $zxid", zxid);
        Sync();
        LoadBounds();
        _lastSyncedZxid = _lastZxid;
    }

    public void PurgeBefore(long zxid)
    {
        EnsureUsable();
        BeginIfNeeded();
        if (_lastZxid > 0)
            ExecuteSql("DELETE FROM txn_log WHERE zxid < $zxid", Math.Min(zxid, _lastZxid));
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
        _insert.Dispose();
        _upsertEpoch.Dispose();
        _selectPage.Dispose();
        _db.Dispose();
    }

    private IEnumerable<JournalEntry> ReadPages(long afterZxid)
    {
        var cursor = afterZxid;
        while (true)
        {
            var page = ReadPage(cursor);
            if (page.Count == 0)
                yield break;
            foreach (var (zxid, payload, crc) in page)
            {
                if (Crc32C.ForRecord(zxid, payload) != crc)
                    throw new JournalCorruptException(FilePath, zxid, "CRC mismatch");
                yield return new JournalEntry(zxid, payload);
            }
            cursor = page[^1].Zxid;
        }
    }

    private List<(long Zxid, byte[] Payload, long Crc)> ReadPage(long afterZxid)
    {
        EnsureUsable();
        var page = new List<(long, byte[], long)>(ReadPageRows);
        _selectPage.Transaction = _tx;
        _selectPage.Parameters[0].Value = afterZxid;
        try
        {
            using var reader = _selectPage.ExecuteReader();
            while (reader.Read())
                page.Add((reader.GetInt64(0), ReadBlob(reader, 1), reader.GetInt64(2)));
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
        reader.IsDBNull(ordinal) ? throw new InvalidCastException("null payload") : reader.GetFieldValue<byte[]>(ordinal);

    private void LoadState()
    {
        LoadBounds();
        _lastSyncedZxid = _lastZxid;
        if (_lastZxid != 0)
        {
            // Read the newest record once now: it is the one a crash would have hurt, and LastZxid rests on it.
            foreach (var entry in ReadPages(_lastZxid - 1))
                _ = entry;
        }
        var epochs = SqliteJournalSchema.ReadEpochs(_db, FilePath);
        _acceptedEpoch = _pendingAcceptedEpoch = epochs.GetValueOrDefault(AcceptedEpochName);
        _currentEpoch = _pendingCurrentEpoch = epochs.GetValueOrDefault(CurrentEpochName);
        if (_currentEpoch > _acceptedEpoch)
            throw new JournalCorruptException(FilePath, null, $"currentEpoch {_currentEpoch} exceeds acceptedEpoch {_acceptedEpoch}");
    }

    private void LoadBounds()
    {
        using var command = _db.CreateCommand();
        command.Transaction = _tx;
        command.CommandText = "SELECT coalesce(min(zxid), 0), coalesce(max(zxid), 0) FROM txn_log";
        using var reader = command.ExecuteReader();
        reader.Read();
        _firstZxid = reader.GetInt64(0);
        _lastZxid = reader.GetInt64(1);
    }

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
        _insert.Transaction = _tx;
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
            // The transaction may have been rolled back under us (disk full, I/O error): stop here, loudly.
            _failed = true;
            throw;
        }
    }

    private void ExecuteSql(string sql, long zxid)
    {
        using var command = _db.CreateCommand();
        command.Transaction = _tx;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$zxid", zxid);
        Execute(command);
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
