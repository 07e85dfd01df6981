// The server process's exit codes: 2 for a bad configuration, 3 when the client port is taken, 4 when the data
// directory cannot be recovered (a journal that is not one, or a record whose checksum does not match).
using System.Globalization;
using Zk.Compat.Infrastructure;

namespace Zk.Compat.Durability;

public sealed class ProcessLifecycleTests(ITestOutputHelper output) : CompatTest(output)
{
    [Fact]
    public async Task A_bad_configuration_exits_with_code_2()
    {
        await using var server = Watch(new ZkActorsProcess(new Dictionary<string, string> { ["tickTime"] = "soon" }));
        Assert.Equal(ZkActorsProcess.ExitBadConfig, await server.RunUntilExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("tickTime", server.LogText());
    }

    [Fact]
    public async Task A_client_port_in_use_exits_with_code_3()
    {
        await using var first = Watch(await ZkActorsProcess.LaunchAsync());
        await using var second = Watch(new ZkActorsProcess(new Dictionary<string, string> { ["clientPort"] = first.ClientPort.ToString(CultureInfo.InvariantCulture) }, "zkactors-second"));
        Assert.Equal(ZkActorsProcess.ExitPortInUse, await second.RunUntilExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("imok", await FourLetterWordClient.SendAsync(first.ClientPort, "ruok"));
    }

    [Fact]
    public async Task A_journal_that_is_not_a_database_exits_with_code_4()
    {
        await using var server = Watch(await ZkActorsProcess.LaunchAsync());
        await using (var c = await RawZkClient.ConnectAsync(server.ClientPort)) await c.CreateAsync("/before").Ok();
        Assert.Equal(0, await server.StopAsync());
        var journal = Directory.GetFiles(server.DataDir, "*.db").Single();
        foreach (var f in Directory.GetFiles(server.DataDir, Path.GetFileName(journal) + "-*")) File.Delete(f);
        await File.WriteAllTextAsync(journal, string.Concat(Enumerable.Repeat("this is not a journal ", 500)));

        Assert.Equal(ZkActorsProcess.ExitBadData, await server.RunUntilExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(Path.GetFileName(journal), server.LogText());
    }

    [Fact]
    public async Task A_journal_record_with_a_bad_checksum_exits_with_code_4_naming_its_zxid()
    {
        await using var server = Watch(await ZkActorsProcess.LaunchAsync());
        await using (var c = await RawZkClient.ConnectAsync(server.ClientPort))
        {
            for (var i = 0; i < 5; i++) await c.CreateAsync($"/rec-{i}", "data").Ok();
        }
        Assert.Equal(0, await server.StopAsync());
        var journal = Directory.GetFiles(server.DataDir, "*.db").Single();
        // Flip one payload byte of the newest record with the system Python's sqlite3 (the server is stopped).
        var script = "import sqlite3,sys\n" +
                     "db=sqlite3.connect(sys.argv[1])\n" +
                     "z,p=db.execute('select zxid,payload from txn_log order by zxid desc limit 1').fetchone()\n" +
                     "p=bytearray(p); p[len(p)//2]^=0xff\n" +
                     "db.execute('update txn_log set payload=? where zxid=?',(bytes(p),z)); db.commit(); print('%x'%z)\n";
        var flip = await ExternalTool.RunAsync(CompatPaths.Python, ["-c", script, journal]);
        Assert.True(flip.ExitCode == 0, flip.Combined);
        var zxid = flip.Stdout.Trim();

        Assert.Equal(ZkActorsProcess.ExitBadData, await server.RunUntilExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"0x{zxid}", server.LogText());
    }
}
