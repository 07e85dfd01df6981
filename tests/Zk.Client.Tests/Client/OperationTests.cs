// Every client operation against the shared server: results, Stats and the typed errors ZooKeeper answers.
using System.Text;
using Zk.Client.Tests.Infrastructure;
using Zk.Protocol;

namespace Zk.Client.Tests.Client;

public abstract class OperationTests(ServerFixture fx) : IAsyncLifetime
{
    private ZooKeeperClient _zk = null!;
    private readonly string _root = ServerFixture.NewRoot("ops");

    public async Task InitializeAsync()
    {
        _zk = await fx.ConnectAsync();
        await _zk.CreateAsync(_root, null);
    }

    public async Task DisposeAsync() => await _zk.DisposeAsync();

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Create_then_getData_returns_the_data_and_a_fresh_stat()
    {
        var path = await _zk.CreateAsync(_root + "/a", B("hello"));
        var got = await _zk.GetDataAsync(path);

        Assert.Equal(_root + "/a", path);
        Assert.Equal("hello", Encoding.UTF8.GetString(got.Data!));
        Assert.Equal(0, got.Stat.Version);
        Assert.Equal(5, got.Stat.DataLength);
        Assert.Equal(got.Stat.Czxid, got.Stat.Mzxid);
        Assert.Equal(0L, got.Stat.EphemeralOwner);
    }

    [Fact]
    public async Task Null_data_reads_back_as_null_and_empty_data_as_empty()
    {
        await _zk.CreateAsync(_root + "/null", null);
        await _zk.CreateAsync(_root + "/empty", []);

        Assert.Null((await _zk.GetDataAsync(_root + "/null")).Data);
        Assert.Empty((await _zk.GetDataAsync(_root + "/empty")).Data!);
    }

    [Fact]
    public async Task Sequential_create_appends_the_parents_ten_digit_counter()
    {
        await _zk.CreateAsync(_root + "/seq", null);
        var first = await _zk.CreateAsync(_root + "/seq/n-", null, CreateMode.PersistentSequential);
        await _zk.CreateAsync(_root + "/seq/plain", null);
        var third = await _zk.CreateAsync(_root + "/seq/n-", null, CreateMode.PersistentSequential);

        Assert.Equal(_root + "/seq/n-0000000000", first);
        Assert.Equal(_root + "/seq/n-0000000002", third);
    }

    [Fact]
    public async Task CreateWithStat_returns_the_new_nodes_stat()
    {
        var created = await _zk.CreateWithStatAsync(_root + "/s", B("x"));
        var exists = await _zk.ExistsAsync(_root + "/s");

        Assert.Equal(_root + "/s", created.Path);
        Assert.Equal(exists, created.Stat);
    }

    [Fact]
    public async Task Creating_an_existing_node_throws_NodeExists_naming_the_path()
    {
        await _zk.CreateAsync(_root + "/dup", null);
        var e = await Assert.ThrowsAsync<NodeExistsException>(() => _zk.CreateAsync(_root + "/dup", null));

        Assert.Equal(KeeperErrorCode.NodeExists, e.Code);
        Assert.Equal(_root + "/dup", e.Path);
        Assert.Equal($"KeeperErrorCode = NodeExists for {_root}/dup", e.Message);
    }

    [Fact]
    public async Task Create_under_a_missing_parent_throws_NoNode()
    {
        await Assert.ThrowsAsync<NoNodeException>(() => _zk.CreateAsync(_root + "/missing/child", null));
    }

    [Fact]
    public async Task Ephemerals_cannot_have_children()
    {
        await _zk.CreateAsync(_root + "/eph", null, CreateMode.Ephemeral);
        await Assert.ThrowsAsync<NoChildrenForEphemeralsException>(() => _zk.CreateAsync(_root + "/eph/c", null));
    }

