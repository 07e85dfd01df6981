// ISnapshotStore for the deterministic simulator, over an InMemoryDisk with the same file names and bytes as
// FileSnapshotStore. A committed snapshot is durable at once; Crash() abandons open writers, leaving their temp
// files behind for the next store over the disk to clean up. Thread-safe (one lock), as the contract requires.
using Zk.Core.Storage;

namespace Zk.Core.Testing;

public sealed class InMemorySnapshotStore : ISnapshotStore
{
    private readonly InMemoryDisk _disk;
    private readonly Lock _lock = new();
    private readonly List<Writer> _open = [];

    public InMemorySnapshotStore(InMemoryDisk? disk = null)
    {
        _disk = disk ?? new InMemoryDisk();
        lock (_lock)
        {
            foreach (var name in _disk.Files.Keys.Where(SnapshotNames.IsTemp).ToList())
                _disk.Files.Remove(name);
        }
    }

    public InMemoryDisk Disk => _disk;

    public ISnapshotWriter BeginWrite(long zxid)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(zxid);
        lock (_lock)
        {
            var temp = SnapshotNames.TempFor(zxid);
            if (!_disk.Files.TryAdd(temp, []))
                throw new IOException($"{_disk.Name}/{temp} already exists: another snapshot at this zxid is being written");
            var writer = new Writer(this, zxid, temp);
            _open.Add(writer);
            return writer;
        }
    }

    public IReadOnlyList<SnapshotInfo> List()
    {
        lock (_lock)
        {
            var found = new List<SnapshotInfo>();
            foreach (var (name, bytes) in _disk.Files)
            {
                if (SnapshotNames.TryParse(name, out var zxid))
                    found.Add(new SnapshotInfo(zxid, name, bytes.LongLength));
            }
            return [.. found.OrderByDescending(s => s.Zxid)];
        }
    }

    public Stream OpenRead(SnapshotInfo snapshot)
    {
        byte[] bytes;
        lock (_lock)
        {
            if (!_disk.Files.TryGetValue(snapshot.FileName, out var stored))
                throw new FileNotFoundException($"{_disk.Name}/{snapshot.FileName} does not exist", snapshot.FileName);
            bytes = (byte[])stored.Clone();
        }
        var stream = new MemoryStream(bytes, writable: false);
        var length = SnapshotFormat.Verify(stream, $"{_disk.Name}/{snapshot.FileName}", snapshot.Zxid);
        stream.Position = SnapshotFormat.HeaderBytes;
        return new BoundedReadStream(stream, length);
    }

    public IReadOnlyList<SnapshotInfo> PurgeAllButNewest(int retainCount)
    {
        SnapshotNames.CheckRetainCount(retainCount);
        var doomed = List().Skip(retainCount).ToList();
        lock (_lock)
        {
            foreach (var snapshot in doomed)
                _disk.Files.Remove(snapshot.FileName);
        }
        return doomed;
    }

    /// <summary>A process crash: open writers are abandoned mid-write and their temp files stay on the disk.</summary>
    public void Crash()
    {
        lock (_lock)
        {
            foreach (var writer in _open)
                writer.Abandon();
            _open.Clear();
        }
    }

    private SnapshotInfo Publish(Writer writer, byte[] bytes)
    {
        lock (_lock)
        {
            if (writer.Abandoned)
                throw new InvalidOperationException("the store crashed while this snapshot was being written");
            var name = SnapshotNames.For(writer.Zxid);
            _disk.Files.Remove(writer.TempName);
            _disk.Files[name] = bytes;
            _open.Remove(writer);
            return new SnapshotInfo(writer.Zxid, name, bytes.LongLength);
        }
    }

    private void Discard(Writer writer)
    {
        lock (_lock)
        {
            if (writer.Abandoned)
                return;
            _disk.Files.Remove(writer.TempName);
            _open.Remove(writer);
        }
    }

    private sealed class Writer : ISnapshotWriter
    {
        private readonly InMemorySnapshotStore _store;
        private readonly MemoryStream _buffer = new();
        private readonly SnapshotEncoderStream _encoder;
        private bool _done;

        public Writer(InMemorySnapshotStore store, long zxid, string tempName)
        {
            _store = store;
            Zxid = zxid;
            TempName = tempName;
            _encoder = new SnapshotEncoderStream(_buffer, zxid);
        }

        public long Zxid { get; }

        public string TempName { get; }

        public bool Abandoned { get; private set; }

        public Stream Content => _encoder;

        public SnapshotInfo Commit()
        {
            ObjectDisposedException.ThrowIf(_done, this);
            _encoder.Complete();
            var info = _store.Publish(this, _buffer.ToArray());
            _done = true;
            return info;
        }

        public void Abandon() => Abandoned = true;

        public void Dispose()
        {
            if (_done)
                return;
            _done = true;
            _store.Discard(this);
        }
    }
}
