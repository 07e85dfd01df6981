// Runs a program to completion with the given stdin, capturing stdout and stderr apart, under TZ=UTC so Java and
// .NET print the same dates. Kills it (by PID) on timeout.
using System.Diagnostics;

namespace Zk.Client.Tests.Infrastructure;

public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr);

public static class ProcessRun
{
    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> args, string stdin, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["TZ"] = "UTC";
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + fileName);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish:\n{await stdout}\n{await stderr}");
        }
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Apache's zkCli.sh (ZK_CLI overrides the path).</summary>
    public static string ZkCliScript => Environment.GetEnvironmentVariable("ZK_CLI") ?? "/usr/share/zookeeper/bin/zkCli.sh";

    /// <summary>Our zkcli, run with the dotnet host that runs the tests.</summary>
    public static (string FileName, string[] Prefix) Zkcli()
    {
        var dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        return (dotnet, [Path.Combine(AppContext.BaseDirectory, "zkcli.dll")]);
    }
}
