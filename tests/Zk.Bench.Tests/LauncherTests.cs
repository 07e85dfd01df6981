// zkbench's own launcher (what `zkbench compare` uses): it starts the built server standalone on a free loopback
// port with its admin server off, waits until it serves, and stops it by PID when disposed.
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
}
