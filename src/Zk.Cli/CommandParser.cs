// Splits a shell line into words and words into options and arguments exactly as zkCli does: its quoting regex,
// then Apache commons-cli's DefaultParser rules (grouped flags, "-v3", "--", negative numbers as values). Pure.
using System.Text.RegularExpressions;

namespace Zk.Cli;

/// <summary>A command failed; Message is what zkCli prints to stderr and ExitCode what it exits with.</summary>
internal class CliException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

internal sealed record OptionSpec(char Name, bool HasArg, string Description);

/// <summary>The outcome of parsing: option values (null for flags) and the plain arguments, command name first.</summary>
internal sealed class ParsedLine(Dictionary<char, string?> options, List<string> args)
{
    public IReadOnlyList<string> Args { get; } = args;

    public bool Has(char option) => options.ContainsKey(option);

    public string? Value(char option) => options.GetValueOrDefault(option);
}

internal static partial class CommandParser
{
    // ZooKeeperMain's ARGS_PATTERN with Java's \s spelled out (Java's \s is ASCII-only).
    [GeneratedRegex("""[ \t\n\x0B\f\r]*([^"' \t\n\x0B\f\r][^ \t\n\x0B\f\r]*|"[^"]*"|'[^']*')[ \t\n\x0B\f\r]*""")]
    private static partial Regex Words();

    /// <summary>The words of a line; a word wholly in matching quotes loses them; an unclosed quote is dropped.</summary>
    public static List<string> Split(string line)
    {
        var words = new List<string>();
        foreach (Match m in Words().Matches(line))
        {
            var w = m.Groups[1].Value;
            if (w.Length >= 2 && (w[0] == '"' || w[0] == '\'') && w[^1] == w[0]) w = w[1..^1];
            words.Add(w);
        }
        return words;
    }

    /// <summary>commons-cli's DefaultParser for short options; errors carry commons-cli's exception text.</summary>
    public static ParsedLine Parse(IReadOnlyList<OptionSpec> specs, IReadOnlyList<string> tokens)
    {
        var options = new Dictionary<char, string?>();
        var args = new List<string>();
        OptionSpec? awaiting = null;
        var skipParsing = false;
        foreach (var token in tokens)
        {
            if (skipParsing)
            {
                args.Add(token);
            }
            else if (token == "--")
            {
                skipParsing = true;
            }
            else if (awaiting is not null && IsArgument(specs, token))
            {
                options[awaiting.Name] = token;
                awaiting = null;
            }
            else if (token.StartsWith("--", StringComparison.Ordinal))
            {
                throw Unrecognized(token);
            }
            else if (token.StartsWith('-') && token != "-")
            {
                HandleShort(specs, token, options, ref awaiting);
            }
            else
            {
                args.Add(token);
            }
        }
        CheckArgument(awaiting);
        return new ParsedLine(options, args);
    }

    private static void HandleShort(IReadOnlyList<OptionSpec> specs, string token, Dictionary<char, string?> options, ref OptionSpec? awaiting)
    {
        var body = token[1..];
        var eq = body.IndexOf('=', StringComparison.Ordinal);
        if (body.Length == 1)
        {
            Take(Find(specs, body[0]) ?? throw Unrecognized(token), options, ref awaiting);
        }
        else if (eq == 1 && Find(specs, body[0]) is { HasArg: true } withValue)
        {
            Take(withValue, options, ref awaiting);
            options[withValue.Name] = body[2..];
            awaiting = null;
        }
        else if (eq >= 0)
        {
            throw Unrecognized(token);
        }
        else
        {
            // Grouped flags ("-sw"), or an option with its value attached ("-v3").
            for (var i = 1; i < token.Length; i++)
            {
                var spec = Find(specs, token[i]) ?? throw Unrecognized(token);
                Take(spec, options, ref awaiting);
                if (awaiting is not null && i + 1 < token.Length)
                {
                    options[spec.Name] = token[(i + 1)..];
                    awaiting = null;
                    break;
                }
            }
        }
    }

    private static void Take(OptionSpec spec, Dictionary<char, string?> options, ref OptionSpec? awaiting)
    {
        CheckArgument(awaiting);
        options[spec.Name] = null;
        awaiting = spec.HasArg ? spec : null;
    }

    private static void CheckArgument(OptionSpec? awaiting)
    {
        if (awaiting is not null)
            throw new CliException("org.apache.commons.cli.MissingArgumentException: Missing argument for option: " + awaiting.Name);
    }

    // commons-cli: anything that is not one of our options, or is a negative number, can be an option's value.
    private static bool IsArgument(IReadOnlyList<OptionSpec> specs, string token)
    {
        var isOption = token.StartsWith('-') && token.Length >= 2 && Find(specs, token[1]) is not null;
        return !isOption || IsNegativeNumber(token);
    }

    private static bool IsNegativeNumber(string token) =>
        double.TryParse(token, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)
        && token.StartsWith('-');

    private static OptionSpec? Find(IReadOnlyList<OptionSpec> specs, char name)
    {
        foreach (var s in specs)
        {
            if (s.Name == name) return s;
        }
        return null;
    }

    private static CliException Unrecognized(string token) =>
        new("org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: " + token);
}
