// Snapshot file naming, shared by the file and in-memory stores: "snapshot.<zxid in lowercase hex>" like
// ZooKeeper, and "snapshot.<zxid>.tmp" while being written. Pure.
using System.Globalization;

namespace Zk.Core.Storage;

public static class SnapshotNames
{
    public const string Prefix = "snapshot.";
    public const string TempSuffix = ".tmp";

    /// <summary>ZooKeeper's floor for autopurge.snapRetainCount: fewer risks losing the only good snapshot.</summary>
    public const int MinRetainCount = 3;

    public static string For(long zxid) => Prefix + zxid.ToString("x", CultureInfo.InvariantCulture);

    public static string TempFor(long zxid) => For(zxid) + TempSuffix;

    public static bool IsTemp(string fileName) =>
        fileName.StartsWith(Prefix, StringComparison.Ordinal) && fileName.EndsWith(TempSuffix, StringComparison.Ordinal);

    /// <summary>Accepts only the canonical form, so "snapshot.0a" and "snapshot.a" cannot both claim zxid 10.</summary>
    public static bool TryParse(string fileName, out long zxid)
    {
        zxid = 0;
        if (!fileName.StartsWith(Prefix, StringComparison.Ordinal))
            return false;
        var hex = fileName.AsSpan(Prefix.Length);
        if (hex.Length is 0 or > 16)
            return false;
        foreach (var c in hex)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
                return false;
        }
        if (!long.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out zxid) || zxid < 0)
            return false;
        return For(zxid) == fileName;
    }

    public static void CheckRetainCount(int retainCount)
    {
        if (retainCount < MinRetainCount)
            throw new ArgumentOutOfRangeException(nameof(retainCount), $"at least {MinRetainCount} snapshots must be kept, not {retainCount}");
    }
}
