// Ensembles of one server kind on loopback: N members, each with its own directory, dataDir, myid file and a zoo.cfg
// that lists every member as server.N=127.0.0.1:QUORUM:ELECTION. Used by one caller at a time.
using System.Diagnostics;

namespace Zk.Bench.Compare;

public abstract partial class ServerLauncher
{
    /// <summary>
    /// Starts a fresh ensemble of <paramref name="members"/> members under <paramref name="workRoot"/> and waits until
    /// one leads and every other one follows it. The connect string lists every member, in myid order.
    /// </summary>
    public async Task<RunningServer> StartEnsembleAsync(string workRoot, LaunchSettings settings, int members, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(members, 2);
        var dir = Path.Combine(workRoot, $"{Slug}-ensemble-{Guid.NewGuid():N}");
        var ports = FreeLoopbackPorts(3 * members);
        var clientPorts = Enumerable.Range(0, members).Select(i => ports[3 * i]).ToArray();
        var serverLines = Enumerable.Range(0, members)
            .Select(i => $"server.{i + 1}=127.0.0.1:{ports[3 * i + 1]}:{ports[3 * i + 2]}")
            .ToArray();
        var configPaths = new List<string>();
        var logPaths = new List<string>();
        for (var i = 0; i < members; i++)
        {
            var memberDir = Path.Combine(dir, $"node{i + 1}");
            var dataDir = Path.Combine(memberDir, "data");
            Directory.CreateDirectory(dataDir);
            await File.WriteAllTextAsync(Path.Combine(dataDir, "myid"), $"{i + 1}\n", ct).ConfigureAwait(false);
            var configPath = Path.Combine(memberDir, "zoo.cfg");
            await File.WriteAllTextAsync(configPath, EnsembleZooCfg(settings.TickTimeMs, dataDir, clientPorts[i], serverLines), ct).ConfigureAwait(false);
            configPaths.Add(configPath);
            logPaths.Add(Path.Combine(memberDir, "server.log"));
        }

        var processes = new List<Process>();
        try
        {
            for (var i = 0; i < members; i++)
                processes.Add(StartProcess(StartInfo(configPaths[i], Path.GetDirectoryName(configPaths[i])!, settings, ensembleMember: true), logPaths[i]));
        }
        catch
        {
            foreach (var p in processes) KillAndForget(p);
            throw;
        }
        var connect = string.Join(',', clientPorts.Select(p => $"127.0.0.1:{p}"));
        var server = new RunningServer(Name, connect, processes, dir, logPaths, settings.KeepWorkDirs, this, configPaths);
        try
        {
            await EnsembleProbe.WaitUntilAllServeAsync(server, StartTimeout, ct).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Starts an ensemble member that has exited again, with its own zoo.cfg and dataDir, and puts it in its place in
    /// <paramref name="server"/>. Does not wait for it to rejoin (see <see cref="EnsembleProbe.WaitUntilAllServeAsync"/>).
    /// </summary>
    public void RestartMember(RunningServer server, int member, LaunchSettings settings)
    {
        var configPath = server.ConfigPaths[member];
        var process = StartProcess(StartInfo(configPath, Path.GetDirectoryName(configPath)!, settings, ensembleMember: true), server.LogPaths[member]);
        try
        {
            server.ReplaceMember(member, process);
        }
        catch
        {
            KillAndForget(process);
            throw;
        }
    }

    /// <summary>The standalone zoo.cfg plus one server.N line per member: the same for every member but dataDir and client port.</summary>
    public static string EnsembleZooCfg(int tickTimeMs, string dataDir, int clientPort, IReadOnlyList<string> serverLines) =>
        ZooCfg(tickTimeMs, dataDir, clientPort) + string.Join('\n', serverLines) + "\n";

    /// <summary>Distinct free loopback ports: the OS may hand out a port again once its probe socket is closed.</summary>
    public static int[] FreeLoopbackPorts(int count)
    {
        var ports = new HashSet<int>();
        while (ports.Count < count) ports.Add(FreeLoopbackPort());
        return [.. ports];
    }

    private static void KillAndForget(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill();
            process.WaitForExit(5000);
        }
        finally
        {
            process.Dispose();
        }
    }
}
