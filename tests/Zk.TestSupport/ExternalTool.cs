// Runs a command-line program (zkCli.sh, cli_mt, python3, keytool, docker-compose, bash) to completion with a
// deadline, feeding stdin and collecting its output. On timeout the whole process tree is killed by PID and the
// call fails with what the program printed. Thread-safe (one process per call).
using System.Diagnostics;

namespace Zk.TestSupport;

public sealed record ToolResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Both streams, for failure messages.</summary>
    public string Combined => Stderr.Length == 0 ? Stdout : Stdout + "\n" + Stderr;
}

public static class ExternalTool
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Runs <paramref name="file"/>. With <paramref name="mergeStderr"/> the process writes both streams into one
    /// pipe (through /bin/sh), so their relative order is what the program produced; Stderr is then empty.
    /// </summary>
    public static async Task<ToolResult> RunAsync(
        string file,
        IEnumerable<string> args,
        string? stdin = null,
        TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? environment = null,
        bool mergeStderr = false,
        string? workingDirectory = null)
    {
        var arguments = args.ToList();
        var psi = StartInfo(file, arguments, mergeStderr, environment, workingDirectory);
        using var process = ChildProcesses.Start(psi);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var limit = timeout ?? DefaultTimeout;
        using var cts = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            await ChildProcesses.KillAsync(process, entireProcessTree: true);
            throw new TimeoutException(
                $"{file} {string.Join(' ', arguments)} did not finish within {limit}\n--- stdout\n{await stdout}\n--- stderr\n{await stderr}");
        }
        return new ToolResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The start info every tool run here uses: all three streams redirected, no shell unless merging.</summary>
    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> args, bool mergeStderr = false,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var psi = mergeStderr ? new ProcessStartInfo("/bin/sh") : new ProcessStartInfo(file);
        if (mergeStderr)
        {
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("exec \"$0\" \"$@\" 2>&1");
            psi.ArgumentList.Add(file);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.RedirectStandardInput = true;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        return psi;
    }
}
