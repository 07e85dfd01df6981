// The contract every ISnapshotStore must meet, run against the in-memory store here and the file store in
// Zk.Host.Tests. xunit makes a fresh instance — a fresh, empty store location — per test.
using System.Text;
using Zk.Core.Storage;

namespace Zk.Core.Testing;

public abstract class SnapshotStoreContract
{
    /// <summary>Opens a store over this test's location; a second call is a restart over the same files.</summary>
    protected abstract ISnapshotStore OpenStore();

    /// <summary>Names of every file at the location, temp files included.</summary>
    protected abstract IReadOnlyList<string> RawFileNames();

    protected abstract byte[] ReadRaw(string fileName);

    protected abstract void WriteRaw(string fileName, byte[] content);

    protected static byte[] ContentOf(long zxid, int length = 1000)
    {
        var content = new byte[length];
        new Random((int)zxid).NextBytes(content);
        return content;
    }

    protected static SnapshotInfo WriteSnapshot(ISnapshotStore store, long zxid, int length = 1000) =>
        store.Write(zxid, s => s.Write(ContentOf(zxid, length)));

    [Fact]
    public void A_written_snapshot_reads_back_byte_for_byte()
    {
        var store = OpenStore();
        var info = WriteSnapshot(store, 0x100000007);
        Assert.Equal(0x100000007, info.Zxid);
        Assert.Equal("snapshot.100000007", info.FileName);
        Assert.Equal(ContentOf(0x100000007), store.ReadAllBytes(info));
    }

    [Fact]
    public void Content_written_in_many_small_pieces_reads_back_whole()
    {
        var store = OpenStore();
        var content = ContentOf(9, 300_000);
        var info = store.Write(9, s =>
        {
            for (var i = 0; i < content.Length; i += 777)
                s.Write(content, i, Math.Min(777, content.Length - i));
        });
        Assert.Equal(content, store.ReadAllBytes(info));
    }

    [Fact]
    public void An_empty_snapshot_is_valid()
    {
        var store = OpenStore();
        var info = store.Write(5, _ => { });
        Assert.Empty(store.ReadAllBytes(info));
    }

    [Fact]
    public void List_returns_snapshots_newest_first()
    {
        var store = OpenStore();
        WriteSnapshot(store, 0x20);
        WriteSnapshot(store, 0x100000001);
        WriteSnapshot(store, 0x5);
        Assert.Equal([0x100000001L, 0x20L, 0x5L], store.List().Select(s => s.Zxid));
    }

    [Fact]
    public void A_restarted_store_sees_the_same_snapshots()
    {
        WriteSnapshot(OpenStore(), 7);
        WriteSnapshot(OpenStore(), 8);
        var store = OpenStore();
        Assert.Equal([8L, 7L], store.List().Select(s => s.Zxid));
        Assert.Equal(ContentOf(7), store.ReadAllBytes(store.List()[1]));
    }

    [Fact]
    public void A_writer_disposed_without_commit_leaves_nothing()
    {
        var store = OpenStore();
        using (var writer = store.BeginWrite(3))
            writer.Content.Write(ContentOf(3));
        Assert.Empty(store.List());
        Assert.Empty(RawFileNames());
    }

    [Fact]
    public void An_unfinished_write_is_invisible_until_committed()
    {
        var store = OpenStore();
        using var writer = store.BeginWrite(3);
        writer.Content.Write(ContentOf(3));
        Assert.Empty(store.List());
        writer.Commit();
        Assert.Single(store.List());
    }

    [Fact]
    public void A_torn_temp_file_is_ignored_and_removed_at_start()
    {
        var store = OpenStore();
        WriteSnapshot(store, 4);
        WriteRaw("snapshot.9.tmp", Encoding.ASCII.GetBytes("ZKSN half a snapsh"));
        Assert.Equal([4L], store.List().Select(s => s.Zxid));
        var restarted = OpenStore();
        Assert.Equal([4L], restarted.List().Select(s => s.Zxid));
        Assert.Equal(["snapshot.4"], RawFileNames());
    }

    [Theory]
    [InlineData(0)]     // magic
    [InlineData(9)]     // zxid in the header
    [InlineData(17)]    // length in the header
    [InlineData(24)]    // first content byte
    [InlineData(600)]   // middle of the content
    [InlineData(-1)]    // last trailer byte
    public void A_flipped_byte_anywhere_is_reported_naming_the_file(int offset)
    {
        var store = OpenStore();
        var info = WriteSnapshot(store, 0x42);
        var bytes = ReadRaw(info.FileName);
        bytes[offset >= 0 ? offset : bytes.Length + offset] ^= 0x20;
        WriteRaw(info.FileName, bytes);
        var error = Assert.Throws<JournalCorruptException>(() => store.OpenRead(store.List()[0]).Dispose());
        Assert.Contains("snapshot.42", error.FileName, StringComparison.Ordinal);
        Assert.Contains("snapshot.42", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(500)]
    [InlineData(1020)]
    public void A_truncated_snapshot_is_reported(int bytesCut)
    {
        var store = OpenStore();
        var info = WriteSnapshot(store, 0x42);
        var bytes = ReadRaw(info.FileName);
        WriteRaw(info.FileName, bytes[..^bytesCut]);
        Assert.Throws<JournalCorruptException>(() => store.OpenRead(store.List()[0]).Dispose());
    }

    [Fact]
    public void A_snapshot_renamed_to_another_zxid_is_reported()
    {
        var store = OpenStore();
        var info = WriteSnapshot(store, 0x42);
        WriteRaw("snapshot.43", ReadRaw(info.FileName));
        var error = Assert.Throws<JournalCorruptException>(() => store.OpenRead(store.List()[0]).Dispose());
        Assert.Contains("zxid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_that_are_not_canonical_snapshot_names_are_ignored()
    {
        var store = OpenStore();
        WriteSnapshot(store, 0xa);
        WriteRaw("snapshot.0a", ReadRaw("snapshot.a"));
        WriteRaw("snapshot.xyz", [1, 2, 3]);
        WriteRaw("snapshot.A", [1, 2, 3]);
        Assert.Equal(["snapshot.a"], store.List().Select(s => s.FileName));
    }

    [Fact]
    public void Purge_keeps_the_newest_snapshots_and_returns_the_deleted()
    {
        var store = OpenStore();
        foreach (var zxid in new long[] { 1, 5, 3, 9, 7 })
            WriteSnapshot(store, zxid);
        var deleted = store.PurgeAllButNewest(3);
        Assert.Equal([3L, 1L], deleted.Select(s => s.Zxid));
        Assert.Equal([9L, 7L, 5L], store.List().Select(s => s.Zxid));
        Assert.Equal([9L, 7L, 5L], OpenStore().List().Select(s => s.Zxid));
    }

    [Fact]
    public void Purge_with_fewer_snapshots_than_retained_deletes_nothing()
    {
        var store = OpenStore();
        WriteSnapshot(store, 1);
        Assert.Empty(store.PurgeAllButNewest(3));
        Assert.Single(store.List());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Purge_refuses_to_keep_fewer_than_three(int retainCount)
    {
        var store = OpenStore();
        Assert.Throws<ArgumentOutOfRangeException>(() => store.PurgeAllButNewest(retainCount));
    }

    [Fact]
    public void Rewriting_a_snapshot_at_the_same_zxid_replaces_it()
    {
        var store = OpenStore();
        WriteSnapshot(store, 6, length: 10);
        WriteSnapshot(store, 6, length: 20);
        var only = Assert.Single(store.List());
        Assert.Equal(ContentOf(6, 20), store.ReadAllBytes(only));
    }
}
