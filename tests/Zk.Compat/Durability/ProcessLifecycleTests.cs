// The server process's exit codes: 2 for a bad configuration, 3 when the client port is taken, 4 when the data
// directory cannot be recovered (a journal that is not one, a record whose checksum does not match, a byte of the
// journal file flipped on disk, every snapshot damaged after the log was purged), with a message that names the file
// and the zxid; a damaged snapshot the log can do without is skipped for an older one.
using System.Globalization;
using System.Text;
using Zk.Protocol;
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
        Assert.Equal("imok", await FourLetterWord.SendAsync(first.ClientPort, "ruok"));
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
        // Flip one payload byte of the newest record with the system Python's sqlite3 (the server is stopped). A row
        // holds the records of one group commit: i64 zxid, i32 length, payload, u32 crc each, little-endian.
        var script = "import sqlite3,sys,struct\n" +
                     "db=sqlite3.connect(sys.argv[1])\n" +
                     "k,r=db.execute('select last_zxid,records from txn_batch order by last_zxid desc limit 1').fetchone()\n" +
                     "r=bytearray(r); at=0\n" +
                     "while True:\n" +
                     "    z,n=struct.unpack_from('<qi',r,at)\n" +
                     "    if z==k: break\n" +
                     "    at+=16+n\n" +
                     "r[at+12+n//2]^=0xff\n" +
                     "db.execute('update txn_batch set records=? where last_zxid=?',(bytes(r),k)); db.commit(); print('%x'%z)\n";
        var flip = await ExternalTool.RunAsync(TestPaths.Python, ["-c", script, journal]);
        Assert.True(flip.ExitCode == 0, flip.Combined);
        var zxid = flip.Stdout.Trim();

        Assert.Equal(ZkActorsProcess.ExitBadData, await server.RunUntilExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"0x{zxid}", server.LogText());
        Assert.Contains(Path.GetFileName(journal), server.LogText());
    }

    [Fact]
    public async Task A_byte_flipped_in_the_journal_file_on_disk_is_detected_at_start_naming_the_file_and_the_zxid()
    {
        await using var server = Watch(await ZkActorsProcess.LaunchAsync());
        var marker = "flip-a-byte-of-this-record-" + new string('q', 64);
        long zxid;
        await using (var c = await RawZkClient.ConnectAsync(server.ClientPort))
        {
            await c.CreateAsync("/before", "ok").Ok();
            zxid = (await c.CreateAsync("/victim", marker)).Expect(KeeperErrorCode.Ok).StatOf().Czxid;
            await c.CreateAsync("/after", "ok").Ok();
        }
        Assert.Equal(0, await server.StopAsync());
        var journal = Directory.GetFiles(server.DataDir, "*.db").Single();

        // SQLite keeps no checksums of its own: only the record's CRC can tell that these bytes changed.
        var flipped = 0;
        foreach (var file in Directory.GetFiles(server.DataDir, Path.GetFileName(journal) + "*"))
            flipped += FlipByteInside(file, Encoding.UTF8.GetBytes(marker));
        Assert.True(flipped > 0, $"the record's data was not found in {journal} or its WAL");

        Assert.Equal(ZkActorsProcess.ExitBadData, await server.RunUntilExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(Path.GetFileName(journal), server.LogText());
        Assert.Contains($"0x{zxid:x}", server.LogText());
    }

    [Fact]
    public async Task A_corrupt_newest_snapshot_is_skipped_for_an_older_one_and_nothing_is_lost()
    {
        var (server, newest) = await ServerWithSnapshotsAsync();
        await using (server)
        {
            FlipByte(newest);
            await server.StartAsync();
            await using (var c = await RawZkClient.ConnectAsync(server.ClientPort))
            {
                for (var i = 0; i < Writes; i++)
                    Assert.Equal($"v{i}", (await c.GetDataAsync($"/snap-{i}").Ok()).DataString());
            }
            Assert.Contains($"snapshot {Path.GetFileName(newest)}", server.LogText());
            Assert.Contains("is corrupt, using an older one", server.LogText());
        }
    }

    [Fact]
    public async Task Every_snapshot_corrupt_with_the_log_purged_exits_with_code_4_naming_the_snapshot()
    {
        var (server, _) = await ServerWithSnapshotsAsync();
        await using (server)
        {
            var snapshots = SnapshotFiles(server);
            foreach (var file in snapshots) FlipByte(file);
            Assert.Equal(ZkActorsProcess.ExitBadData, await server.RunUntilExitAsync(TimeSpan.FromSeconds(30)));
            // The oldest snapshot is the last one tried: without it the purged log cannot rebuild the tree.
            Assert.Contains(Path.GetFileName(snapshots[^1]), server.LogText());
            Assert.Contains("refusing to start", server.LogText());
        }
    }

    private const int Writes = 200;

    /// <summary>A stopped server that took several snapshots (snapCount 20, three kept) and purged its log to the
    /// oldest; returns it and its newest snapshot file.</summary>
    private async Task<(ZkActorsProcess Server, string Newest)> ServerWithSnapshotsAsync()
    {
        var server = Watch(await ZkActorsProcess.LaunchAsync(new Dictionary<string, string> { ["snapCount"] = "20" }));
        await using (var c = await RawZkClient.ConnectAsync(server.ClientPort))
        {
            for (var i = 0; i < Writes; i++) await c.CreateAsync($"/snap-{i}", $"v{i}").Ok();
        }
        Assert.Equal(0, await server.StopAsync());
        var files = SnapshotFiles(server);
        Assert.True(files.Count >= 3, $"expected three snapshots, found {files.Count}");
        return (server, files[0]);
    }

    /// <summary>The server's snapshot files, newest (highest zxid) first.</summary>
    private static List<string> SnapshotFiles(ServerProcess server) =>
        [.. Directory.GetFiles(server.DataDir, "snapshot.*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal))
            .OrderByDescending(f => long.Parse(Path.GetFileName(f)["snapshot.".Length..], NumberStyles.HexNumber, CultureInfo.InvariantCulture))];

    private static void FlipByte(string file)
    {
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(file, bytes);
    }

    /// <summary>Flips one bit in the middle of every copy of <paramref name="needle"/> in the file; returns how many.</summary>
    private static int FlipByteInside(string file, byte[] needle)
    {
        var bytes = File.ReadAllBytes(file);
        var copies = 0;
        for (var at = bytes.AsSpan().IndexOf(needle); at >= 0; )
        {
            bytes[at + needle.Length / 2] ^= 0x01;
            copies++;
            var next = bytes.AsSpan(at + needle.Length).IndexOf(needle);
            at = next < 0 ? -1 : at + needle.Length + next;
        }
        if (copies > 0) File.WriteAllBytes(file, bytes);
        return copies;
    }
}
