// One-shot, persistent and recursive watches: which events fire, when they are consumed, their order relative
// to replies, their IAsyncEnumerable form, and removal.
using System.Text;
using Zk.Client.Tests.Infrastructure;
using Zk.Protocol;

namespace Zk.Client.Tests.Client;

public abstract class WatchTests(ServerFixture fx) : IAsyncLifetime
{
    private ZooKeeperClient _zk = null!;
    private ZooKeeperClient _other = null!;
    private readonly string _root = ServerFixture.NewRoot("watch");

    public async Task InitializeAsync()
    {
        _zk = await fx.ConnectAsync();
        _other = await fx.ConnectAsync();
        await _zk.CreateAsync(_root, null);
    }

    public async Task DisposeAsync()
    {
        await _zk.DisposeAsync();
        await _other.DisposeAsync();
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task An_exists_watch_racing_the_create_either_sees_the_node_or_gets_NodeCreated()
    {
        // exists with a watch on a missing node, sent while another session creates it: either the reply has the
        // Stat, or it says NoNode and the NodeCreated event follows. Never NoNode and silence (recipes that wait
        // for a node to appear, like kazoo's DoubleBarrier or a group member being put back, would hang).
        for (var i = 0; i < 300; i++)
        {
            var path = $"{_root}/race-{i}";
            var sink = new EventSink();
            var exists = _zk.ExistsAsync(path, sink.Watcher);
            var create = _other.CreateAsync(path, null);
            await Task.WhenAll(exists, create);
            if (await exists is null)
                Assert.Equal(new WatchedEvent(EventType.NodeCreated, KeeperState.SyncConnected, path), await sink.NextAsync(TimeSpan.FromSeconds(10)));
        }
    }

    [Fact]
    public async Task Data_watch_fires_once_for_a_change_and_is_then_consumed()
    {
        await _zk.CreateAsync(_root + "/a", B("1"));
        var sink = new EventSink();
        await _zk.GetDataAsync(_root + "/a", sink.Watcher);

        await _other.SetDataAsync(_root + "/a", B("2"));
        Assert.Equal(new WatchedEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, _root + "/a"), await sink.NextAsync());

        await _other.SetDataAsync(_root + "/a", B("3"));
        // A later watch on another node proves the server has already sent anything the first change would cause.
        var marker = new EventSink();
        await _zk.ExistsAsync(_root + "/marker", marker.Watcher);
        await _other.CreateAsync(_root + "/marker", null);
        await marker.NextAsync();
        Assert.Equal(0, sink.Count);
    }

    [Fact]
    public async Task Exists_watch_on_a_missing_node_fires_NodeCreated()
    {
        var sink = new EventSink();
        Assert.Null(await _zk.ExistsAsync(_root + "/later", sink.Watcher));
        await _other.CreateAsync(_root + "/later", null);

        Assert.Equal(EventType.NodeCreated, (await sink.NextAsync()).Type);
    }

    [Fact]
    public async Task Child_watch_fires_NodeChildrenChanged_and_delete_fires_NodeDeleted_for_both_kinds()
    {
        await _zk.CreateAsync(_root + "/p", null);
        var children = new EventSink();
        var data = new EventSink();
        await _zk.GetChildrenAsync(_root + "/p", children.Watcher);
        await _other.CreateAsync(_root + "/p/c", null);
        Assert.Equal(new WatchedEvent(EventType.NodeChildrenChanged, KeeperState.SyncConnected, _root + "/p"), await children.NextAsync());

        await _zk.GetChildrenAsync(_root + "/p/c", children.Watcher);
        await _zk.GetDataAsync(_root + "/p/c", data.Watcher);
        await _other.DeleteAsync(_root + "/p/c");

        Assert.Equal(EventType.NodeDeleted, (await children.NextAsync()).Type);
        Assert.Equal(EventType.NodeDeleted, (await data.NextAsync()).Type);
    }

    [Fact]
    public async Task A_watch_event_reaches_its_watcher_before_the_reply_to_the_change_that_caused_it()
    {
        await _zk.CreateAsync(_root + "/order", B("0"));
        var order = new List<string>();
        await _zk.GetDataAsync(_root + "/order", _ => { lock (order) order.Add("event"); });

        await _zk.SetDataAsync(_root + "/order", B("1"));
        lock (order) order.Add("reply");

        Assert.Equal(["event", "reply"], order);
    }

    [Fact]
    public async Task Persistent_watch_sees_every_event_of_its_node_and_stays()
    {
        await _zk.CreateAsync(_root + "/pw", null);
        var sink = new EventSink();
        await _zk.AddWatchAsync(_root + "/pw", AddWatchMode.Persistent, sink.Watcher);

        await _other.SetDataAsync(_root + "/pw", B("1"));
        await _other.SetDataAsync(_root + "/pw", B("2"));
        await _other.CreateAsync(_root + "/pw/kid", null);
        await _other.DeleteAsync(_root + "/pw/kid");

        Assert.Equal(EventType.NodeDataChanged, (await sink.NextAsync()).Type);
        Assert.Equal(EventType.NodeDataChanged, (await sink.NextAsync()).Type);
        Assert.Equal(EventType.NodeChildrenChanged, (await sink.NextAsync()).Type);
        Assert.Equal(EventType.NodeChildrenChanged, (await sink.NextAsync()).Type);
    }

