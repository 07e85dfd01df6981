// Shared/exclusive lock over one queue: readers wait only for the nearest writer queued ahead of them, writers for
// whoever is directly ahead. Same node scheme and fencing tokens as DistributedLock. Thread-safe.
namespace Zk.Client.Recipes;

public sealed class ReadWriteLock
{
    public ReadWriteLock(ZooKeeperClient zk, string path, byte[]? data = null)
    {
        ReadLock = new DistributedLock(zk, path, "read", data, NearestWriterAhead);
        WriteLock = new DistributedLock(zk, path, "write", data, DistributedLock.Predecessor);
    }

    /// <summary>Held by any number of readers at once, never together with a writer.</summary>
    public DistributedLock ReadLock { get; }

    /// <summary>Held by one writer at a time, never together with a reader.</summary>
    public DistributedLock WriteLock { get; }

    private static Contender? NearestWriterAhead(IReadOnlyList<Contender> contenders, int self)
    {
        for (var i = self - 1; i >= 0; i--)
        {
            if (contenders[i].Kind != "read") return contenders[i];
        }
        return null;
    }
}
