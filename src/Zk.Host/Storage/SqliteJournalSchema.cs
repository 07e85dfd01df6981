// The SQLite side of SqliteJournal: connection pragmas, schema creation and version checks, epoch rows with
// their CRC, and which SQLite errors mean a damaged file. Stateless; called by the journal's single owner.
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Zk.Actors.Journal;

namespace Zk.Host.Storage;

internal static class SqliteJournalSchema
{
    public const int Version = 1;

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
        if (version < Version)
            throw new JournalCorruptException(path, null, $"unknown journal schema version {version}");
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
        // zxid is the rowid: appends go to the end of the b-tree and range scans by zxid are direct.
        command.CommandText =
            "CREATE TABLE txn_log(zxid INTEGER PRIMARY KEY, payload BLOB NOT NULL, crc INTEGER NOT NULL);" +
            "CREATE TABLE epochs(name TEXT PRIMARY KEY, value INTEGER NOT NULL, crc INTEGER NOT NULL) WITHOUT ROWID;" +
            $"PRAGMA application_id = {ApplicationId};" +
            $"PRAGMA user_version = {Version};";
        command.ExecuteNonQuery();
        tx.Commit();
    }

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
