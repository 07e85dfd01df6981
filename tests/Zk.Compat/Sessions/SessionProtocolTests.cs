// The session handshake and reconnect protocol on the wire, side by side with Apache ZooKeeper 3.8: SetWatches after
// a reconnect, the lastZxidSeen guard, clients that leave out the readOnly byte, and reconfig on a standalone server.
using System.Buffers.Binary;
using Zk.Compat.BadInput;
using Zk.Compat.Infrastructure;
using Zk.Protocol;
using Zk.Protocol.Records;

namespace Zk.Compat.Sessions;

public sealed class SessionProtocolTests(PairFixture servers, ITestOutputHelper output) : CompatTest(output), IClassFixture<PairFixture>
{
    private ServerProcess Server(string which) => Watch<ServerProcess>(which == "zkactors" ? servers.ZkActors : servers.Apache);

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task SetWatches_after_a_reconnect_fires_what_was_missed_and_rearms_the_rest(string which)
    {
        var server = Server(which);
        var root = $"/sw-{Guid.NewGuid():N}";
        await using var writer = await RawZkClient.ConnectAsync(server.ClientPort);
        await writer.CreateAsync(root).Ok();
        foreach (var n in new[] { "changed", "deleted", "parent", "quiet", "quiet-parent" }) await writer.CreateAsync($"{root}/{n}", "v0").Ok();

        var first = await RawZkClient.ConnectAsync(server.ClientPort);
        long lastZxid;
        await using (first)
        {
            await first.GetDataAsync(root + "/changed", watch: true).Ok();
            lastZxid = first.LastZxid;
            first.Abort();
        }

        // While the client is away: one data change, one delete, one create, one child added.
        await writer.SetDataAsync(root + "/changed", "v1").Ok();
        await writer.DeleteAsync(root + "/deleted").Ok();
        await writer.CreateAsync(root + "/appeared").Ok();
        await writer.CreateAsync(root + "/parent/child").Ok();

        await using var back = await RawZkClient.ConnectAsync(server.ClientPort, sessionId: first.SessionId, password: first.Password, lastZxidSeen: lastZxid);
        Assert.True(back.SessionValid);
        var reply = await back.SendAsync(Xids.SetWatches, OpCode.SetWatches, new SetWatchesRequest(
            lastZxid,
            [root + "/changed", root + "/deleted", root + "/quiet"],
            [root + "/appeared", root + "/absent"],
            [root + "/parent", root + "/quiet-parent"],
            [], []));
        Assert.Equal(KeeperErrorCode.Ok, reply.Err);
        Assert.Equal(Xids.SetWatches, reply.Header.Xid);
        var missed = back.Wire.TakeWhile(w => w.Event is not null).Select(w => w.Event!).OrderBy(e => e.Path, StringComparer.Ordinal).ToList();
        Assert.Equal(
            [
                new WatcherEvent(EventType.NodeCreated, KeeperState.SyncConnected, root + "/appeared"),
                new WatcherEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, root + "/changed"),
                new WatcherEvent(EventType.NodeDeleted, KeeperState.SyncConnected, root + "/deleted"),
                new WatcherEvent(EventType.NodeChildrenChanged, KeeperState.SyncConnected, root + "/parent"),
            ],
            missed);
        Assert.Equal(5, back.Wire.Count);

