// The SQLite side of SqliteJournal: connection pragmas, schema creation, version checks and the migration of an
// older schema, epoch rows with their CRC, and which SQLite errors mean a damaged file. Stateless; called by the
// journal's single owner.
//   version 1: txn_log(zxid PRIMARY KEY, payload, crc), one row per txn.
//   version 2: txn_batch(last_zxid PRIMARY KEY, first_zxid, records), one row per group commit (BatchRecords).
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Zk.Actors.Journal;
using Zk.Core.Storage;

namespace Zk.Host.Storage;

internal static class SqliteJournalSchema
{
    public const int Version = 2;

    // Bigger pages mean fewer WAL frames (two pwrite calls each) per group commit: a commit of ~300 txns is ~60 KB.
    // Set only when the file is created; a migrated version-1 file keeps its 4 KB pages.
    public const int PageSizeBytes = 16 * 1024;

    // PRAGMA application_id marks the file as ours: "ZKJL".
    public const int ApplicationId = 0x5A4B4A4C;

    private const int SqliteBusy = 5;
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;

    public static bool IsCorruption(SqliteException e) =>
        (e.SqliteErrorCode & 0xff) is SqliteCorrupt or SqliteNotADatabase;

    public static uint EpochCrc(string name, long value) => Crc32C.ForRecord(value, Encoding.ASCII.GetBytes(name));

    public static void Configure(SqliteConnection db, string path, bool forceSync)
    {
        try
        {
            // EXCLUSIVE before WAL: the WAL index then lives in heap memory, and no second process can open the file.
            Pragma(db, "locking_mode = EXCLUSIVE");
            // Before WAL mode creates the file; ignored by SQLite for an existing database.
            Pragma(db, $"page_size = {PageSizeBytes}");
            var mode = Pragma(db, "journal_mode = WAL");
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                throw new IOException($"{path}: SQLite refused WAL mode (got '{mode}')");
            Pragma(db, forceSync ? "synchronous = FULL" : "synchronous = NORMAL");
            Pragma(db, "cell_size_check = ON");
            Pragma(db, "journal_size_limit = 67108864");
            // Taking the write lock now makes a second server on the same directory fail at start, not later.
            using var tx = db.BeginTransaction();
            tx.Commit();
        }
        catch (SqliteException e) when ((e.SqliteErrorCode & 0xff) == SqliteBusy)
        {
            throw new IOException($"{path} is locked: is another server using this dataLogDir?", e);
        }
    }

    public static void CreateOrCheck(SqliteConnection db, string path)
    {
        var applicationId = int.Parse(Pragma(db, "application_id"), CultureInfo.InvariantCulture);
        var version = int.Parse(Pragma(db, "user_version"), CultureInfo.InvariantCulture);
        if (applicationId == 0 && version == 0 && TableCount(db) == 0)
        {
            Create(db);
            return;
        }
        if (applicationId != ApplicationId)
            throw new JournalCorruptException(path, null, $"not a ZkActors journal (application_id 0x{applicationId:x})");
        if (version > Version)
            throw new NotSupportedException($"{path}: journal schema version {version} is newer than this server's {Version}; upgrade the server");
        if (version == 1)
        {
            MigrateFromVersion1(db);
            return;
        }
        if (version < Version)
            throw new JournalCorruptException(path, null, $"unknown journal schema version {version}");
    }

    /// <summary>
    /// One row per txn becomes one row per run of txns, in one transaction (a crash leaves version 1 whole). Each
    /// record keeps the CRC stored with it, verbatim: a record damaged before the migration is still found when read.
    /// </summary>
    private static void MigrateFromVersion1(SqliteConnection db)
    {
        const int RecordsPerRow = 1000;
        using var tx = db.BeginTransaction();
        Execute(db, tx, CreateBatchTable);
        using var insert = db.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = "INSERT INTO txn_batch(last_zxid, first_zxid, records) VALUES ($last, $first, $records)";
        using var select = db.CreateCommand();
        select.Transaction = tx;
        select.CommandText = "SELECT zxid, payload, crc FROM txn_log ORDER BY zxid";
        using (var reader = select.ExecuteReader())
        {
            using var row = new MemoryStream();
            long first = 0, last = 0;
            var count = 0;
            Span<byte> header = stackalloc byte[BatchRecords.HeaderBytes];
            Span<byte> trailer = stackalloc byte[BatchRecords.TrailerBytes];
            while (reader.Read())
            {
                var zxid = reader.GetInt64(0);
                var payload = reader.GetFieldValue<byte[]>(1);
                BinaryPrimitives.WriteInt64LittleEndian(header, zxid);
                BinaryPrimitives.WriteInt32LittleEndian(header[8..], payload.Length);
                BinaryPrimitives.WriteUInt32LittleEndian(trailer, unchecked((uint)reader.GetInt64(2)));
                row.Write(header);
                row.Write(payload);
                row.Write(trailer);
                if (count++ == 0) first = zxid;
                last = zxid;
                if (count < RecordsPerRow) continue;
                InsertRow(insert, first, last, row);
                count = 0;
            }
            if (count > 0) InsertRow(insert, first, last, row);
        }
        Execute(db, tx, "DROP TABLE txn_log;" + $"PRAGMA user_version = {Version};");
        tx.Commit();
    }

    private static void InsertRow(SqliteCommand insert, long first, long last, MemoryStream row)
    {
        insert.Parameters.Clear();
        insert.Parameters.AddWithValue("$last", last);
        insert.Parameters.AddWithValue("$first", first);
        insert.Parameters.AddWithValue("$records", row.ToArray());
        insert.ExecuteNonQuery();
        row.SetLength(0);
    }

    private static void Execute(SqliteConnection db, SqliteTransaction tx, string sql)
    {
        using var command = db.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static Dictionary<string, long> ReadEpochs(SqliteConnection db, string path)
    {
        var epochs = new Dictionary<string, long>(StringComparer.Ordinal);
        using var command = db.CreateCommand();
        command.CommandText = "SELECT name, value, crc FROM epochs";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var name = reader.GetString(0);
            var value = reader.GetInt64(1);
            if (EpochCrc(name, value) != reader.GetInt64(2))
                throw new JournalCorruptException(path, null, $"epoch row '{name}' fails its CRC");
            epochs[name] = value;
        }
        return epochs;
    }

    private static void Create(SqliteConnection db)
    {
        using var tx = db.BeginTransaction();
        using var command = db.CreateCommand();
        command.Transaction = tx;
        command.CommandText =
            CreateBatchTable +
            "CREATE TABLE epochs(name TEXT PRIMARY KEY, value INTEGER NOT NULL, crc INTEGER NOT NULL) WITHOUT ROWID;" +
            $"PRAGMA application_id = {ApplicationId};" +
            $"PRAGMA user_version = {Version};";
        command.ExecuteNonQuery();
        tx.Commit();
    }

    // last_zxid is the rowid: appends go to the end of the b-tree and "rows after zxid" is a range scan. Rows never
    // overlap, so the first row's first_zxid is the log's first zxid.
    private const string CreateBatchTable =
        "CREATE TABLE txn_batch(last_zxid INTEGER PRIMARY KEY, first_zxid INTEGER NOT NULL, records BLOB NOT NULL);";

    private static long TableCount(SqliteConnection db)
    {
        using var command = db.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master";
        return (long)command.ExecuteScalar()!;
    }

    private static string Pragma(SqliteConnection db, string pragma)
    {
        using var command = db.CreateCommand();
        command.CommandText = "PRAGMA " + pragma;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture) ?? "";
    }
}
