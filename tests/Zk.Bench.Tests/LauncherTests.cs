// zkbench's own launcher (what `zkbench compare` uses): it starts the built server standalone on a free loopback
// port with its admin server off, or as an ensemble of members on loopback, waits until it serves, and stops every
// process by PID when disposed.
using Zk.Bench.Compare;

namespace Zk.Bench.Tests;

public class LauncherTests
{
    [Fact]
    public async Task The_ZkActors_launcher_starts_a_serving_server_and_stops_it_by_pid()
    {
        var workRoot = Directory.CreateTempSubdirectory("zkbench-launcher-").FullName;
        try
        {
            var server = await new ZkActorsLauncher().StartAsync(workRoot, new LaunchSettings { ZkActorsDll = TestPaths.ZkActorsDll }, CancellationToken.None);
            var process = server.Process!;
            int port;
            await using (server)
            {
                port = int.Parse(server.ConnectString.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal([process.Id], server.Pids);
                Assert.Equal("imok", await FourLetterWord.SendAsync(port, "ruok"));
                Assert.Contains("Mode: standalone", await FourLetterWord.SendAsync(port, "srvr"), StringComparison.Ordinal);
                Assert.Contains("admin.enableServer=false", await File.ReadAllTextAsync(Path.Combine(server.WorkDir!, "zoo.cfg")), StringComparison.Ordinal);
            }
            Assert.Null(await FourLetterWord.TryAsync(port, "ruok"));
        }
        finally
        {
            TestPaths.TryDelete(workRoot);
        }
    }

    [Fact]
    public async Task The_ZkActors_launcher_starts_a_3_node_ensemble_with_one_leader_and_stops_every_pid()
    {
        var workRoot = Directory.CreateTempSubdirectory("zkbench-ensemble-").FullName;
        try
        {
            var settings = new LaunchSettings { ZkActorsDll = TestPaths.ZkActorsDll, TickTimeMs = 500 };
            var server = await new ZkActorsLauncher().StartEnsembleAsync(workRoot, settings, 3, CancellationToken.None);
            int[] ports;
            IReadOnlyList<int> pids;
            await using (server)
            {
                ports = server.ConnectString.Split(',').Select(Port).ToArray();
                pids = server.Pids;
                Assert.Equal(3, ports.Length);
                Assert.Equal(3, pids.Distinct().Count());
                var modes = new List<string?>();
                foreach (var port in ports)
                {
                    Assert.Equal("imok", await FourLetterWord.SendAsync(port, "ruok"));
                    modes.Add(EnsembleProbe.ParseMode(await FourLetterWord.SendAsync(port, "srvr")));
                }
                Assert.Single(modes, m => m == "leader");
                Assert.Equal(2, modes.Count(m => m == "follower"));
                for (var i = 0; i < 3; i++)
                {
                    var cfg = await File.ReadAllTextAsync(server.ConfigPaths[i]);
                    Assert.Contains("forceSync=yes\n", cfg, StringComparison.Ordinal);
                    Assert.Contains("admin.enableServer=false\n", cfg, StringComparison.Ordinal);
                    Assert.Contains($"server.3=127.0.0.1:", cfg, StringComparison.Ordinal);
                    var dataDir = Path.Combine(Path.GetDirectoryName(server.ConfigPaths[i])!, "data");
                    Assert.Equal($"{i + 1}", (await File.ReadAllTextAsync(Path.Combine(dataDir, "myid"))).Trim());
                }
            }
            foreach (var port in ports) Assert.Null(await FourLetterWord.TryAsync(port, "ruok"));
            foreach (var pid in pids) Assert.False(Directory.Exists($"/proc/{pid}"), $"pid {pid} still runs");
        }
        finally
        {
            TestPaths.TryDelete(workRoot);
        }
    }

    private static int Port(string hostPort) => int.Parse(hostPort.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
}
