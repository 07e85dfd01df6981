// Snapshot storage of one server: checksummed, atomically published snapshot files, newest first.
// Implementations are safe for one writer plus readers on other threads (a fuzzy snapshot is written in the background).
namespace Zk.Core.Storage;

public sealed record SnapshotInfo(long Zxid, string FileName, long SizeBytes);

public interface ISnapshotStore
{
    /// <summary>
    /// Starts a snapshot of the state at <paramref name="zxid"/>: content goes to a temp file that no reader sees;
    /// <see cref="ISnapshotWriter.Commit"/> publishes it durably. A writer disposed without Commit leaves nothing.
    /// </summary>
    ISnapshotWriter BeginWrite(long zxid);

    /// <summary>Published snapshots, newest (highest zxid) first. Temp files of unfinished writes never appear.</summary>
    IReadOnlyList<SnapshotInfo> List();

    /// <summary>
    /// The content of a snapshot, after verifying its header and checksum; a damaged file throws
    /// <see cref="JournalCorruptException"/> naming it. The caller disposes the stream.
    /// </summary>
    Stream OpenRead(SnapshotInfo snapshot);

    /// <summary>
    /// Deletes all but the newest <paramref name="retainCount"/> snapshots (autopurge.snapRetainCount, at least
    /// <see cref="SnapshotNames.MinRetainCount"/>) and returns the deleted ones.
    /// </summary>
    IReadOnlyList<SnapshotInfo> PurgeAllButNewest(int retainCount);
}

public interface ISnapshotWriter : IDisposable
{
    long Zxid { get; }

    /// <summary>Write-only; checksummed as it is written.</summary>
    Stream Content { get; }

    /// <summary>Seals the file (length, checksum), fsyncs it, renames it into place and fsyncs the directory.</summary>
    SnapshotInfo Commit();
}

public static class SnapshotStoreExtensions
{
    public static SnapshotInfo Write(this ISnapshotStore store, long zxid, Action<Stream> writeContent)
    {
        using var writer = store.BeginWrite(zxid);
        writeContent(writer.Content);
        return writer.Commit();
    }

    public static byte[] ReadAllBytes(this ISnapshotStore store, SnapshotInfo snapshot)
    {
        using var content = store.OpenRead(snapshot);
        using var copy = new MemoryStream();
        content.CopyTo(copy);
        return copy.ToArray();
    }
}
