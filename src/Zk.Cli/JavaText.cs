// Renders values the way the Java classes zkCli prints them do: Stat (StatPrinter), java.util.Date.toString,
// jute's record toString for ACL ids, List.toString, and the messages of zkCli's CliWrapperException. Pure.
using System.Globalization;
using System.Text;
using Zk.Client;
using Zk.Protocol;

namespace Zk.Cli;

internal static class JavaText
{
    public static void PrintStat(TextWriter o, Stat s, TimeZoneInfo tz)
    {
        o.Write($"cZxid = 0x{Hex(s.Czxid)}\n");
        o.Write($"ctime = {Date(s.Ctime, tz)}\n");
        o.Write($"mZxid = 0x{Hex(s.Mzxid)}\n");
        o.Write($"mtime = {Date(s.Mtime, tz)}\n");
        o.Write($"pZxid = 0x{Hex(s.Pzxid)}\n");
        o.Write($"cversion = {s.Cversion.ToString(CultureInfo.InvariantCulture)}\n");
        o.Write($"dataVersion = {s.Version.ToString(CultureInfo.InvariantCulture)}\n");
        o.Write($"aclVersion = {s.Aversion.ToString(CultureInfo.InvariantCulture)}\n");
        o.Write($"ephemeralOwner = 0x{Hex(s.EphemeralOwner)}\n");
        o.Write($"dataLength = {s.DataLength.ToString(CultureInfo.InvariantCulture)}\n");
        o.Write($"numChildren = {s.NumChildren.ToString(CultureInfo.InvariantCulture)}\n");
    }

    /// <summary>Long.toHexString: two's complement, lower case, no padding.</summary>
    public static string Hex(long v) => v.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>java.util.Date.toString: "EEE MMM dd HH:mm:ss zzz yyyy" in English.</summary>
    public static string Date(long epochMs, TimeZoneInfo tz)
    {
        var utc = DateTimeOffset.FromUnixTimeMilliseconds(epochMs);
        var local = TimeZoneInfo.ConvertTime(utc, tz);
        return local.ToString("ddd MMM dd HH:mm:ss", CultureInfo.InvariantCulture) + " " + ZoneName(tz, local)
               + " " + local.Year.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Java's short zone name where the tz database has one (CET, EST…), UTC, else GMT±hh:mm.</summary>
    public static string ZoneName(TimeZoneInfo tz, DateTimeOffset at)
    {
        if (tz.Id is "UTC" or "Etc/UTC" or "Etc/UCT" or "UCT" or "Universal" or "Zulu" or "Etc/Universal" or "Etc/Zulu") return "UTC";
        var name = tz.IsDaylightSavingTime(at) ? tz.DaylightName : tz.StandardName;
        if (name.Length is >= 2 and <= 5 && name.All(char.IsAsciiLetterUpper)) return name;
        var offset = tz.GetUtcOffset(at);
        if (offset == TimeSpan.Zero) return tz.BaseUtcOffset == TimeSpan.Zero && !tz.SupportsDaylightSavingTime ? "UTC" : "GMT";
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        return $"GMT{sign}{abs.Hours:00}:{abs.Minutes:00}";
    }

    /// <summary>A jute record's toString for an Id: 'scheme,'id and a newline, with jute's escapes.</summary>
    public static string IdRecord(Id id) => Escape(id.Scheme) + "," + Escape(id.Ident) + "\n";

    /// <summary>Java's AbstractCollection.toString.</summary>
    public static string List(IEnumerable<string> items) => "[" + string.Join(", ", items) + "]";

    /// <summary>zkCli's CliWrapperException wording for a KeeperException (the plain message for other codes).</summary>
    public static string WrapperMessage(KeeperException e) => e switch
    {
        NoNodeException => "Node does not exist: " + PathText(e),
        NoChildrenForEphemeralsException => "Ephemerals cannot have children: " + PathText(e),
        NodeExistsException => "Node already exists: " + PathText(e),
        NotEmptyException => "Node not empty: " + PathText(e),
        NotReadOnlyException => "Not a read-only call: " + PathText(e),
        InvalidAclException => "Acl is not valid : " + PathText(e),
        NoAuthException => "Insufficient permission : " + PathText(e),
        BadArgumentsException => "Arguments are not valid : " + PathText(e),
        BadVersionException => "version No is not valid : " + PathText(e),
        ReconfigInProgressException => "Another reconfiguration is in progress -- concurrent reconfigs not supported (yet)",
        NewConfigNoQuorumException => "No quorum of new config is connected and up-to-date with the leader of last commmitted config - try invoking reconfiguration after new servers are connected and synced",
        QuotaExceededException => "Quota has exceeded : " + PathText(e),
        _ => e.Message,
    };

    /// <summary>An ArgumentException's text without .NET's " (Parameter 'x')" suffix, as Java prints it.</summary>
    public static string PlainMessage(ArgumentException e) =>
        e.ParamName is { } p && e.Message.EndsWith($" (Parameter '{p}')", StringComparison.Ordinal)
            ? e.Message[..^$" (Parameter '{p}')".Length]
            : e.Message;

    private static string PathText(KeeperException e) => e.Path ?? "null";

    private static string Escape(string? s)
    {
        if (s is null) return "";
        var sb = new StringBuilder(s.Length + 1).Append('\'');
        foreach (var c in s)
        {
            sb.Append(c switch
            {
                '\0' => "%00",
                '\n' => "%0A",
                '\r' => "%0D",
                ',' => "%2C",
                '}' => "%7D",
                '%' => "%25",
                _ => c.ToString(),
            });
        }
        return sb.ToString();
    }
}
