// Runs the snapshot store contract against FileSnapshotStore on a real temp directory.
using Zk.Actors.Journal;
using Zk.Core.Testing;
using Zk.Host.Storage;
using Zk.Core.Storage;

namespace Zk.Host.Tests.Storage;

public sealed class FileSnapshotStoreTests : SnapshotStoreContract, IDisposable
{
    private readonly TempDirectory _dir = new();

    protected override ISnapshotStore OpenStore() => new FileSnapshotStore(_dir.Path);

    protected override IReadOnlyList<string> RawFileNames() =>
        [.. Directory.EnumerateFiles(_dir.Path).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal)];

    protected override byte[] ReadRaw(string fileName) => File.ReadAllBytes(_dir.Combine(fileName));

    protected override void WriteRaw(string fileName, byte[] content) => File.WriteAllBytes(_dir.Combine(fileName), content);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_corruption_report_names_the_full_path()
    {
        var store = OpenStore();
        var info = WriteSnapshot(store, 0x77);
        var bytes = ReadRaw(info.FileName);
        bytes[100] ^= 1;
        WriteRaw(info.FileName, bytes);
        var error = Assert.Throws<JournalCorruptException>(() => store.OpenRead(info).Dispose());
        Assert.Equal(_dir.Combine("snapshot.77"), error.FileName);
    }

    [Fact]
    public void A_reader_keeps_its_snapshot_even_if_purge_deletes_the_file()
    {
        var store = OpenStore();
        foreach (var zxid in new long[] { 1, 2, 3, 4 })
            WriteSnapshot(store, zxid);
        using var reader = store.OpenRead(store.List()[^1]);
        store.PurgeAllButNewest(3);
        using var copy = new MemoryStream();
        reader.CopyTo(copy);
        Assert.Equal(ContentOf(1), copy.ToArray());
    }
}
