// Runs the journal contract against SqliteJournal, plus what only the real file can show: raw byte damage found
// by the CRC, the row layout, the migration of a version-1 file, a newer schema refused, a foreign file refused,
// and the file lock against a second server.
using System.Buffers.Binary;
using System.Text;
using Microsoft.Data.Sqlite;
using Zk.Actors.Journal;
using Zk.Core.Testing;
using Zk.Host.Storage;
using Zk.Core.Storage;

namespace Zk.Host.Tests.Storage;

public sealed class SqliteJournalTests : JournalContract
{
    private readonly TempDirectory _dir = new();

    private string DatabasePath => _dir.Combine(SqliteJournal.DatabaseFileName);

    protected override string ExpectedFileName => DatabasePath;

    protected override IJournal OpenJournal() => SqliteJournal.Open(_dir.Path);

    // Disposing rolls back the open transaction, which is what a killed process leaves behind; the crash test
    // with real SIGKILLs (JournalCrashTests) covers the rest.
    protected override IJournal CrashAndReopen(IJournal journal) => Reopen(journal);

    protected override IJournal CorruptPayloadAndReopen(IJournal journal, long zxid)
    {
        journal.Dispose();
        // The payload's first byte sits right after the record's 12-byte header.
        RewriteRecord(zxid, (records, start, length) => records[start + 12] ^= 0x01);
        return SqliteJournal.Open(_dir.Path);
    }

    protected override IJournal CorruptCrcAndReopen(IJournal journal, long zxid)
    {
        journal.Dispose();
        // The CRC is the record's last 4 bytes.
        RewriteRecord(zxid, (records, start, length) => records[start + length - 4] ^= 0x01);
        return SqliteJournal.Open(_dir.Path);
    }

    /// <summary>Finds the record of <paramref name="zxid"/> inside its row (zxid i64, length i32, payload, crc u32, little-endian)
    /// and lets <paramref name="damage"/> change its bytes in place.</summary>
    private void RewriteRecord(long zxid, Action<byte[], int, int> damage)
    {
        using var db = Connect();
        using var read = db.CreateCommand();
        read.CommandText = $"SELECT last_zxid, records FROM txn_batch WHERE last_zxid >= {zxid} ORDER BY last_zxid LIMIT 1";
        using var reader = read.ExecuteReader();
        Assert.True(reader.Read(), $"no row holds 0x{zxid:x}");
        var key = reader.GetInt64(0);
        var records = (byte[])reader.GetValue(1);
        reader.Close();
        var at = 0;
        while (BinaryPrimitives.ReadInt64LittleEndian(records.AsSpan(at)) != zxid)
            at += 16 + BinaryPrimitives.ReadInt32LittleEndian(records.AsSpan(at + 8));
        damage(records, at, 16 + BinaryPrimitives.ReadInt32LittleEndian(records.AsSpan(at + 8)));
        using var write = db.CreateCommand();
        write.CommandText = $"UPDATE txn_batch SET records = $records WHERE last_zxid = {key}";
        write.Parameters.AddWithValue("$records", records);
        write.ExecuteNonQuery();
    }

    public override void Dispose()
    {
        base.Dispose();
        _dir.Dispose();
    }

    private SqliteConnection Connect()
    {
        var db = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        db.Open();
        return db;
    }

