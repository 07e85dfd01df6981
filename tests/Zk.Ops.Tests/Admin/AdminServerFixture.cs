// One standalone zkactors process with its admin port, shared by the admin tests of a class: a small tree with data,
// an ephemeral and watches made by a real client session that stays open, and snapshots after every couple of txns.
using System.Text;
using System.Text.Json;
using Zk.Client;
using Zk.Protocol;

namespace Zk.Ops.Tests.Admin;

public sealed class AdminServerFixture : IAsyncLifetime
{
    public ZkActorsProcess Server { get; private set; } = null!;

    public ZooKeeperClient Client { get; private set; } = null!;

    public HttpClient Http => Server.Admin;

    public async Task InitializeAsync()
    {
        Server = await ZkActorsProcess.LaunchAsync(new Dictionary<string, string> { ["admin.enableServer"] = "true", ["snapCount"] = "2" }, "admin");
        Client = await ZooKeeperClient.ConnectAsync(Server.ConnectString, TimeSpan.FromSeconds(10));
        await Client.CreateAsync("/ops", Encoding.UTF8.GetBytes("{\"role\":\"root\"}"));
        await Client.CreateAsync("/ops/config", Encoding.UTF8.GetBytes("hello admin"));
        await Client.CreateAsync("/ops/binary", [0, 1, 2, 0xff]);
        await Client.CreateAsync("/ops/lock-", null, CreateMode.EphemeralSequential);
        for (var i = 0; i < 5; i++) await Client.SetDataAsync("/ops/config", Encoding.UTF8.GetBytes($"hello admin {i}"));
        // Watches last: a data watch is one-shot, and the writes above would have fired it.
        await Client.GetDataAsync("/ops/config", watch: true);
        await Client.GetChildrenAsync("/ops", watch: true);
    }

    public async Task<(int Status, JsonElement Json)> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString() ?? "", StringComparison.Ordinal);
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }
}
