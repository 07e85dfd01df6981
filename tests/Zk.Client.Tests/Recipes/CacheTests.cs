// Node cache and tree cache, with the persistent-watch path and the one-shot fallback, including a reconnect
// in the middle of changes.
using System.Text;
using Zk.Client.Recipes;
using Zk.Client.Tests.Infrastructure;
using Zk.Protocol;

namespace Zk.Client.Tests.Recipes;

public abstract class CacheTests(ServerFixture fx) : IAsyncLifetime
{
    private readonly string _root = ServerFixture.NewRoot("cache");
    private ZooKeeperClient _writer = null!;
    private ZooKeeperClient _reader = null!;

    public async Task InitializeAsync()
    {
        _writer = await fx.ConnectAsync();
        _reader = await fx.ConnectAsync();
        await _writer.CreateAsync(_root, null);
    }

    public async Task DisposeAsync()
    {
        await _reader.DisposeAsync();
        await _writer.DisposeAsync();
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(DataResult? d) => d?.Data is null ? "<none>" : Encoding.UTF8.GetString(d.Data);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Node_cache_follows_creation_changes_and_deletion(bool persistent)
    {
        var path = _root + "/node" + persistent;
        await using var cache = new NodeCache(_reader, path, persistent);
        await cache.StartAsync().Within();
        Assert.Null(cache.Current);
        Assert.Equal(persistent, cache.UsesPersistentWatch);
        var changes = cache.ChangesAsync().GetAsyncEnumerator();
        Assert.True(await changes.MoveNextAsync());
        Assert.Null(changes.Current);

        await _writer.CreateAsync(path, B("v1"));
        Assert.Equal("v1", S(await NextAsync(changes)));
        await _writer.SetDataAsync(path, B("v2"));
        Assert.Equal("v2", S(await NextAsync(changes)));
        await _writer.DeleteAsync(path);
        Assert.Null(await NextAsync(changes));
        await _writer.CreateAsync(path, B("v3"));
        Assert.Equal("v3", S(await NextAsync(changes)));
        Assert.Equal("v3", S(cache.Current));
        await changes.DisposeAsync();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Tree_cache_loads_the_subtree_and_reports_every_change(bool persistent)
    {
        var root = _root + "/tree" + persistent;
        await _writer.CreateAsync(root, B("r"));
        await _writer.CreateAsync(root + "/a", B("a"));
        await _writer.CreateAsync(root + "/a/b", B("b"));
        await using var cache = new TreeCache(_reader, root, persistent);
        var events = cache.EventsAsync().GetAsyncEnumerator();
        await cache.StartAsync().Within();

        Assert.Equal([root, root + "/a", root + "/a/b"], cache.Snapshot().Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["a"], cache.GetChildren(root));
        await ExpectAsync(events, TreeCacheEventType.NodeAdded, root);
        await ExpectAsync(events, TreeCacheEventType.NodeAdded, root + "/a");
        await ExpectAsync(events, TreeCacheEventType.NodeAdded, root + "/a/b");
        await ExpectAsync(events, TreeCacheEventType.Initialized, root);

        await _writer.CreateAsync(root + "/a/c", B("c"));
        Assert.Equal("c", S((await ExpectAsync(events, TreeCacheEventType.NodeAdded, root + "/a/c")).Node));
        await _writer.SetDataAsync(root + "/a/b", B("b2"));
        Assert.Equal("b2", S((await ExpectAsync(events, TreeCacheEventType.NodeUpdated, root + "/a/b")).Node));
        await _writer.DeleteAsync(root + "/a/c");
        await ExpectAsync(events, TreeCacheEventType.NodeRemoved, root + "/a/c");

        Assert.Equal(["b"], cache.GetChildren(root + "/a"));
        Assert.Equal("b2", S(cache.Get(root + "/a/b")));
        await events.DisposeAsync();
    }

    [Fact]
    public async Task Tree_cache_catches_up_with_changes_made_while_it_was_disconnected()
    {
        var root = _root + "/resync";
        await _writer.CreateAsync(root, null);
        await _writer.CreateAsync(root + "/keep", B("1"));
        await _writer.CreateAsync(root + "/drop", B("1"));
        await using var proxy = new TcpFaultProxy(fx.ConnectString);
        await using var zk = await fx.ConnectAsync(configure: o => o.ConnectString = proxy.Endpoint);
        await using var cache = new TreeCache(zk, root);
        await cache.StartAsync().Within();
        var events = cache.EventsAsync().GetAsyncEnumerator();

        proxy.Refuse();
        await _writer.SetDataAsync(root + "/keep", B("2"));
        await _writer.DeleteAsync(root + "/drop");
        await _writer.CreateAsync(root + "/new", B("n"));
        proxy.Accept();

        var seen = new List<(TreeCacheEventType, string)>();
        while (seen.Count < 3)
        {
            Assert.True(await events.MoveNextAsync().AsTask().Within());
            seen.Add((events.Current.Type, events.Current.Path));
        }
        Assert.Contains((TreeCacheEventType.NodeUpdated, root + "/keep"), seen);
        Assert.Contains((TreeCacheEventType.NodeRemoved, root + "/drop"), seen);
        Assert.Contains((TreeCacheEventType.NodeAdded, root + "/new"), seen);
        Assert.Equal(["keep", "new"], cache.GetChildren(root));
        await events.DisposeAsync();
    }

    private static async Task<DataResult?> NextAsync(IAsyncEnumerator<DataResult?> changes)
    {
        Assert.True(await changes.MoveNextAsync().AsTask().Within());
        return changes.Current;
    }

    private static async Task<TreeCacheEvent> ExpectAsync(IAsyncEnumerator<TreeCacheEvent> events, TreeCacheEventType type, string path)
    {
        Assert.True(await events.MoveNextAsync().AsTask().Within());
        Assert.Equal((type, path), (events.Current.Type, events.Current.Path));
        return events.Current;
    }
}

[Collection(RecipeCollection.Apache)]
public sealed class CacheTestsOnApache(ApacheFixture fx) : CacheTests(fx);

[Collection(RecipeCollection.ZkActors)]
public sealed class CacheTestsOnZkActors(ZkActorsFixture fx) : CacheTests(fx);
