// Thrown when a stored record or snapshot fails its checksum or cannot be parsed. The server must refuse to
// start on it (DESIGN.md §5); the message names the file and, for log records, the zxid.
namespace Zk.Core.Storage;

public sealed class JournalCorruptException : Exception
{
    public JournalCorruptException(string fileName, long? zxid, string detail, Exception? inner = null)
        : base(Describe(fileName, zxid, detail), inner)
    {
        FileName = fileName;
        Zxid = zxid;
    }

    public JournalCorruptException()
        : this("(unknown file)", null, "corrupt")
    {
    }

    public JournalCorruptException(string message)
        : this("(unknown file)", null, message)
    {
    }

    public JournalCorruptException(string message, Exception inner)
        : this("(unknown file)", null, message, inner)
    {
    }

    public string FileName { get; }

    /// <summary>The zxid of the bad record, or null when the damage is not tied to one record (a snapshot, a header).</summary>
    public long? Zxid { get; }

    private static string Describe(string fileName, long? zxid, string detail) =>
        zxid is { } z
            ? $"{fileName}: record zxid 0x{z:x} is corrupt: {detail}"
            : $"{fileName}: corrupt: {detail}";
}
