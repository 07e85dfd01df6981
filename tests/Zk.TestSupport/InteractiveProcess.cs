// A program kept running on pipes for a conversation: lines written to its stdin one command at a time, its stdout
// read line by line with a deadline (optionally with stderr merged into it, in the order written), everything kept
// as a transcript for failure messages. Killed with its process tree by PID on dispose. One caller at a time.
using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace Zk.TestSupport;

public sealed class InteractiveProcess : IAsyncDisposable
{
    private const int MaxStderrChars = 200_000;

    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _transcript = [];
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _outputEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Func<string, bool> _isOutput;

    private InteractiveProcess(Process process, string name, Func<string, bool>? isOutput)
    {
        _process = process;
        Name = name;
        _isOutput = isOutput ?? (_ => true);
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnStderr(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Every stdout line so far, including those <c>isOutput</c> kept from the readers.</summary>
    public string Transcript
    {
        get
        {
            lock (_transcript) return string.Join('\n', _transcript);
        }
    }

    /// <summary>The stdout lines so far, one entry per line.</summary>
    public IReadOnlyList<string> TranscriptLines
    {
        get
        {
            lock (_transcript) return [.. _transcript];
        }
    }

    /// <summary>Completes when stdout has ended: the program exited (or closed it) and every line is in the transcript.</summary>
    public Task OutputEnded => _outputEnded.Task;

    /// <summary>What the program wrote to stderr (empty when stderr is merged into stdout).</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr) return _stderr.ToString();
        }
    }

    /// <summary>
    /// Starts <paramref name="file"/>. <paramref name="isOutput"/> picks the stdout lines the Read methods return
    /// (others, such as a client library's log lines, only go to the transcript).
    /// </summary>
    public static InteractiveProcess Start(string file, IEnumerable<string> args, bool mergeStderr = false,
        IReadOnlyDictionary<string, string>? environment = null, Func<string, bool>? isOutput = null)
    {
        var psi = ExternalTool.StartInfo(file, args, mergeStderr, environment);
        return new InteractiveProcess(ChildProcesses.Start(psi), Path.GetFileName(file), isOutput);
    }

    public async Task WriteLinesAsync(params string[] lines)
    {
        foreach (var line in lines) await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>The next output line; a TimeoutException (with the transcript) when none comes in time or the program ended.</summary>
    public async Task<string> ReadLineAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await _lines.Reader.ReadAsync(cts.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            var why = e is ChannelClosedException ? "ended its output" : $"printed no line within {timeout}";
            throw new TimeoutException($"{Name} (pid {Pid}) {why}; transcript so far:\n{Transcript}\n--- stderr\n{Stderr}");
        }
    }

    /// <summary>Output lines up to and including the first one <paramref name="last"/> accepts, all within <paramref name="timeout"/>.</summary>
    public async Task<List<string>> ReadUntilAsync(Func<string, bool> last, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var lines = new List<string>();
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            var line = await ReadLineAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            lines.Add(line);
            if (last(line)) return lines;
        }
    }

    /// <summary>Waits for the program to exit on its own (after a quit command); returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL to the program alone (not its children): a crash, with no chance to clean up.</summary>
    public Task KillAsync() => ChildProcesses.KillAsync(_process, entireProcessTree: false);

    public async ValueTask DisposeAsync()
    {
        await ChildProcesses.KillAsync(_process, entireProcessTree: true);
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            _lines.Writer.TryComplete();
            _outputEnded.TrySetResult();
            return;
        }
        lock (_transcript) _transcript.Add(line);
        if (_isOutput(line)) _lines.Writer.TryWrite(line);
    }

    private void OnStderr(string? line)
    {
        if (line is null) return;
        lock (_stderr)
        {
            if (_stderr.Length < MaxStderrChars) _stderr.AppendLine(line);
        }
    }
}