    [Fact]
    public async Task Ephemeral_node_belongs_to_the_session_and_goes_when_the_session_closes()
    {
        var other = await fx.ConnectAsync();
        await other.CreateAsync(_root + "/e1", null, CreateMode.Ephemeral);
        var stat = await _zk.ExistsAsync(_root + "/e1");
        Assert.Equal(other.SessionId, stat!.Value.EphemeralOwner);
        Assert.Equal([_root + "/e1"], await other.GetEphemeralsAsync(_root));

        await other.CloseAsync();

        Assert.Null(await _zk.ExistsAsync(_root + "/e1"));
    }

    [Fact]
    public async Task Container_reports_no_owner_and_is_reaped_once_its_last_child_is_gone()
    {
        var container = await _zk.CreateWithStatAsync(_root + "/box", null, CreateMode.Container);
        Assert.Equal(0L, container.Stat.EphemeralOwner);
        await _zk.CreateAsync(_root + "/box/item", null);
        if (fx.Server.ReaperInterval is null) return;

        var gone = new EventSink();
        await _zk.DeleteAsync(_root + "/box/item");
        var stat = await _zk.ExistsAsync(_root + "/box", gone.Watcher);
        if (stat is not null) Assert.Equal(EventType.NodeDeleted, (await gone.NextAsync()).Type);
        Assert.Null(await _zk.ExistsAsync(_root + "/box"));
    }

    [Fact]
    public async Task Ttl_node_is_reaped_after_its_ttl_without_changes()
    {
        if (!fx.Server.SupportsTtl) return;
        var ttl = await _zk.CreateWithStatAsync(_root + "/ttl", B("t"), CreateMode.PersistentWithTtl, ttlMs: 200);
        Assert.Equal(0L, ttl.Stat.EphemeralOwner);
        var seq = await _zk.CreateWithStatAsync(_root + "/ttlseq-", null, CreateMode.PersistentSequentialWithTtl, ttlMs: 100_000);
        Assert.StartsWith(_root + "/ttlseq-00000000", seq.Path, StringComparison.Ordinal);
        if (fx.Server.ReaperInterval is null) return;

        var gone = new EventSink();
        if (await _zk.ExistsAsync(_root + "/ttl", gone.Watcher) is not null)
            Assert.Equal(EventType.NodeDeleted, (await gone.NextAsync()).Type);
        Assert.Null(await _zk.ExistsAsync(_root + "/ttl"));
    }

