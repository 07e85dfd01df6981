// The captured output of a server process: every stdout and stderr line with the harness's own markers between
// them (starting, SIGKILL, SIGTERM), bounded, with marks so a test can show only what happened while it ran.
// Thread-safe.
namespace Zk.TestSupport;

public abstract partial class ServerProcess
{
    private const int MaxLogLines = 200_000;

    private readonly List<string> _log = [];
    private int _trimmedLines;

    public IReadOnlyList<string> LogLines
    {
        get
        {
            lock (_log) return [.. _log];
        }
    }

    /// <summary>A position in the log, for <see cref="LogSince"/>.</summary>
    public int LogMark
    {
        get
        {
            lock (_log) return _trimmedLines + _log.Count;
        }
    }

    public string LogSince(int mark)
    {
        lock (_log) return string.Join('\n', _log.Skip(Math.Max(0, mark - _trimmedLines)));
    }

    public string LogText() => LogSince(0);

    /// <summary>Copies this server's output since <paramref name="mark"/> to a test's output (shown when it fails).</summary>
    public void WriteLogTo(ITestOutputHelper output, int mark = 0)
    {
        var text = LogSince(mark);
        if (text.Length == 0) return;
        try
        {
            output.WriteLine($"==== {Name} log (pid {_pid}, port {ClientPort}) ====\n{text}");
        }
        catch (InvalidOperationException)
        {
            // The test already finished; nothing to attach the log to.
        }
    }

    protected void AppendLog(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            // Bounded: a fuzzing run can log a line per broken frame.
            if (_log.Count >= MaxLogLines)
            {
                _log.RemoveRange(0, MaxLogLines / 2);
                _trimmedLines += MaxLogLines / 2;
            }
            _log.Add(line);
        }
    }
}
