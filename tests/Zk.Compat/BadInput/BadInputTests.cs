// Malformed, truncated, oversized and unexpected input on the client port: only the offending connection is
// closed, with ZooKeeper's reply where it gives one, and a healthy session on the same server keeps working.
// Each case runs against ZkActors and Apache ZooKeeper 3.8 unless a comment says why 3.8.0 differs.
using System.Net.Sockets;
using System.Text;
using Zk.Compat.Infrastructure;
using Zk.Protocol;
using Zk.Protocol.Records;

namespace Zk.Compat.BadInput;

public sealed class BadInputFixture : PairFixture
{
    public const int MaxBuffer = 100_000;

    protected override IReadOnlyDictionary<string, string> Config => new Dictionary<string, string>
    {
        ["tickTime"] = "200",
        ["jute.maxbuffer"] = MaxBuffer.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

public sealed class BadInputTests(BadInputFixture servers, ITestOutputHelper output) : CompatTest(output), IClassFixture<BadInputFixture>, IAsyncLifetime
{
    private readonly Dictionary<string, RawZkClient> _healthy = [];

    private ServerProcess Server(string which) => Watch<ServerProcess>(which == "zkactors" ? servers.ZkActors : servers.Apache);

    public async Task InitializeAsync()
    {
        _healthy["zkactors"] = await RawZkClient.ConnectAsync(servers.ZkActors.ClientPort);
        _healthy["apache"] = await RawZkClient.ConnectAsync(servers.Apache.ClientPort);
        foreach (var c in _healthy.Values) c.StartKeepAlive();
    }

    /// <summary>After every case the healthy session of that server still answers, on its original connection.</summary>
    public async Task DisposeAsync()
    {
        foreach (var (which, c) in _healthy)
        {
            Assert.False(c.Closed.IsCompleted, $"the healthy connection to {which} was closed");
            await c.ExistsAsync("/").Ok();
            Assert.Null(c.Violation);
            await c.DisposeAsync();
        }
        Assert.True(servers.ZkActors.IsRunning, "zkactors died");
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task Garbage_before_the_handshake_closes_that_connection_without_a_reply(string which)
    {
        var (bytes, closed) = await FrameBytes.SendAndReadAsync(Server(which).ClientPort, Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: zk\r\n\r\n"));
        Assert.True(closed);
        Assert.Empty(bytes);
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task A_connect_request_too_short_to_decode_closes_the_connection_without_a_reply(string which)
    {
        var (bytes, closed) = await FrameBytes.SendAndReadAsync(Server(which).ClientPort, [.. FrameBytes.Length(10), .. "0123456789"u8]);
        Assert.True(closed);
        Assert.Empty(bytes);
    }

    [Theory]
    [InlineData("zkactors", BadInputFixture.MaxBuffer + 1)]
    [InlineData("zkactors", -5)]
    [InlineData("zkactors", int.MaxValue)]
    [InlineData("apache", BadInputFixture.MaxBuffer + 1)]
    [InlineData("apache", -5)]
    [InlineData("apache", int.MaxValue)]
    public async Task A_frame_length_beyond_jute_maxbuffer_or_negative_closes_the_connection_without_a_reply(string which, int length)
    {
        await using var c = await RawZkClient.ConnectAsync(Server(which).ClientPort);
        await c.SendRawAsync(FrameBytes.Length(length));
        await c.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(c.Wire);
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task A_frame_of_exactly_jute_maxbuffer_bytes_is_accepted(string which)
    {
        await using var c = await RawZkClient.ConnectAsync(Server(which).ClientPort);
        var path = $"/big-{Guid.NewGuid():N}";
        await c.CreateAsync(path).Ok();
        // Payload: header 8 + path (4 + n) + data (4 + d) + version 4 = maxbuffer.
        var data = new byte[BadInputFixture.MaxBuffer - 8 - (4 + path.Length) - 4 - 4];
        var frame = FrameBytes.Request(7, OpCode.SetData, new SetDataRequest(path, data, -1));
        Assert.Equal(BadInputFixture.MaxBuffer + 4, frame.Length);
        var reply = c.ExpectReply(7, OpCode.SetData);
        await c.SendRawAsync(frame);
        Assert.Equal(data.Length, (await reply).Expect(KeeperErrorCode.Ok).StatOf().DataLength);
    }

    // Opcode 20 (deleteContainer) is the reaper's own; ZooKeeper 3.8.0 accepts it from clients too (and so deletes
    // empty containers without an ACL check), which we do not copy: for us it is unknown like any other.
    [Theory]
    [InlineData("zkactors", 999)]
    [InlineData("zkactors", 0)]
    [InlineData("zkactors", 20)]
    [InlineData("zkactors", -10)]
    [InlineData("apache", 999)]
    [InlineData("apache", 0)]
    public async Task An_unknown_opcode_is_answered_Unimplemented_and_the_connection_closed(string which, int op)
    {
        await using var c = await RawZkClient.ConnectAsync(Server(which).ClientPort);
        var reply = c.ExpectReply(5, (OpCode)op);
        await c.SendRawAsync(FrameBytes.RawRequest(5, op, []));
        Assert.Equal(new ReplyHeader(5, -1, KeeperErrorCode.Unimplemented), (await reply).Header);
        await c.Closed.WaitAsync(TimeSpan.FromSeconds(10));
    }

    // ZooKeeper 3.8.0 never answers a stand-alone check; 3.8.4 (our target) answers Unimplemented and closes.
    [Fact]
    public async Task A_check_outside_multi_is_answered_Unimplemented_and_the_connection_closed()
    {
        await using var c = await RawZkClient.ConnectAsync(Server("zkactors").ClientPort);
        var reply = c.ExpectReply(3, OpCode.Check);
        await c.SendRawAsync(FrameBytes.Request(3, OpCode.Check, new CheckVersionRequest("/", -1)));
        Assert.Equal(new ReplyHeader(3, -1, KeeperErrorCode.Unimplemented), (await reply).Header);
        await c.Closed.WaitAsync(TimeSpan.FromSeconds(10));
    }

    // ZooKeeper 3.8.0 closes at once and loses replies still queued for earlier requests; we answer them first.
    [Fact]
    public async Task Requests_before_an_unknown_opcode_are_answered_first_in_order()
    {
        await using var c = await RawZkClient.ConnectAsync(Server("zkactors").ClientPort);
        var ping = c.ExpectReply(Xids.Ping, OpCode.Ping);
        var exists = c.ExpectReply(2, OpCode.Exists);
        var bad = c.ExpectReply(3, (OpCode)999);
        await c.SendRawAsync(FrameBytes.Concat(
            FrameBytes.Request(Xids.Ping, OpCode.Ping, EmptyRequest.Instance),
            FrameBytes.Request(2, OpCode.Exists, new ExistsRequest("/", false)),
            FrameBytes.RawRequest(3, 999, [])));
        (await ping).Expect(KeeperErrorCode.Ok);
        (await exists).Expect(KeeperErrorCode.Ok);
        (await bad).Expect(KeeperErrorCode.Unimplemented);
        await c.Closed.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task A_body_that_does_not_decode_is_answered_MarshallingError_and_the_connection_stays(string which)
    {
        await using var c = await RawZkClient.ConnectAsync(Server(which).ClientPort);
        var truncated = c.ExpectReply(1, OpCode.GetData);
        var empty = c.ExpectReply(2, OpCode.GetData);
        // A path length of 50 with 3 bytes behind it, then a getData with no body at all.
        await c.SendRawAsync(FrameBytes.Concat(
            FrameBytes.RawRequest(1, (int)OpCode.GetData, [0, 0, 0, 50, (byte)'/', (byte)'a', (byte)'b']),
            FrameBytes.RawRequest(2, (int)OpCode.GetData, [])));
        (await truncated).Expect(KeeperErrorCode.MarshallingError);
        (await empty).Expect(KeeperErrorCode.MarshallingError);
        await c.ExistsAsync("/").Ok();
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task A_multi_with_a_read_inside_is_answered_MarshallingError_and_the_connection_stays(string which)
    {
        await using var c = await RawZkClient.ConnectAsync(Server(which).ClientPort);
        var mixed = new byte[] { 0, 0, 0, 4, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, (byte)'/', 0, 0xff, 0xff, 0xff, 0xff, 1, 0xff, 0xff, 0xff, 0xff };
        var reply = c.ExpectReply(1, OpCode.Multi);
        await c.SendRawAsync(FrameBytes.RawRequest(1, (int)OpCode.Multi, mixed));
        Assert.Null((await reply).Expect(KeeperErrorCode.MarshallingError).Body);
        await c.ExistsAsync("/").Ok();
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task A_frame_shorter_than_a_request_header_closes_the_connection_without_a_reply(string which)
    {
        await using var c = await RawZkClient.ConnectAsync(Server(which).ClientPort);
        await c.SendRawAsync(new byte[] { 0, 0, 0, 3, 1, 2, 3 });
        await c.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(c.Wire);
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task An_unknown_auth_scheme_is_answered_AuthFailed_and_the_connection_closed(string which)
    {
        await using var c = await RawZkClient.ConnectAsync(Server(which).ClientPort);
        var reply = await c.SendAsync(Xids.Auth, OpCode.Auth, new AuthPacket(0, "nosuchscheme", "x"u8.ToArray()));
        Assert.Equal(new ReplyHeader(Xids.Auth, 0, KeeperErrorCode.AuthFailed), reply.Header);
        await c.Closed.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task A_sasl_packet_without_sasl_configured_gets_an_empty_token_and_the_connection_stays(string which)
    {
        await using var c = await RawZkClient.ConnectAsync(Server(which).ClientPort);
        var reply = await c.SendAsync(OpCode.Sasl, new SaslRequest("abc"u8.ToArray()));
        Assert.Equal(KeeperErrorCode.Ok, reply.Err);
        Assert.Equal(0, reply.Header.Zxid);
        Assert.Null(reply.As<SaslResponse>().Token);
        await c.ExistsAsync("/").Ok();
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task A_half_closed_connection_is_closed_and_its_session_lives_until_it_expires(string which)
    {
        var server = Server(which);
        var c = await RawZkClient.ConnectAsync(server.ClientPort, timeoutMs: 1000);
        var path = $"/halfclosed-{Guid.NewGuid():N}";
        await c.CreateAsync(path, mode: CreateMode.Ephemeral).Ok();
        var watcher = _healthy[which];
        await watcher.ExistsAsync(path, watch: true).Ok();
        await c.SendRawAsync(FrameBytes.Request(9, OpCode.Exists, new ExistsRequest("/", false)));
        await c.ShutdownSendAsync();
        await c.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        var deleted = await watcher.NextEventAsync();
        Assert.Equal(new WatcherEvent(EventType.NodeDeleted, KeeperState.SyncConnected, path), deleted);
        await c.DisposeAsync();
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task An_abruptly_reset_connection_leaves_its_session_to_expire(string which)
    {
        var server = Server(which);
        // Long enough (the maximum, 20 ticks) that the check right after the reset cannot race the expiry.
        var c = await RawZkClient.ConnectAsync(server.ClientPort, timeoutMs: 4000);
        var path = $"/reset-{Guid.NewGuid():N}";
        await c.CreateAsync(path, mode: CreateMode.Ephemeral).Ok();
        var watcher = _healthy[which];
        c.Abort();
        // The session outlives its connection: the ephemeral is still there right after the reset...
        await watcher.ExistsAsync(path, watch: true).Ok();
        // ...and goes when the session expires.
        Assert.Equal(new WatcherEvent(EventType.NodeDeleted, KeeperState.SyncConnected, path), await watcher.NextEventAsync());
        await c.DisposeAsync();
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task A_silent_connection_is_closed_by_the_server_when_its_session_expires(string which)
    {
        var server = Server(which);
        await using var c = await RawZkClient.ConnectAsync(server.ClientPort, timeoutMs: 1000);
        var path = $"/silent-{Guid.NewGuid():N}";
        await c.CreateAsync(path, mode: CreateMode.Ephemeral).Ok();
        var watcher = _healthy[which];
        await watcher.ExistsAsync(path, watch: true).Ok();
        // No pings: the server must expire the session although its TCP connection is still open.
        await c.Closed.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(new WatcherEvent(EventType.NodeDeleted, KeeperState.SyncConnected, path), await watcher.NextEventAsync());
        await using var again = await RawZkClient.ConnectAsync(server.ClientPort, sessionId: c.SessionId, password: c.Password);
        Assert.False(again.SessionValid, "an expired session cannot be resumed");
    }

    [Theory]
    [InlineData("zkactors")]
    [InlineData("apache")]
    public async Task Resuming_a_session_elsewhere_closes_its_old_connection_and_a_wrong_password_is_refused(string which)
    {
        var server = Server(which);
        await using var first = await RawZkClient.ConnectAsync(server.ClientPort);
        await using var second = await RawZkClient.ConnectAsync(server.ClientPort, sessionId: first.SessionId, password: first.Password);
        Assert.True(second.SessionValid);
        Assert.Equal(first.SessionId, second.SessionId);
        await first.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        await second.ExistsAsync("/").Ok();

        var wrong = first.Password.ToArray();
        wrong[0] ^= 0xff;
        await using var third = await RawZkClient.ConnectAsync(server.ClientPort, sessionId: first.SessionId, password: wrong);
        Assert.Equal(new ConnectResponse(0, 0, 0, new byte[16], false).TimeoutMs, third.Handshake.TimeoutMs);
        Assert.Equal(0, third.SessionId);
        Assert.Equal(new byte[16], third.Password);
        await third.Closed.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