    private void Sql(string sql)
    {
        using var db = Connect();
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private long ScalarSql(string sql)
    {
        using var db = Connect();
        using var command = db.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public void A_flipped_byte_in_the_database_file_is_reported_with_file_and_zxid()
    {
        var journal = Open();
        var marked = PayloadOf(0);
        for (uint c = 1; c <= 50; c++)
        {
            // One record carries a recognisable pattern so the test can find its bytes in the raw file.
            var payload = c == 37 ? "ZKACTORS-TEST-MARKER-PAYLOAD-0037"u8.ToArray() : PayloadOf(Z(1, c));
            journal.Append(Z(1, c), payload);
            if (c == 37)
                marked = payload;
        }
        journal.Sync();
        journal.Dispose();   // closing checkpoints the WAL into the main file

        var bytes = File.ReadAllBytes(DatabasePath);
        var at = bytes.AsSpan().IndexOf(marked);
        Assert.True(at > 0, "the marker payload should be stored verbatim in the database file");
        bytes[at + 20] ^= 0x04;
        File.WriteAllBytes(DatabasePath, bytes);

        journal = Track(SqliteJournal.Open(_dir.Path));
        var error = Assert.Throws<JournalCorruptException>(() => journal.ReadFrom(0).ToList());
        Assert.Equal(Z(1, 37), error.Zxid);
        Assert.Equal(DatabasePath, error.FileName);
        Assert.Contains("0x100000025", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_damaged_epoch_row_is_reported_when_the_journal_opens()
    {
        var journal = Open();
        journal.SetAcceptedEpoch(4);
        journal.Sync();
        journal.Dispose();
        Sql("UPDATE epochs SET value = 5 WHERE name = 'acceptedEpoch'");
        var error = Assert.Throws<JournalCorruptException>(() => SqliteJournal.Open(_dir.Path));
        Assert.Contains("acceptedEpoch", error.Message, StringComparison.Ordinal);
        Assert.Equal(DatabasePath, error.FileName);
    }

    [Fact]
    public void A_newer_schema_version_is_refused()
    {
        Open().Dispose();
        Sql("PRAGMA user_version = 3");
        var error = Assert.Throws<NotSupportedException>(() => SqliteJournal.Open(_dir.Path));
        Assert.Contains("version 3", error.Message, StringComparison.Ordinal);
        Assert.Contains(DatabasePath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_database_that_is_not_a_journal_is_refused()
    {
        Sql("CREATE TABLE something_else(x INTEGER)");
        var error = Assert.Throws<JournalCorruptException>(() => SqliteJournal.Open(_dir.Path));
        Assert.Contains("not a ZkActors journal", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_sqlite_is_reported_as_corrupt()
    {
        File.WriteAllBytes(DatabasePath, [.. Enumerable.Repeat((byte)0x5A, 8192)]);
        var error = Assert.Throws<JournalCorruptException>(() => SqliteJournal.Open(_dir.Path));
        Assert.Equal(DatabasePath, error.FileName);
    }

    [Fact]
    public void A_second_journal_on_the_same_directory_is_refused_while_the_first_is_open()
    {
        using var first = SqliteJournal.Open(_dir.Path);
        var error = Assert.Throws<IOException>(() => SqliteJournal.Open(_dir.Path));
        Assert.Contains("locked", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_txns_of_one_sync_are_stored_as_one_row_of_records_each_with_its_crc()
    {
        var journal = Open();
        AppendRange(journal, 1, 1, 3);
        journal.SetAcceptedEpoch(1);
        journal.Sync();
        AppendRange(journal, 1, 4, 4);
        journal.Sync();
        journal.Dispose();
        Assert.Equal(2, ScalarSql("SELECT count(*) FROM txn_batch"));
        Assert.Equal(Z(1, 1), ScalarSql($"SELECT first_zxid FROM txn_batch WHERE last_zxid = {Z(1, 3)}"));
        var crcOf2 = 0u;
        RewriteRecord(Z(1, 2), (records, start, length) =>
        {
            Assert.Equal(PayloadOf(Z(1, 2)), records.AsSpan(start + 12, length - 16).ToArray());
            crcOf2 = BinaryPrimitives.ReadUInt32LittleEndian(records.AsSpan(start + length - 4));
        });
        Assert.Equal(Crc32C.ForRecord(Z(1, 2), PayloadOf(Z(1, 2))), crcOf2);
        Assert.Equal(1, ScalarSql("SELECT value FROM epochs WHERE name = 'acceptedEpoch'"));
        Assert.Equal(2, ScalarSql("PRAGMA user_version"));
        Assert.Equal(16 * 1024, ScalarSql("PRAGMA page_size"));
    }

    [Fact]
    public void A_version_1_journal_is_migrated_with_its_records_epochs_and_stored_crcs()
    {
        CreateVersion1Journal(records: 2500, damagedZxid: Z(1, 1777));
        var journal = Open();
        Assert.Equal(Z(1, 1), journal.FirstZxid);
        Assert.Equal(Z(1, 2500), journal.LastZxid);
        Assert.Equal(7, journal.AcceptedEpoch);
        Assert.Equal(6, journal.CurrentEpoch);
        Assert.Equal(Enumerable.Range(1, 1776).Select(c => Z(1, (uint)c)), journal.ReadFrom(0).Take(1776).Select(e => e.Zxid));
        Assert.All(journal.ReadFrom(0).Take(1776), e => Assert.Equal(PayloadOf(e.Zxid), e.Payload.ToArray()));
        // The record that was damaged before the migration is still found, by the CRC it was stored with.
        var error = Assert.Throws<JournalCorruptException>(() => journal.ReadFrom(Z(1, 1776)).ToList());
        Assert.Equal(Z(1, 1777), error.Zxid);
        Assert.Equal(Enumerable.Range(1778, 723).Select(c => Z(1, (uint)c)), journal.ReadFrom(Z(1, 1777)).Select(e => e.Zxid));
        journal.Dispose();
        Assert.Equal(2, ScalarSql("PRAGMA user_version"));
        Assert.Equal(0, ScalarSql("SELECT count(*) FROM sqlite_master WHERE name = 'txn_log'"));
    }

    /// <summary>A journal as the version-1 schema wrote it: one row per txn (zxid, payload, crc), epochs with their CRC.</summary>
    private void CreateVersion1Journal(int records, long damagedZxid)
    {
        using var db = Connect();
        using var tx = db.BeginTransaction();
        using (var create = db.CreateCommand())
        {
            create.Transaction = tx;
            create.CommandText =
                "CREATE TABLE txn_log(zxid INTEGER PRIMARY KEY, payload BLOB NOT NULL, crc INTEGER NOT NULL);" +
                "CREATE TABLE epochs(name TEXT PRIMARY KEY, value INTEGER NOT NULL, crc INTEGER NOT NULL) WITHOUT ROWID;" +
                "PRAGMA application_id = 1514883660; PRAGMA user_version = 1;";
            create.ExecuteNonQuery();
        }
        using var insert = db.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = "INSERT INTO txn_log(zxid, payload, crc) VALUES ($zxid, $payload, $crc)";
        for (uint c = 1; c <= records; c++)
        {
            var zxid = Z(1, c);
            var crc = Crc32C.ForRecord(zxid, PayloadOf(zxid));
            insert.Parameters.Clear();
            insert.Parameters.AddWithValue("$zxid", zxid);
            insert.Parameters.AddWithValue("$payload", PayloadOf(zxid));
            insert.Parameters.AddWithValue("$crc", (long)(zxid == damagedZxid ? crc ^ 1 : crc));
            insert.ExecuteNonQuery();
        }
        foreach (var (name, value) in new[] { ("acceptedEpoch", 7L), ("currentEpoch", 6L) })
        {
            insert.Parameters.Clear();
            insert.CommandText = "INSERT INTO epochs(name, value, crc) VALUES ($name, $value, $crc)";
            insert.Parameters.AddWithValue("$name", name);
            insert.Parameters.AddWithValue("$value", value);
            insert.Parameters.AddWithValue("$crc", (long)Crc32C.ForRecord(value, Encoding.ASCII.GetBytes(name)));
            insert.ExecuteNonQuery();
        }
        tx.Commit();
    }
}
