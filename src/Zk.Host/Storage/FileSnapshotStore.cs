// ISnapshotStore on files "snapshot.<zxid hex>" in dataDir: written to a temp file, fsynced, renamed into place,
// directory fsynced; leftover temp files from a crash are deleted at start. One writer plus any number of
// readers may use it concurrently (each call opens its own file handle).
using Zk.Actors.Journal;
using Zk.Core.Storage;

namespace Zk.Host.Storage;

public sealed class FileSnapshotStore : ISnapshotStore
{
    private const int WriteBufferBytes = 1 << 16;

    public FileSnapshotStore(string directory)
    {
        DirectoryPath = Path.GetFullPath(directory);
        Directory.CreateDirectory(DirectoryPath);
        foreach (var temp in Directory.EnumerateFiles(DirectoryPath, SnapshotNames.Prefix + "*" + SnapshotNames.TempSuffix))
        {
            // A torn write from a crash: never published, so never relied on.
            File.Delete(temp);
        }
    }

    public string DirectoryPath { get; }

    public ISnapshotWriter BeginWrite(long zxid)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(zxid);
        return new Writer(this, zxid);
    }

    public IReadOnlyList<SnapshotInfo> List()
    {
        var found = new List<SnapshotInfo>();
        foreach (var file in new DirectoryInfo(DirectoryPath).EnumerateFiles(SnapshotNames.Prefix + "*"))
        {
            if (SnapshotNames.TryParse(file.Name, out var zxid))
                found.Add(new SnapshotInfo(zxid, file.Name, file.Length));
        }
        return [.. found.OrderByDescending(s => s.Zxid)];
    }

    public Stream OpenRead(SnapshotInfo snapshot)
    {
        var path = Path.Combine(DirectoryPath, snapshot.FileName);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, WriteBufferBytes);
        try
        {
            var length = SnapshotFormat.Verify(file, path, snapshot.Zxid);
            file.Position = SnapshotFormat.HeaderBytes;
            return new BoundedReadStream(file, length);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public IReadOnlyList<SnapshotInfo> PurgeAllButNewest(int retainCount)
    {
        SnapshotNames.CheckRetainCount(retainCount);
        var doomed = List().Skip(retainCount).ToList();
        foreach (var snapshot in doomed)
            File.Delete(Path.Combine(DirectoryPath, snapshot.FileName));
        return doomed;
    }

    private sealed class Writer : ISnapshotWriter
    {
        private readonly FileSnapshotStore _store;
        private readonly string _tempPath;
        private readonly FileStream _file;
        private readonly SnapshotEncoderStream _encoder;
        private bool _done;

        public Writer(FileSnapshotStore store, long zxid)
        {
            _store = store;
            Zxid = zxid;
            _tempPath = Path.Combine(store.DirectoryPath, SnapshotNames.TempFor(zxid));
            // CreateNew: two writers of one zxid at once is a caller bug, and this makes it loud.
            _file = new FileStream(_tempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, WriteBufferBytes);
            try
            {
                _encoder = new SnapshotEncoderStream(_file, zxid);
            }
            catch
            {
                _file.Dispose();
                File.Delete(_tempPath);
                throw;
            }
        }

        public long Zxid { get; }

        public Stream Content => _encoder;

        public SnapshotInfo Commit()
        {
            ObjectDisposedException.ThrowIf(_done, this);
            _encoder.Complete();
            _file.Flush(flushToDisk: true);
            var size = _file.Length;
            _file.Dispose();
            var name = SnapshotNames.For(Zxid);
            File.Move(_tempPath, Path.Combine(_store.DirectoryPath, name), overwrite: true);
            DirectorySync.Fsync(_store.DirectoryPath);
            _done = true;
            return new SnapshotInfo(Zxid, name, size);
        }

        public void Dispose()
        {
            if (_done)
                return;
            _done = true;
            _file.Dispose();
            File.Delete(_tempPath);
        }
    }
}
