// zkCli's ZooKeeperMain: options, the command loop (interactive or one-shot), history and redo, printwatches,
// connect/close/quit, and the event printing of its default watcher. Commands run one at a time on the caller's
// task; watch events are printed from the client's event task, each as one write.
using Zk.Client;

namespace Zk.Cli;

internal sealed record ShellOptions(string Server, int TimeoutMs, bool ReadOnly, bool WaitForConnection, List<string>? Command);

internal sealed partial class Shell
{
    private readonly TextWriter _out;
    private readonly TextWriter _err;
    private readonly TimeZoneInfo _timeZone;
    private readonly ShellOptions _options;
    private readonly Dictionary<int, string> _history = [];
    private readonly Dictionary<string, CliCommand> _commands = BuildCommands();
    private volatile bool _printWatches = true;
    private int _commandCount;
    private int _exitCode;
    private List<string>? _lastWords;
    private ZooKeeperClient? _zk;
    private string _host = "";

    public Shell(ShellOptions options, TextWriter output, TextWriter error, TimeZoneInfo? timeZone = null)
    {
        _options = options;
        // Watch events come from another task; each Write must land whole.
        _out = TextWriter.Synchronized(output);
        _err = TextWriter.Synchronized(error);
        _timeZone = timeZone ?? TimeZoneInfo.Local;
    }

    public IReadOnlyDictionary<int, string> History => _history;

    public int CommandCount => _commandCount;