        // What was not missed is armed again; what fired is not.
        await writer.SetDataAsync(root + "/quiet", "v1").Ok();
        await writer.CreateAsync(root + "/quiet-parent/kid").Ok();
        await writer.CreateAsync(root + "/absent").Ok();
        await writer.SetDataAsync(root + "/changed", "v2").Ok();
        await back.ExistsAsync("/").Ok();
        var later = back.Wire.Skip(5).Where(w => w.Event is not null).Select(w => (w.Event!.Type, w.Event.Path)).OrderBy(e => e.Path, StringComparer.Ordinal).ToList();
        Assert.Equal([(EventType.NodeCreated, root + "/absent"), (EventType.NodeDataChanged, root + "/quiet"), (EventType.NodeChildrenChanged, root + "/quiet-parent")], later);
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task SetWatches2_rearms_persistent_and_recursive_watches_without_catch_up_events(string which)
    {
        var server = Server(which);
        var root = $"/sw2-{Guid.NewGuid():N}";
        await using var writer = await RawZkClient.ConnectAsync(server.ClientPort);
        await writer.CreateAsync(root).Ok();
        await writer.CreateAsync(root + "/p").Ok();
        await writer.CreateAsync(root + "/r").Ok();
        await writer.SetDataAsync(root + "/p", "changed before the reconnect").Ok();

        await using var c = await RawZkClient.ConnectAsync(server.ClientPort);
        var reply = await c.SendAsync(7, OpCode.SetWatches2, new SetWatchesRequest(0, [], [], [], [root + "/p"], [root + "/r"]));
        Assert.Equal(KeeperErrorCode.Ok, reply.Err);
        Assert.Single(c.Wire);

        await writer.SetDataAsync(root + "/p", "a").Ok();
        await writer.CreateAsync(root + "/p/kid").Ok();
        await writer.CreateAsync(root + "/r/deep").Ok();
        await writer.CreateAsync(root + "/r/deep/deeper").Ok();
        await writer.SetDataAsync(root + "/p", "b").Ok();
        await c.ExistsAsync("/").Ok();
        var events = c.Wire.Where(w => w.Event is not null).Select(w => (w.Event!.Type, w.Event.Path)).ToList();
        Assert.Equal(
            [
                (EventType.NodeDataChanged, root + "/p"),
                (EventType.NodeChildrenChanged, root + "/p"),
                (EventType.NodeCreated, root + "/r/deep"),
                (EventType.NodeCreated, root + "/r/deep/deeper"),
                (EventType.NodeDataChanged, root + "/p"),
            ],
            events);
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task A_client_that_has_seen_a_later_zxid_is_turned_away_without_a_reply(string which)
    {
        var server = Server(which);
        var connect = FrameBytes.Connect();
        BinaryPrimitives.WriteInt64BigEndian(connect.AsSpan(4 + 4), 0x7fff_0000_0000_0000);
        var (bytes, closed) = await FrameBytes.SendAndReadAsync(server.ClientPort, connect);
        Assert.True(closed);
        Assert.Empty(bytes);
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task A_connect_request_without_the_readOnly_byte_gets_a_reply_without_it(string which)
    {
        var server = Server(which);
        var connect = FrameBytes.Connect();
        var old = connect[..^1];
        BinaryPrimitives.WriteInt32BigEndian(old, old.Length - 4);
        using var tcp = await RawZkClient.OpenSocketAsync(server.ClientPort);
        var stream = tcp.GetStream();
        await stream.WriteAsync(old);
        var reply = await RawZkClient.ReadFrameAsync(stream, CancellationToken.None);
        Assert.Equal(SessionCodec.ConnectResponseBytes - 1, reply!.Length);
        Assert.True(BinaryPrimitives.ReadInt32BigEndian(reply.AsSpan(4)) > 0, "a session was granted");
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task Reconfig_on_a_standalone_server_is_refused_with_ReconfigDisabled(string which)
    {
        await using var c = await RawZkClient.ConnectAsync(Server(which).ClientPort);
        var reply = await c.SendAsync(OpCode.Reconfig, new ReconfigRequest(null, null, "server.1=127.0.0.1:2888:3888", -1));
        Assert.Equal(KeeperErrorCode.ReconfigDisabled, reply.Err);
        await c.ExistsAsync("/").Ok();
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task WhoAmI_lists_the_ip_id_and_every_digest_added(string which)
    {
        await using var c = await RawZkClient.ConnectAsync(Server(which).ClientPort);
        await c.AddDigestAuthAsync("alice:secret").Ok();
        await c.AddDigestAuthAsync("bob:pw").Ok();
        var who = (await c.SendAsync(OpCode.WhoAmI, EmptyRequest.Instance)).Expect(KeeperErrorCode.Ok).As<WhoAmIResponse>();
        Assert.Equal(
            [("digest", "alice"), ("digest", "bob"), ("ip", "127.0.0.1")],
            who.ClientInfo.Select(i => (i.AuthScheme!, i.User!)).Order());
    }
}
