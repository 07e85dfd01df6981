// Runs a command-line client (zkCli.sh, cli_mt, python3) to completion with a deadline, feeding stdin and
// collecting its output. On timeout the whole process tree is killed by PID and the test fails with the output.
using System.Diagnostics;
using System.Text;

namespace Zk.Compat.Infrastructure;

public sealed record ToolResult(int ExitCode, string Stdout, string Stderr)
{
    public string Combined => Stdout + Stderr;
}

public static class ExternalTool
{
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

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var outDone = process.StandardOutput.ReadToEndAsync().ContinueWith(t => stdout.Append(t.Result), TaskScheduler.Default);
        var errDone = process.StandardError.ReadToEndAsync().ContinueWith(t => stderr.Append(t.Result), TaskScheduler.Default);
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            await Task.WhenAll(outDone, errDone);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout}\n--- stdout\n{stdout}\n--- stderr\n{stderr}");
        }
        await Task.WhenAll(outDone, errDone);
        return new ToolResult(process.ExitCode, stdout.ToString(), stderr.ToString());
    }
}
