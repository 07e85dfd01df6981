// The four-letter words, parsed and checked against the state a raw client just created. Every test runs against
// ZkActors and against Apache ZooKeeper 3.8, so the expectations are ZooKeeper's, not ours.
using System.Globalization;
using System.Text.RegularExpressions;
using Zk.Compat.Infrastructure;
using Zk.Protocol;

namespace Zk.Compat.FourLetterWords;

public sealed partial class FourLetterWordTests(PairFixture servers, ITestOutputHelper output) : CompatTest(output), IClassFixture<PairFixture>
{
    private ServerProcess Server(string which) => Watch<ServerProcess>(which == "zkactors" ? servers.ZkActors : servers.Apache);

    private static Task<string> Send(ServerProcess s, string word) => FourLetterWord.SendAsync(s.ClientPort, word);

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task Ruok_answers_imok_without_a_newline(string which)
    {
        Assert.Equal("imok", await Send(Server(which), "ruok"));
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task Isro_answers_rw_on_a_writable_server(string which)
    {
        Assert.Equal("rw", await Send(Server(which), "isro"));
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task Srvr_reports_standalone_mode_the_node_count_and_the_last_zxid(string which)
    {
        var server = Server(which);
        var before = Srvr(await Send(server, "srvr"));
        await using var c = await RawZkClient.ConnectAsync(server.ClientPort);
        var root = $"/srvr-{Guid.NewGuid():N}";
        await c.CreateAsync(root).Ok();
        for (var i = 0; i < 4; i++) await c.CreateAsync($"{root}/n{i}").Ok();

        var text = await Send(server, "srvr");
        var after = Srvr(text);
        Assert.Matches(@"^Zookeeper version: 3\.8\.\d+-\S+, built on \d{4}-\d\d-\d\d \d\d:\d\d UTC$", text.Split('\n')[0]);
        Assert.Matches(@"^\d+/\d+\.\d+/\d+$", after["Latency min/avg/max"]);
        Assert.Equal("standalone", after["Mode"]);
        Assert.Equal(Long(before["Node count"]) + 5, Long(after["Node count"]));
        Assert.Equal($"0x{c.LastZxid:x}", after["Zxid"]);
        Assert.True(Long(after["Connections"]) >= 1, text);
        Assert.True(Long(after["Received"]) > Long(before["Received"]), text);
        Assert.Equal("0", after["Outstanding"]);
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task Stat_lists_the_clients_before_the_srvr_fields(string which)
    {
        var server = Server(which);
        await using var c = await RawZkClient.ConnectAsync(server.ClientPort);
        await c.ExistsAsync("/").Ok();
        var text = await Send(server, "stat");
        var lines = text.Split('\n');
        Assert.StartsWith("Zookeeper version: ", lines[0]);
        Assert.Equal("Clients:", lines[1]);
        var blank = Array.IndexOf(lines, "", 2);
        Assert.True(blank > 2, text);
        Assert.All(lines[2..blank], l => Assert.Matches(@"^ /127\.0\.0\.1:\d+\[\d+\]\(queued=\d+,recved=\d+,sent=\d+\)$", l));
        var fields = Srvr(string.Join('\n', lines[(blank + 1)..]));
        Assert.Equal("standalone", fields["Mode"]);
        Assert.True(fields.ContainsKey("Node count"), text);
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task Cons_describes_each_session_with_its_id_last_op_and_timeout(string which)
    {
        var server = Server(which);
        await using var c = await RawZkClient.ConnectAsync(server.ClientPort, timeoutMs: 4000);
        await c.GetDataAsync("/").Ok();
        var text = await Send(server, "cons");
        Assert.EndsWith("\n\n", text);
        var line = text.Split('\n').SingleOrDefault(l => l.Contains($"sid=0x{c.SessionId:x},", StringComparison.Ordinal));
        Assert.True(line is not null, $"no cons line for session 0x{c.SessionId:x}:\n{text}");
        var m = ConsLine().Match(line!);
        Assert.True(m.Success, line);
        Assert.Equal("GETD", m.Groups["lop"].Value);
        Assert.Equal(c.Handshake.TimeoutMs.ToString(CultureInfo.InvariantCulture), m.Groups["to"].Value);
        Assert.Equal("0x1", m.Groups["lcxid"].Value);
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task Conf_lists_the_client_port_directories_and_session_timeouts(string which)
    {
        var server = Server(which);
        var conf = KeyValues(await Send(server, "conf"), '=');
        Assert.Equal(server.ClientPort.ToString(CultureInfo.InvariantCulture), conf["clientPort"]);
        Assert.Equal("500", conf["tickTime"]);
        Assert.Equal("1000", conf["minSessionTimeout"]);
        Assert.Equal("10000", conf["maxSessionTimeout"]);
        Assert.Equal("0", conf["serverId"]);
        Assert.StartsWith(server.DataDir, conf["dataDir"]);
        Assert.StartsWith(server.DataDir, conf["dataLogDir"]);
        Assert.True(long.Parse(conf["dataDirSize"], CultureInfo.InvariantCulture) > 0);
        Assert.True(long.Parse(conf["dataLogSize"], CultureInfo.InvariantCulture) > 0);
        foreach (var key in new[] { "secureClientPort", "maxClientCnxns", "clientPortListenBacklog" }) Assert.True(conf.ContainsKey(key), key);
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task Mntr_prints_tab_separated_zk_keys_with_version_and_state_first(string which)
    {
        var server = Server(which);
        await using var c = await RawZkClient.ConnectAsync(server.ClientPort);
        var before = KeyValues(await Send(server, "mntr"), '\t');
        await c.CreateAsync($"/mntr-{Guid.NewGuid():N}", "x", CreateMode.Ephemeral).Ok();

        var text = await Send(server, "mntr");
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.All(lines, l => Assert.Matches(@"^zk_[^\t\n]+\t\S.*$", l));
        Assert.StartsWith("zk_version\t3.8.", lines[0]);
        Assert.Equal("zk_server_state\tstandalone", lines[1]);
        var after = KeyValues(text, '\t');
        Assert.Equal(Long(before["zk_znode_count"]) + 1, Long(after["zk_znode_count"]));
        Assert.Equal(Long(before["zk_ephemerals_count"]) + 1, Long(after["zk_ephemerals_count"]));
        foreach (var key in new[] { "zk_avg_latency", "zk_packets_received", "zk_num_alive_connections", "zk_watch_count", "zk_approximate_data_size", "zk_global_sessions", "zk_open_file_descriptor_count" })
            Assert.True(after.ContainsKey(key), key);
        Assert.True(Long(after["zk_global_sessions"]) >= 1);
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task Wchs_wchc_and_wchp_report_data_watches_by_connection_and_by_path(string which)
    {
        var server = Server(which);
        var root = $"/w-{Guid.NewGuid():N}";
        await using var c = await RawZkClient.ConnectAsync(server.ClientPort);
        await c.CreateAsync(root).Ok();
        await c.GetDataAsync(root, watch: true).Ok();
        await c.ExistsAsync(root + "/missing", watch: true).Expect(KeeperErrorCode.NoNode);
        var sid = $"0x{c.SessionId:x}";

        var wchs = await Send(server, "wchs");
        Assert.Matches(@"^\d+ connections watching \d+ paths\nTotal watches:\d+\n$", wchs);

        var wchc = (await Send(server, "wchc")).Split('\n');
        var at = Array.IndexOf(wchc, sid);
        Assert.True(at >= 0, string.Join('\n', wchc));
        var mine = wchc.Skip(at + 1).TakeWhile(l => l.StartsWith('\t')).Select(l => l[1..]).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal([root, root + "/missing"], mine);

        var wchp = await Send(server, "wchp");
        Assert.Contains($"{root}\n\t{sid}\n", wchp);
        Assert.Contains($"{root}/missing\n\t{sid}\n", wchp);
        Assert.EndsWith("\n\n", wchp);
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task Dirs_reports_the_sizes_of_the_data_and_log_directories(string which)
    {
        var m = Regex.Match(await Send(Server(which), "dirs"), @"^datadir_size: (\d+)\nlogdir_size: (\d+)\n$");
        Assert.True(m.Success);
        Assert.True(long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) > 0);
        Assert.True(long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) > 0);
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task Envi_lists_the_server_environment(string which)
    {
        var text = await Send(Server(which), "envi");
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal("Environment:", lines[0]);
        var env = KeyValues(string.Join('\n', lines[1..]), '=');
        Assert.StartsWith("3.8.", env["zookeeper.version"]);
        foreach (var key in new[] { "host.name", "java.version", "os.name", "os.arch", "user.name", "user.dir", "os.memory.free", "os.memory.max", "os.memory.total" })
            Assert.True(env.ContainsKey(key), key);
        Assert.Matches(@"^\d+MB$", env["os.memory.max"]);
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task Crst_resets_the_counters_of_every_connection(string which)
    {
        var server = Server(which);
        await using var c = await RawZkClient.ConnectAsync(server.ClientPort);
        for (var i = 0; i < 3; i++) await c.ExistsAsync("/").Ok();
        Assert.Equal("Connection stats reset.\n", await Send(server, "crst"));
        var line = (await Send(server, "cons")).Split('\n').Single(l => l.Contains($"sid=0x{c.SessionId:x},", StringComparison.Ordinal));
        Assert.Contains("recved=0,sent=0,", line);
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task Srst_resets_the_server_counters(string which)
    {
        var server = Server(which);
        await using var c = await RawZkClient.ConnectAsync(server.ClientPort);
        for (var i = 0; i < 20; i++) await c.ExistsAsync("/").Ok();
        var before = Long(Srvr(await Send(server, "srvr"))["Received"]);
        Assert.Equal("Server stats reset.\n", await Send(server, "srst"));
        var after = Long(Srvr(await Send(server, "srvr"))["Received"]);
        Assert.True(after < before && after <= 2, $"Received {before} before srst, {after} after");
    }

    internal static Dictionary<string, string> Srvr(string text) => KeyValues(text, ':');

    internal static Dictionary<string, string> KeyValues(string text, char separator)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var i = line.IndexOf(separator, StringComparison.Ordinal);
            if (i > 0) d[line[..i].Trim()] = line[(i + 1)..].Trim();
        }
        return d;
    }

    private static long Long(string s) => long.Parse(s, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^ /127\.0\.0\.1:\d+\[\d+\]\(queued=\d+,recved=\d+,sent=\d+,sid=0x[0-9a-f]+,lop=(?<lop>[A-Z]+),est=\d+,to=(?<to>\d+),lcxid=(?<lcxid>0x[0-9a-f]+),lzxid=0x[0-9a-f]+,lresp=\d+,llat=\d+,minlat=\d+,avglat=\d+,maxlat=\d+\)$")]
    private static partial Regex ConsLine();
}