    [Fact]
    public async Task Ttl_out_of_range_and_empty_acls_are_refused_before_sending()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            _zk.CreateWithStatAsync(_root + "/t0", null, CreateMode.PersistentWithTtl, ttlMs: 0));
        Assert.Equal("ttl must be positive and cannot be larger than: 1099511627775", e.Message);
        var acl = await Assert.ThrowsAsync<InvalidAclException>(() => _zk.CreateAsync(_root + "/noacl", null, acl: []));
        Assert.Null(acl.Path);
    }

    [Fact]
    public async Task Delete_checks_the_version_and_refuses_nodes_with_children()
    {
        await _zk.CreateAsync(_root + "/d", null);
        await _zk.CreateAsync(_root + "/d/c", null);

        await Assert.ThrowsAsync<NotEmptyException>(() => _zk.DeleteAsync(_root + "/d"));
        await Assert.ThrowsAsync<BadVersionException>(() => _zk.DeleteAsync(_root + "/d/c", version: 7));
        await _zk.DeleteAsync(_root + "/d/c", version: 0);
        await _zk.DeleteAsync(_root + "/d");
        await Assert.ThrowsAsync<NoNodeException>(() => _zk.DeleteAsync(_root + "/d"));
    }

    [Fact]
    public async Task Exists_returns_null_for_a_missing_node()
    {
        Assert.Null(await _zk.ExistsAsync(_root + "/nothing"));
    }

    [Fact]
    public async Task SetData_bumps_the_version_and_checks_the_expected_one()
    {
        await _zk.CreateAsync(_root + "/v", B("1"));
        var s1 = await _zk.SetDataAsync(_root + "/v", B("2"), version: 0);
        await Assert.ThrowsAsync<BadVersionException>(() => _zk.SetDataAsync(_root + "/v", B("3"), version: 0));
        var s2 = await _zk.SetDataAsync(_root + "/v", B("4"));

        Assert.Equal(1, s1.Version);
        Assert.Equal(2, s2.Version);
        Assert.True(s2.Mzxid > s1.Mzxid);
        Assert.Equal("4", Encoding.UTF8.GetString((await _zk.GetDataAsync(_root + "/v")).Data!));
    }

    [Fact]
    public async Task GetChildren_lists_names_and_getChildren2_adds_the_parents_stat()
    {
        await _zk.CreateAsync(_root + "/p", null);
        foreach (var n in new[] { "x", "y", "z" }) await _zk.CreateAsync($"{_root}/p/{n}", null);

        var names = await _zk.GetChildrenAsync(_root + "/p");
        var withStat = await _zk.GetChildrenWithStatAsync(_root + "/p");

        Assert.Equal(["x", "y", "z"], names.Order(StringComparer.Ordinal));
        Assert.Equal(3, withStat.Stat.NumChildren);
        Assert.Equal(await _zk.ExistsAsync(_root + "/p"), withStat.Stat);
        Assert.Equal(3, await _zk.GetAllChildrenNumberAsync(_root + "/p"));
    }

    [Fact]
    public async Task SetAcl_bumps_the_aversion_and_digest_acls_need_the_matching_auth()
    {
        await _zk.CreateAsync(_root + "/acl", B("secret"));
        var digest = new Acl(Perms.All, new Id("digest", DigestAuth.Hash("alice:pw")));
        var stat = await _zk.SetAclAsync(_root + "/acl", [digest], version: 0);
        Assert.Equal(1, stat.Aversion);

        await Assert.ThrowsAsync<NoAuthException>(() => _zk.GetDataAsync(_root + "/acl"));

        await using var alice = await fx.ConnectAsync();
        await alice.AddAuthAsync("digest", "alice:pw");
        await Assert.ThrowsAsync<BadVersionException>(() => alice.SetAclAsync(_root + "/acl", [digest], version: 0));
        Assert.Equal("secret", Encoding.UTF8.GetString((await alice.GetDataAsync(_root + "/acl")).Data!));
        var acl = await alice.GetAclAsync(_root + "/acl");
        Assert.Equal([digest], acl.Acl);
        Assert.Contains(new AuthIdentity("digest", "alice"), await alice.WhoAmIAsync());
    }

    [Fact]
    public async Task Multi_applies_every_op_and_returns_typed_results()
    {
        await _zk.CreateAsync(_root + "/m", B("0"));
        var results = await _zk.Transaction()
            .Create(_root + "/m/a", B("a"))
            .Create(_root + "/m/s-", null, CreateMode.PersistentSequential)
            .SetData(_root + "/m", B("1"), version: 0)
            .Check(_root + "/m", version: 1)
            .Delete(_root + "/m/a")
            .CommitAsync();

        var created = Assert.IsType<CreateOpResult>(results[0]);
        Assert.Equal(_root + "/m/a", created.Path);
        Assert.Equal(_root + "/m/s-0000000001", Assert.IsType<CreateOpResult>(results[1]).Path);
        Assert.Equal(1, Assert.IsType<SetDataOpResult>(results[2]).Stat.Version);
        Assert.IsType<CheckOpResult>(results[3]);
        Assert.IsType<DeleteOpResult>(results[4]);
        // One txn: every op shares the zxid. (Apache 3.8 answers a create2 inside multi as a plain create, so
        // the created node's Stat is read separately.)
        var sequential = await _zk.ExistsAsync(_root + "/m/s-0000000001");
        Assert.Equal(sequential!.Value.Czxid, Assert.IsType<SetDataOpResult>(results[2]).Stat.Mzxid);
    }

    [Fact]
    public async Task Failed_multi_applies_nothing_and_throws_the_first_error_with_per_op_results()
    {
        await _zk.CreateAsync(_root + "/mf", null);
        var e = await Assert.ThrowsAsync<BadVersionException>(() => _zk.MultiAsync(
        [
            Op.Create(_root + "/mf/new", null),
            Op.Check(_root + "/mf", version: 42),
            Op.Delete(_root + "/mf"),
        ]));

        Assert.Equal(1, e.FailedOpIndex);
        Assert.Equal(_root + "/mf", e.Path);
        Assert.Equal(
            [KeeperErrorCode.Ok, KeeperErrorCode.BadVersion, KeeperErrorCode.RuntimeInconsistency],
            e.Results!.Select(r => Assert.IsType<ErrorOpResult>(r).Code));
        Assert.Null(await _zk.ExistsAsync(_root + "/mf/new"));
    }

    [Fact]
    public async Task MultiRead_returns_each_result_or_its_own_error()
    {
        await _zk.CreateAsync(_root + "/mr", B("d"));
        await _zk.CreateAsync(_root + "/mr/k", null);

        var results = await _zk.MultiReadAsync([Op.GetData(_root + "/mr"), Op.GetChildren(_root + "/mr"), Op.GetData(_root + "/nope")]);

        Assert.Equal("d", Encoding.UTF8.GetString(Assert.IsType<GetDataOpResult>(results[0]).Data!));
        Assert.Equal(["k"], Assert.IsType<GetChildrenOpResult>(results[1]).Children);
        Assert.Equal(KeeperErrorCode.NoNode, Assert.IsType<ErrorOpResult>(results[2]).Code);
    }

    [Fact]
    public async Task Sync_echoes_the_path_and_whoAmI_reports_the_ip_identity()
    {
        Assert.Equal(_root, await _zk.SyncAsync(_root));
        Assert.Contains(await _zk.WhoAmIAsync(), i => i.Scheme == "ip");
    }

    [Fact]
    public async Task Invalid_paths_are_refused_before_anything_is_sent()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => _zk.GetDataAsync("no-slash"));
        Assert.StartsWith("Path must start with / character", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => _zk.CreateAsync(_root + "/", null));
        Assert.EndsWith("/0000000000", await _zk.CreateAsync(_root + "/", null, CreateMode.PersistentSequential), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pipelined_creates_are_applied_in_the_order_they_were_issued()
    {
        await _zk.CreateAsync(_root + "/pipe", null);
        var tasks = Enumerable.Range(0, 500)
            .Select(i => _zk.CreateWithStatAsync($"{_root}/pipe/n{i:D3}", B(i.ToString(System.Globalization.CultureInfo.InvariantCulture))))
            .ToList();
        var results = await Task.WhenAll(tasks).Within();

        for (var i = 1; i < results.Length; i++) Assert.True(results[i].Stat.Czxid > results[i - 1].Stat.Czxid);
        Assert.Equal(500, (await _zk.GetChildrenAsync(_root + "/pipe")).Count);
    }

    [Fact]
    public async Task Many_threads_share_one_client_safely()
    {
        await _zk.CreateAsync(_root + "/mt", null);
        var workers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
            {
                var path = await _zk.CreateAsync($"{_root}/mt/w{w}-{i}", B("v"));
                await _zk.SetDataAsync(path, B("w"));
                Assert.Equal("w", Encoding.UTF8.GetString((await _zk.GetDataAsync(path)).Data!));
            }
        }));
        await Task.WhenAll(workers).Within();
        Assert.Equal(16 * 25, await _zk.GetAllChildrenNumberAsync(_root + "/mt"));
    }

    [Fact]
    public async Task Cancelled_token_fails_the_call_with_OperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _zk.GetDataAsync(_root, cancellationToken: cts.Token));
    }
}

[Collection(ClientCollection.Apache)]
public sealed class OperationTestsOnApache(ApacheFixture fx) : OperationTests(fx);

[Collection(ClientCollection.ZkActors)]
public sealed class OperationTestsOnZkActors(ZkActorsFixture fx) : OperationTests(fx);
