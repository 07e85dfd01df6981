// Typed readings of zoo.cfg values; every failure is a ConfigException naming file, line, key and value.
// Pure and thread-safe.
using System.Globalization;

namespace Zk.Host.Config;

internal static class ConfigValues
{
    public const int MaxPort = 65535;

    public static int PositiveInt(ConfigEntry e) => Int(e, 1, "is not a positive integer");

    public static int AnyInt(ConfigEntry e) => Int(e, int.MinValue, "is not an integer");

    public static int NonNegativeInt(ConfigEntry e) => Int(e, 0, "is not a non-negative integer");

    public static int Port(ConfigEntry e)
    {
        var port = Int(e, 1, $"is not a port number (1-{MaxPort})");
        return port <= MaxPort ? port : throw ConfigException.For(e, $"is not a port number (1-{MaxPort})");
    }

    /// <summary>
    /// What ZooKeeper reads through Integer.getInteger (snapCount, jute.maxbuffer, ...) goes through Java's
    /// Integer.decode: "0x1f", "#1f" and octal "017" are numbers there, so they are here.
    /// </summary>
    public static long DecodedPositive(ConfigEntry e, long max = int.MaxValue) => Decoded(e, 1, max, "is not a positive integer");

    public static long DecodedNonNegative(ConfigEntry e, long max = int.MaxValue) => Decoded(e, 0, max, "is not a non-negative integer");

    private static long Decoded(ConfigEntry e, long min, long max, string problem)
    {
        var text = e.Value;
        var negative = text.StartsWith('-');
        if (negative || text.StartsWith('+'))
            text = text[1..];
        var (digits, radix) = text switch
        {
            _ when text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) => (text[2..], 16),
            _ when text.StartsWith('#') => (text[1..], 16),
            _ when text.Length > 1 && text.StartsWith('0') => (text[1..], 8),
            _ => (text, 10),
        };
        if (!negative && TryParseRadix(digits, radix, out var value) && value >= min && value <= max)
            return value;
        throw ConfigException.For(e, problem);
    }

    public static bool TrueFalse(ConfigEntry e) => e.Value.ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        _ => throw ConfigException.For(e, "is not true or false"),
    };

    /// <summary>ZooKeeper spells forceSync and skipACL as yes/no.</summary>
    public static bool YesNo(ConfigEntry e) => e.Value.ToLowerInvariant() switch
    {
        "yes" => true,
        "no" => false,
        _ => throw ConfigException.For(e, "is not yes or no"),
    };

    public static string NonEmpty(ConfigEntry e) =>
        e.Value.Length > 0 ? e.Value : throw ConfigException.For(e, "is empty");

    /// <summary>
    /// autopurge.purgeInterval: a bare number is hours (ZooKeeper's compatibility rule); otherwise a number with
    /// a unit: ms, s, m, h or d. Zero disables.
    /// </summary>
    public static long IntervalMs(ConfigEntry e)
    {
        var text = e.Value;
        var (number, unitMs) = text switch
        {
            _ when text.Length > 0 && char.IsAsciiDigit(text[^1]) => (text, 3_600_000L),
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 1L),
            _ when text.EndsWith('s') || text.EndsWith('S') => (text[..^1], 1_000L),
            _ when text.EndsWith('m') || text.EndsWith('M') => (text[..^1], 60_000L),
            _ when text.EndsWith('h') || text.EndsWith('H') => (text[..^1], 3_600_000L),
            _ when text.EndsWith('d') || text.EndsWith('D') => (text[..^1], 86_400_000L),
            _ => ("", 0L),
        };
        if (int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            return count * unitMs;
        throw ConfigException.For(e, "is not a time interval (a number of hours, or a number with ms, s, m, h or d)");
    }

    private static int Int(ConfigEntry e, int min, string problem)
    {
        if (int.TryParse(e.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min)
            return value;
        throw ConfigException.For(e, problem);
    }

    private static bool TryParseRadix(string digits, int radix, out long value)
    {
        value = 0;
        if (digits.Length == 0)
            return false;
        foreach (var c in digits)
        {
            var d = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetter(c) ? char.ToLowerInvariant(c) - 'a' + 10 : 99;
            if (d >= radix || value > (long.MaxValue - d) / radix)
                return false;
            value = value * radix + d;
        }
        return true;
    }
}