    /// <summary>Java's -server/-timeout/-r/-waitforconnection/-client-configuration; the first other word starts a command.</summary>
    public static ShellOptions ParseOptions(IReadOnlyList<string> args)
    {
        string server = "localhost:2181";
        var timeout = 30000;
        bool readOnly = false, wait = false;
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            switch (a)
            {
                case "-server" when i + 1 < args.Count: server = args[++i]; continue;
                case "-timeout" when i + 1 < args.Count: timeout = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); continue;
                case "-client-configuration" when i + 1 < args.Count: i++; continue;
                case "-r": readOnly = true; continue;
                case "-waitforconnection": wait = true; continue;
                case "-server" or "-timeout" or "-client-configuration":
                    throw new CliException("Error: no argument found for option " + a);
            }
            if (!a.StartsWith('-')) return new ShellOptions(server, timeout, readOnly, wait, [.. args.Skip(i)]);
        }
        return new ShellOptions(server, timeout, readOnly, wait, null);
    }

    /// <summary>Runs the session: the one-shot command, or every line of <paramref name="input"/>. Returns the exit code.</summary>
    public async Task<int> RunAsync(TextReader input, LineEditor? editor = null)
    {
        _out.Write($"Connecting to {_options.Server}\n");
        try
        {
            await ConnectAsync(_options.Server).ConfigureAwait(false);
            if (_options.Command is { } command)
            {
                await ProcessAsync(command).ConfigureAwait(false);
                return _exitCode;
            }
            _out.Write("Welcome to ZooKeeper!\n");
            _out.Write(editor is null ? "JLine support is disabled\n" : "JLine support is enabled\n");
            while ((editor is null ? await input.ReadLineAsync().ConfigureAwait(false) : await editor.ReadLineAsync(Prompt()).ConfigureAwait(false)) is { } line)
            {
                await ExecuteLineAsync(line).ConfigureAwait(false);
            }
            return _exitCode;
        }
        catch (QuitException quit)
        {
            return quit.ExitCode;
        }
        finally
        {
            // zkCli exits without closing; closing quietly gives the same output and frees the session at once.
            _printWatches = false;
            if (_zk is not null) await _zk.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async Task ExecuteLineAsync(string line)
    {
        if (line.Length == 0) return;
        var words = CommandParser.Split(line);
        // zkCli keeps its previous command when a line has no words (only blanks): it runs that one again.
        if (words.Count > 0) _lastWords = words;
        _history[_commandCount] = line;
        if (_lastWords is not null) await ProcessAsync([.. _lastWords]).ConfigureAwait(false);
        _commandCount++;
    }

    private async Task ProcessAsync(List<string> words)
    {
        try
        {
            await ProcessCommandAsync(words).ConfigureAwait(false);
            _exitCode = 0;
        }
        catch (CliException e)
        {
            _exitCode = e.ExitCode;
            _err.Write(e.Message + "\n");
        }
    }

    private async Task ProcessCommandAsync(List<string> words)
    {
        var cmd = words[0];
        if (!Usage.Commands.ContainsKey(cmd) && !_commands.ContainsKey(cmd))
        {
            Usage.Print(_err);
            throw new CliException("Command not found: Command not found " + cmd, 127);
        }
        switch (cmd)
        {
            case "quit":
                if (_zk is not null) await _zk.CloseAsync().ConfigureAwait(false);
                throw new QuitException(_exitCode);
            case "redo" when words.Count >= 2:
                await RedoAsync(words[1]).ConfigureAwait(false);
                break;
            case "history":
                for (var i = _commandCount - 10; i <= _commandCount; i++)
                {
                    if (i >= 0) _out.Write($"{i} - {_history.GetValueOrDefault(i) ?? "null"}\n");
                }
                break;
            case "printwatches":
                if (words.Count == 1) _out.Write("printwatches is " + (_printWatches ? "on" : "off") + "\n");
                else _printWatches = words[1] == "on";
                break;
            case "connect":
                await ConnectAsync(words.Count >= 2 ? words[1] : _host).ConfigureAwait(false);
                break;
        }
        // Like zkCli, every command (the built-ins above too) then needs a live session.
        if (_zk is null || _zk.State.IsTerminal())
        {
            _out.Write("Not connected\n");
            return;
        }
        if (!_commands.TryGetValue(cmd, out var command)) return;
        var context = new ShellContext(_zk, _out, _err, _timeZone);
        var line = command.Parse(words, context);
        await command.ExecuteAsync(line, context).ConfigureAwait(false);
    }

    private async Task RedoAsync(string indexText)
    {
        var index = DecodeInt(indexText);
        if (_commandCount <= index || index < 0) throw new CliException("Command index out of range");
        var words = CommandParser.Split(_history[index]);
        if (words.Count > 0 && words[0] == "redo") throw new CliException("No redoing redos");
        _history[_commandCount] = _history[index];
        await ProcessAsync(words).ConfigureAwait(false);
    }

    private async Task ConnectAsync(string host)
    {
        if (_zk is not null && !_zk.State.IsTerminal()) await _zk.CloseAsync().ConfigureAwait(false);
        _host = host;
        var options = new ZooKeeperClientOptions(host)
        {
            SessionTimeout = TimeSpan.FromMilliseconds(_options.TimeoutMs),
            CanBeReadOnly = _options.ReadOnly,
            DefaultWatcher = PrintEvent,
        };
        ZooKeeperClient zk;
        try
        {
            zk = new ZooKeeperClient(options);
        }
        catch (ArgumentException e)
        {
            throw new CliException(JavaText.PlainMessage(e));
        }
        _zk = zk;
        if (!_options.WaitForConnection) return;
        using var deadline = new CancellationTokenSource(_options.TimeoutMs);
        try
        {
            await zk.WaitForConnectedAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or KeeperException)
        {
            await zk.CloseAsync().ConfigureAwait(false);
            throw new CliException(new ConnectionLossException().Message);
        }
    }

    private void PrintEvent(WatchedEvent e)
    {
        if (_printWatches) _out.Write($"\nWATCHER::\n\n{e}\n");
    }

    private string Prompt()
    {
        var state = _zk?.State switch
        {
            ConnectionState.Connected => "CONNECTED",
            ConnectionState.ConnectedReadOnly => "CONNECTEDREADONLY",
            ConnectionState.Closed or ConnectionState.Expired => "CLOSED",
            ConnectionState.AuthFailed => "AUTH_FAILED",
            null => "CLOSED",
            _ => "CONNECTING",
        };
        return $"[zk: {_host}({state}) {_commandCount}] ";
    }

    // Integer.decode: decimal, 0x/# hex, leading-zero octal, optional sign.
    private static int DecodeInt(string text)
    {
        var t = text;
        var negative = t.StartsWith('-');
        if (negative || t.StartsWith('+')) t = t[1..];
        try
        {
            var value = t.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? Convert.ToInt32(t[2..], 16)
                : t.StartsWith('#') ? Convert.ToInt32(t[1..], 16)
                : t.Length > 1 && t.StartsWith('0') ? Convert.ToInt32(t[1..], 8)
                : int.Parse(t, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture);
            return negative ? -value : value;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new CliException($"java.lang.NumberFormatException: For input string: \"{text}\"");
        }
    }

    private static Dictionary<string, CliCommand> BuildCommands()
    {
        CliCommand[] all =
        [
            new LsCommand(), new Ls2Command(), new GetCommand(), new StatCommand(), new GetAclCommand(), new GetEphemeralsCommand(),
            new GetAllChildrenNumberCommand(), new WhoAmICommand(), new SyncCommand(), new ConfigCommand(), new VersionCommand(),
            new CreateCommand(), new SetCommand(), new DeleteCommand(), new DeleteAllCommand(), new DeleteAllCommand("rmr"),
            new SetAclCommand(), new AddAuthCommand(), new AddWatchCommand(), new RemoveWatchesCommand(), new CloseCommand(),
            new UnsupportedCommand("setquota", "-n|-b|-N|-B val path"), new UnsupportedCommand("listquota", "path"),
            new UnsupportedCommand("delquota", "[-n|-b|-N|-B] path"), new UnsupportedCommand("reconfig", ""),
        ];
        return all.ToDictionary(c => c.Name, StringComparer.Ordinal);
    }

    private sealed class QuitException(int exitCode) : Exception
    {
        public int ExitCode { get; } = exitCode;
    }
}

/// <summary>zkCli's usage text: its command map, sorted, to stderr.</summary>
internal static class Usage
{
    public static readonly IReadOnlyDictionary<string, string> Commands = new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["addWatch"] = "[-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE",
        ["addauth"] = "scheme auth",
        ["close"] = "",
        ["config"] = "[-c] [-w] [-s]",
        ["connect"] = "host:port",
        ["create"] = "[-s] [-e] [-c] [-t ttl] path [data] [acl]",
        ["delete"] = "[-v version] path",
        ["deleteall"] = "path [-b batch size]",
        ["delquota"] = "[-n|-b|-N|-B] path",
        ["get"] = "[-s] [-w] path",
        ["getAcl"] = "[-s] path",
        ["getAllChildrenNumber"] = "path",
        ["getEphemerals"] = "path",
        ["history"] = "",
        ["listquota"] = "path",
        ["ls"] = "[-s] [-w] [-R] path",
        ["printwatches"] = "on|off",
        ["quit"] = "",
        ["reconfig"] = "[-s] [-v version] [[-file path] | [-members serverID=host:port1:port2;port3[,...]*]] | [-add serverId=host:port1:port2;port3[,...]]* [-remove serverId[,...]*]",
        ["redo"] = "cmdno",
        ["removewatches"] = "path [-c|-d|-a] [-l]",
        ["set"] = "[-s] [-v version] path data",
        ["setAcl"] = "[-s] [-v version] [-R] path acl",
        ["setquota"] = "-n|-b|-N|-B val path",
        ["stat"] = "[-w] path",
        ["sync"] = "path",
        ["version"] = "",
        ["whoami"] = "",
    };

    public static void Print(TextWriter err)
    {
        var text = new System.Text.StringBuilder("ZooKeeper -server host:port -client-configuration properties-file cmd args\n");
        foreach (var (cmd, options) in Commands) text.Append('\t').Append(cmd).Append(' ').Append(options).Append('\n');
        err.Write(text.ToString());
    }
}

internal sealed partial class Shell
{
    /// <summary>Znode paths that start with <paramref name="partial"/>, for Tab completion; none when offline.</summary>
    public async Task<List<string>> CompletePathAsync(string partial)
    {
        if (_zk is null || !_zk.State.IsConnected()) return [];
        var slash = partial.LastIndexOf('/');
        var parent = slash == 0 ? "/" : partial[..slash];
        var prefix = partial[(slash + 1)..];
        try
        {
            var children = await _zk.WithRequestTimeout(TimeSpan.FromSeconds(2)).GetChildrenAsync(parent).ConfigureAwait(false);
            return [.. children.Where(c => c.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal)
                .Select(c => Zk.Protocol.PathUtils.Child(parent, c))];
        }
        catch (Exception e) when (e is KeeperException or ArgumentException)
        {
            return [];
        }
    }
}
