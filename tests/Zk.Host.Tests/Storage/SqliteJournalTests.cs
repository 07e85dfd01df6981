// Runs the journal contract against SqliteJournal, plus what only the real file can show: raw byte damage found
// by the CRC, a newer schema refused, a foreign file refused, and the file lock against a second server.
using Microsoft.Data.Sqlite;
using Zk.Actors.Journal;
using Zk.Actors.Tests.Journal;
using Zk.Host.Storage;

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
        using (var db = Connect())
        {
            using var read = db.CreateCommand();
            read.CommandText = $"SELECT payload FROM txn_log WHERE zxid = {zxid}";
            var payload = (byte[])read.ExecuteScalar()!;
            payload[0] ^= 0x01;
            using var write = db.CreateCommand();
            write.CommandText = $"UPDATE txn_log SET payload = $payload WHERE zxid = {zxid}";
            write.Parameters.AddWithValue("$payload", payload);
            write.ExecuteNonQuery();
        }
        return SqliteJournal.Open(_dir.Path);
    }

    protected override IJournal CorruptCrcAndReopen(IJournal journal, long zxid)
    {
        journal.Dispose();
        Sql($"UPDATE txn_log SET crc = (crc | 1) - (crc & 1) WHERE zxid = {zxid}");
        return SqliteJournal.Open(_dir.Path);
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
        Sql("PRAGMA user_version = 2");
        var error = Assert.Throws<NotSupportedException>(() => SqliteJournal.Open(_dir.Path));
        Assert.Contains("version 2", error.Message, StringComparison.Ordinal);
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
    public void The_log_and_epochs_are_stored_with_one_row_per_record()
    {
        var journal = Open();
        AppendRange(journal, 1, 1, 3);
        journal.SetAcceptedEpoch(1);
        journal.Sync();
        journal.Dispose();
        Assert.Equal(3, ScalarSql("SELECT count(*) FROM txn_log"));
        Assert.Equal(Crc32C.ForRecord(Z(1, 2), PayloadOf(Z(1, 2))), (uint)ScalarSql($"SELECT crc FROM txn_log WHERE zxid = {Z(1, 2)}"));
        Assert.Equal(1, ScalarSql("SELECT value FROM epochs WHERE name = 'acceptedEpoch'"));
        Assert.Equal(1, ScalarSql("PRAGMA user_version"));
    }
}
