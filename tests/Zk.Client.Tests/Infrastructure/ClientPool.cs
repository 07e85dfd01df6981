// The sessions one test opens on the shared server, closed together when the test ends. Not thread-safe: one test
// adds to it from its own flow.
namespace Zk.Client.Tests.Infrastructure;

public sealed class ClientPool(ServerFixture fx) : IAsyncDisposable
{
    private readonly List<ZooKeeperClient> _clients = [];

    /// <summary><paramref name="count"/> new clients of the shared server, connected at once.</summary>
    public async Task<ZooKeeperClient[]> ConnectAsync(int count)
    {
        var clients = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => fx.ConnectAsync()));
        _clients.AddRange(clients);
        return clients;
    }

    /// <summary>Takes a client made elsewhere (a special session or route) into the pool.</summary>
    public ZooKeeperClient Add(ZooKeeperClient client)
    {
        _clients.Add(client);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _clients) await c.DisposeAsync();
        _clients.Clear();
    }
}
