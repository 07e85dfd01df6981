// The shape of one zkCli command: its name, option spec and usage text, parsing (with zkCli's compatibility
// rewrites) and execution against the shell's client. Commands are stateless; the shell calls them one at a time.
using Zk.Client;

namespace Zk.Cli;

/// <summary>What a command needs from the shell.</summary>
internal sealed class ShellContext(ZooKeeperClient zk, TextWriter output, TextWriter error, TimeZoneInfo timeZone)
{
    public ZooKeeperClient Zk { get; } = zk;

    public TextWriter Out { get; } = output;

    public TextWriter Err { get; } = error;

    public TimeZoneInfo TimeZone { get; } = timeZone;
}

internal abstract class CliCommand(string name, string optionText, params OptionSpec[] options)
{
    public string Name { get; } = name;

    /// <summary>The text after the name in usage lines and errors, e.g. "[-s] [-w] path".</summary>
    public string OptionText { get; } = optionText;

    public string Usage => Name + " " + OptionText;

    protected IReadOnlyList<OptionSpec> Options { get; } = options;

    /// <summary>Parses the words (command name first). The list may be rewritten, as zkCli rewrites its array.</summary>
    public virtual ParsedLine Parse(List<string> words, ShellContext c) => CommandParser.Parse(Options, words);

    public abstract Task ExecuteAsync(ParsedLine line, ShellContext c);

    /// <summary>zkCli's "x path [watch]" forms: warn, turn the third word into -w, parse again.</summary>
    protected ParsedLine RewriteWatchArgument(ParsedLine line, List<string> words, ShellContext c, string warning)
    {
        if (line.Args.Count <= 2) return line;
        words[2] = "-w";
        c.Err.Write(warning + "\n");
        return CommandParser.Parse(Options, words);
    }

    /// <summary>commons-cli's HelpFormatter output for this command's options (zkCli prints it for ls -?).</summary>
    protected void PrintHelp(TextWriter o, string syntax)
    {
        o.Write($"usage: {syntax}\n");
        var width = Options.Max(s => s.HasArg ? 2 + " <arg>".Length : 2);
        foreach (var s in Options.OrderBy(s => char.ToLowerInvariant(s.Name)))
        {
            var left = "-" + s.Name + (s.HasArg ? " <arg>" : "");
            o.Write($" {left.PadRight(width)}   {s.Description}\n");
        }
    }

    protected static int ParseInt(string text)
    {
        if (int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var v))
            return v;
        // zkCli lets Integer.parseInt's exception escape; this is its text.
        throw new CliException($"java.lang.NumberFormatException: For input string: \"{text}\"");
    }

    protected static async Task RunAsync(Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            throw new CliException(JavaText.PlainMessage(e));
        }
        catch (KeeperException e)
        {
            throw new CliException(JavaText.WrapperMessage(e));
        }
    }
}
