// What the crash child and the test that kills it agree on: the payload of every zxid and the stdout lines.
// Pure; the test references this assembly to use the same definitions.
using System.Globalization;

namespace Zk.JournalCrashChild;

public static class CrashProtocol
{
    public const int PayloadBytes = 128;

    // Lines written to stdout, each with one write, each after the state it reports is durable (except "batch").
    // Several batches may be announced before the first of them is reported synced; synced lines follow batch order.
    public const string Accepted = "accepted";   // accepted <epoch>: acceptedEpoch synced
    public const string Batch = "batch";         // batch <firstZxid> <lastZxid>: about to be submitted to the journal
    public const string Synced = "synced";       // synced <lastZxid>: acknowledged, the batch and all before it are durable

    /// <summary>The payload logged for <paramref name="zxid"/>: deterministic, so a reader can check every byte.</summary>
    public static byte[] PayloadFor(long zxid)
    {
        var payload = new byte[PayloadBytes];
        // xorshift64 seeded by the zxid: cheap, and different for every zxid.
        var state = (ulong)zxid * 0x9E3779B97F4A7C15UL | 1;
        for (var i = 0; i < payload.Length; i++)
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            payload[i] = (byte)state;
        }
        return payload;
    }

    public static string Line(string kind, params long[] values) =>
        kind + " " + string.Join(' ', values.Select(v => v.ToString(CultureInfo.InvariantCulture)));

    public static bool TryParse(string line, out string kind, out long[] values)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        kind = parts.Length > 0 ? parts[0] : "";
        values = [];
        var expected = kind switch { Accepted => 1, Synced => 1, Batch => 2, _ => -1 };
        if (parts.Length != expected + 1)
            return false;
        values = new long[expected];
        for (var i = 0; i < expected; i++)
        {
            if (!long.TryParse(parts[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]))
                return false;
        }
        return true;
    }
}
