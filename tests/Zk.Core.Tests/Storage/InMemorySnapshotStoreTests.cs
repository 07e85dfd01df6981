// Runs the snapshot store contract against InMemorySnapshotStore, plus a crash in the middle of a write.
using Zk.Core.Testing;
using Zk.Core.Storage;

namespace Zk.Core.Tests.Storage;

public sealed class InMemorySnapshotStoreTests : SnapshotStoreContract
{
    private readonly InMemoryDisk _disk = new("server-1");

    protected override ISnapshotStore OpenStore() => new InMemorySnapshotStore(_disk);

    protected override IReadOnlyList<string> RawFileNames() => [.. _disk.FileNames];

    protected override byte[] ReadRaw(string fileName) => (byte[])_disk.ReadFile(fileName).Clone();

    protected override void WriteRaw(string fileName, byte[] content) => _disk.WriteFile(fileName, content);

    [Fact]
    public void A_crash_mid_write_leaves_a_temp_file_that_the_restarted_store_removes()
    {
        var store = new InMemorySnapshotStore(_disk);
        WriteSnapshot(store, 1);
        var writer = store.BeginWrite(2);
        writer.Content.Write(ContentOf(2));
        store.Crash();
        Assert.Throws<InvalidOperationException>(() => writer.Commit());
        Assert.Contains("snapshot.2.tmp", _disk.FileNames);
        var restarted = new InMemorySnapshotStore(_disk);
        Assert.Equal([1L], restarted.List().Select(s => s.Zxid));
        Assert.Equal(["snapshot.1"], _disk.FileNames);
    }
}