    [Fact]
    public async Task Recursive_watch_sees_descendants_but_not_child_list_changes()
    {
        await _zk.CreateAsync(_root + "/rw", null);
        var sink = new EventSink();
        await _zk.AddWatchAsync(_root + "/rw", AddWatchMode.PersistentRecursive, sink.Watcher);

        await _other.CreateAsync(_root + "/rw/a", null);
        await _other.CreateAsync(_root + "/rw/a/b", null);
        await _other.SetDataAsync(_root + "/rw/a/b", B("x"));
        await _other.DeleteAsync(_root + "/rw/a/b");

        Assert.Equal(new WatchedEvent(EventType.NodeCreated, KeeperState.SyncConnected, _root + "/rw/a"), await sink.NextAsync());
        Assert.Equal(new WatchedEvent(EventType.NodeCreated, KeeperState.SyncConnected, _root + "/rw/a/b"), await sink.NextAsync());
        Assert.Equal(new WatchedEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, _root + "/rw/a/b"), await sink.NextAsync());
        Assert.Equal(new WatchedEvent(EventType.NodeDeleted, KeeperState.SyncConnected, _root + "/rw/a/b"), await sink.NextAsync());
    }

    [Fact]
    public async Task WatchAsync_streams_events_and_removes_the_watch_when_the_consumer_stops()
    {
        await _zk.CreateAsync(_root + "/stream", null);
        var seen = new List<WatchedEvent>();
        var ready = new TaskCompletionSource();
        using var cts = new CancellationTokenSource(Await.Long);
        var consumer = Task.Run(async () =>
        {
            await foreach (var e in _zk.WatchAsync(_root + "/stream", AddWatchMode.PersistentRecursive, cts.Token))
            {
                seen.Add(e);
                if (seen.Count == 2) break;
            }
        });
        // The watch is registered once the stream has started; wait for a round trip that follows it.
        await WaitUntilWatchedAsync(_root + "/stream");
        await _other.CreateAsync(_root + "/stream/x", null);
        await _other.SetDataAsync(_root + "/stream/x", B("y"));
        await consumer.Within();

        Assert.Equal([EventType.NodeCreated, EventType.NodeDataChanged], seen.Select(e => e.Type));
        Assert.False(_zk.Core.Watches.HasAny(_root + "/stream"));
    }

    [Fact]
    public async Task RemoveWatches_tells_the_removed_watcher_and_unknown_watches_give_NoWatcher()
    {
        await _zk.CreateAsync(_root + "/rm", null);
        var sink = new EventSink();
        await _zk.GetDataAsync(_root + "/rm", sink.Watcher);

        await _zk.RemoveWatchesAsync(_root + "/rm", sink.Watcher, WatcherType.Data);

        Assert.Equal(new WatchedEvent(EventType.DataWatchRemoved, KeeperState.SyncConnected, _root + "/rm"), await sink.NextAsync());
        await Assert.ThrowsAsync<NoWatcherException>(() => _zk.RemoveAllWatchesAsync(_root + "/rm", WatcherType.Any));
    }

    [Fact]
    public async Task RemoveAllWatches_drops_persistent_watches_on_the_server_too()
    {
        await _zk.CreateAsync(_root + "/rma", null);
        var sink = new EventSink();
        await _zk.AddWatchAsync(_root + "/rma", AddWatchMode.Persistent, sink.Watcher);
        await _zk.RemoveAllWatchesAsync(_root + "/rma", WatcherType.Any);
        Assert.Equal(EventType.PersistentWatchRemoved, (await sink.NextAsync()).Type);

        await _other.SetDataAsync(_root + "/rma", B("z"));
        var marker = new EventSink();
        await _zk.ExistsAsync(_root + "/rma-marker", marker.Watcher);
        await _other.CreateAsync(_root + "/rma-marker", null);
        await marker.NextAsync();
        Assert.Equal(0, sink.Count);
    }

    [Fact]
    public async Task Default_watcher_hears_the_connect_and_watch_true_events()
    {
        var sink = new EventSink();
        await using var zk = await fx.ConnectAsync(configure: o => o.DefaultWatcher = sink.Watcher);
        Assert.Equal(new WatchedEvent(EventType.None, KeeperState.SyncConnected, null), await sink.NextAsync());

        await zk.CreateAsync(_root + "/dw", null);
        await zk.ExistsAsync(_root + "/dw", watch: true);
        await _other.DeleteAsync(_root + "/dw");

        Assert.Equal(new WatchedEvent(EventType.NodeDeleted, KeeperState.SyncConnected, _root + "/dw"), await sink.NextAsync());
        Assert.Equal("WatchedEvent state:SyncConnected type:NodeDeleted path:" + _root + "/dw",
            new WatchedEvent(EventType.NodeDeleted, KeeperState.SyncConnected, _root + "/dw").ToString());
    }

    private async Task WaitUntilWatchedAsync(string path)
    {
        var deadline = DateTime.UtcNow + Await.Long;
        while (!_zk.Core.Watches.HasAny(path))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the stream never registered its watch");
            await _zk.SyncAsync("/");
        }
    }
}

[Collection(ClientCollection.Apache)]
public sealed class WatchTestsOnApache(ApacheFixture fx) : WatchTests(fx);

[Collection(ClientCollection.ZkActors)]
public sealed class WatchTestsOnZkActors(ZkActorsFixture fx) : WatchTests(fx);
