// Splits zoo.cfg text into key/value entries with line numbers, following java.util.Properties as ZooKeeper
// does: '#' or '!' comments, '=', ':' or whitespace between key and value, '\' line continuations and escapes,
// keys and values trimmed. Pure and thread-safe.
using System.Globalization;
using System.Text;

namespace Zk.Host.Config;

/// <summary>One "key=value" of a config file; <see cref="Line"/> is where it starts (1-based).</summary>
public sealed record ConfigEntry(string Key, string Value, string Source, int Line)
{
    public string Where => $"{Source} line {Line}";
}

public static class ZooCfgReader
{
    public static IReadOnlyList<ConfigEntry> Read(string text, string source)
    {
        var entries = new List<ConfigEntry>();
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var startLine = i + 1;
            var logical = lines[i].TrimStart(' ', '\t', '\f');
            if (logical.Length == 0 || logical[0] is '#' or '!')
                continue;
            // A line ending in an odd number of backslashes continues on the next one.
            while (EndsWithContinuation(logical) && i + 1 < lines.Length)
                logical = logical[..^1] + lines[++i].TrimStart(' ', '\t', '\f');
            if (EndsWithContinuation(logical))
                logical = logical[..^1];
            var (key, value) = Split(logical, source, startLine);
            entries.Add(new ConfigEntry(key.Trim(), value.Trim(), source, startLine));
        }
        return entries;
    }

    private static bool EndsWithContinuation(string line)
    {
        var backslashes = 0;
        for (var i = line.Length - 1; i >= 0 && line[i] == '\\'; i--)
            backslashes++;
        return backslashes % 2 == 1;
    }

    private static (string Key, string Value) Split(string line, string source, int lineNumber)
    {
        var keyEnd = 0;
        while (keyEnd < line.Length && !IsSeparator(line[keyEnd]))
            keyEnd += line[keyEnd] == '\\' ? 2 : 1;
        keyEnd = Math.Min(keyEnd, line.Length);
        var valueStart = keyEnd;
        while (valueStart < line.Length && line[valueStart] is ' ' or '\t' or '\f')
            valueStart++;
        if (valueStart < line.Length && line[valueStart] is '=' or ':')
            valueStart++;
        while (valueStart < line.Length && line[valueStart] is ' ' or '\t' or '\f')
            valueStart++;
        return (Unescape(line[..keyEnd], source, lineNumber), Unescape(line[valueStart..], source, lineNumber));
    }

    private static bool IsSeparator(char c) => c is '=' or ':' or ' ' or '\t' or '\f';

    private static string Unescape(string s, string source, int lineNumber)
    {
        if (!s.Contains('\\', StringComparison.Ordinal))
            return s;
        var result = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] != '\\' || i + 1 == s.Length)
            {
                result.Append(s[i]);
                continue;
            }
            var c = s[++i];
            switch (c)
            {
                case 't': result.Append('\t'); break;
                case 'n': result.Append('\n'); break;
                case 'r': result.Append('\r'); break;
                case 'f': result.Append('\f'); break;
                case 'u':
                    if (i + 4 >= s.Length || !int.TryParse(s.AsSpan(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                        throw new ConfigException($"{source} line {lineNumber}: malformed \\uXXXX escape");
                    result.Append((char)code);
                    i += 4;
                    break;
                default: result.Append(c); break;
            }
        }
        return result.ToString();
    }
}
