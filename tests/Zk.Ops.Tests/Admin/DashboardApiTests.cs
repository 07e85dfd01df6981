// The dashboard's JSON API against a real server: a node with data, stat, ACL and children; the prefix search;
// sessions with their ephemerals and watches; and this standalone server as its own ensemble.
using System.Text;
using System.Text.Json;

namespace Zk.Ops.Tests.Admin;

public sealed class DashboardApiTests(AdminServerFixture fx) : IClassFixture<AdminServerFixture>
{
    [Fact]
    public async Task A_node_comes_with_its_data_stat_acl_and_sorted_children()
    {
        var (status, node) = await fx.GetJsonAsync("/api/node?path=/ops");
        Assert.Equal(200, status);
        Assert.Equal("{\"role\":\"root\"}", node.GetProperty("data_utf8").GetString());
        Assert.Equal(3, node.GetProperty("num_children").GetInt32());
        var children = node.GetProperty("children").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Equal(children.Order(StringComparer.Ordinal), children);
        Assert.Contains("config", children);
        Assert.Equal("persistent", node.GetProperty("kind").GetString());
        var acl = node.GetProperty("acl")[0];
        Assert.Equal("world", acl.GetProperty("scheme").GetString());
        Assert.Equal("cdrwa", acl.GetProperty("perms").GetString());
        var stat = node.GetProperty("stat");
        Assert.Equal(3, stat.GetProperty("numChildren").GetInt32());
        Assert.StartsWith("0x", stat.GetProperty("czxid").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Binary_data_is_base64_with_no_text_and_a_missing_node_is_404()
    {
        var (_, node) = await fx.GetJsonAsync("/api/node?path=/ops/binary");
        Assert.Equal(Convert.ToBase64String([0, 1, 2, 0xff]), node.GetProperty("data_base64").GetString());
        Assert.Equal(JsonValueKind.Null, node.GetProperty("data_utf8").ValueKind);
        var (status, missing) = await fx.GetJsonAsync("/api/node?path=/ops/none");
        Assert.Equal(404, status);
        Assert.False(missing.GetProperty("exists").GetBoolean());
        var (bad, _) = await fx.GetJsonAsync("/api/node?path=relative");
        Assert.Equal(400, bad);
    }

    [Fact]
    public async Task Search_finds_every_path_under_a_prefix()
    {
        var (_, found) = await fx.GetJsonAsync("/api/search?prefix=/ops/c");
        Assert.Equal(["/ops/config"], found.GetProperty("paths").EnumerateArray().Select(p => p.GetString()));
        var (_, all) = await fx.GetJsonAsync("/api/search?prefix=/ops");
        var paths = all.GetProperty("paths").EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.Equal("/ops", paths[0]);
        Assert.Equal(4, paths.Count);
        var (_, limited) = await fx.GetJsonAsync("/api/search?prefix=/&limit=2");
        Assert.Equal(2, limited.GetProperty("paths").GetArrayLength());
        Assert.True(limited.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public async Task Sessions_list_their_ephemerals_and_watches()
    {
        var (_, json) = await fx.GetJsonAsync("/api/sessions");
        var mine = json.GetProperty("sessions").EnumerateArray().Single(s => s.GetProperty("session_id").GetString() == $"0x{fx.Client.SessionId:x}");
        Assert.StartsWith("/ops/lock-", mine.GetProperty("ephemerals")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains(mine.GetProperty("watches").EnumerateArray(), w => w.GetString() == "/ops/config");
        Assert.True(mine.GetProperty("connected_here").GetBoolean());
    }

    [Fact]
    public async Task A_standalone_server_is_an_ensemble_of_itself_with_no_lag()
    {
        var (_, json) = await fx.GetJsonAsync("/api/ensemble");
        Assert.True(json.GetProperty("standalone").GetBoolean());
        var self = json.GetProperty("servers").EnumerateArray().Single();
        Assert.Equal("standalone", self.GetProperty("mode").GetString());
        Assert.Equal(0, self.GetProperty("lag_txns").GetInt64());
        var (_, me) = await fx.GetJsonAsync("/api/self");
        Assert.Equal(fx.Server.ClientPort, me.GetProperty("client_port").GetInt32());
        Assert.True(me.GetProperty("serving").GetBoolean());
    }

    [Fact]
    public async Task Data_written_later_is_seen_by_the_next_read()
    {
        await fx.Client.CreateAsync("/later-node", Encoding.UTF8.GetBytes("later"));
        var (_, node) = await fx.GetJsonAsync("/api/node?path=/later-node");
        Assert.Equal("later", node.GetProperty("data_utf8").GetString());
    }
}
