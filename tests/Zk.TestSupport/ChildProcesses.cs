// Every child process a test starts goes through here and is remembered by PID until it exits. Whatever still runs
// when the test process itself exits (a test that failed before its dispose ran) is killed then, by PID, with its
// descendants: no server, JVM or tool outlives the test run that started it. Thread-safe.
using System.Diagnostics;

namespace Zk.TestSupport;

public static class ChildProcesses
{
    private static readonly HashSet<Process> Live = new(ReferenceEqualityComparer.Instance);

    static ChildProcesses() => AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();

    /// <summary>Starts <paramref name="psi"/> and tracks the process until it exits.</summary>
    public static Process Start(ProcessStartInfo psi)
    {
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {psi.FileName}");
        lock (Live) Live.Add(process);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => Forget(process);
        if (process.HasExited) Forget(process);
        return process;
    }

    /// <summary>SIGKILL to the process and, when asked, its descendants; waits for it to be gone. Safe if it already exited.</summary>
    public static async Task KillAsync(Process process, bool entireProcessTree)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree);
            await process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // It exited (or was never started) between the check and the kill.
        }
        Forget(process);
    }

    private static void Forget(Process process)
    {
        lock (Live) Live.Remove(process);
    }

    private static void KillAll()
    {
        List<Process> left;
        lock (Live)
        {
            left = [.. Live];
            Live.Clear();
        }
        foreach (var p in left)
        {
            try
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
    }
}
