// kazoo 2.8 (python3-kazoo) against ZkActors: node types, versions, errors, watches and their order, ACLs and
// digest auth, transactions, session expiry and resumption, and kazoo's recipes under contention between
// processes. The scenarios live in Kazoo/*.py; each test names one.
using Zk.Compat.Infrastructure;
using Zk.Protocol;

namespace Zk.Compat.Kazoo;

public sealed class KazooFixture : ZkActorsFixture
{
    public const string SuperCredential = "super:secret";

    // A short tick so that 1 s sessions are allowed and expire quickly, but room for kazoo's default 10 s ones
    // (worker processes on a busy machine must not lose their sessions); TTL nodes on; a fast container reaper.
    protected override IReadOnlyDictionary<string, string> Config => new Dictionary<string, string>
    {
        ["tickTime"] = "200",
        ["maxSessionTimeout"] = "30000",
        ["extendedTypesEnabled"] = "true",
        ["znode.container.checkIntervalMs"] = "100",
        ["DigestAuthenticationProvider.superDigest"] = DigestAuth.Hash(SuperCredential),
    };
}

public sealed class KazooTests(KazooFixture fixture, ITestOutputHelper output) : CompatTest(output), IClassFixture<KazooFixture>
{
    private Task Run(string script, string scenario, params string[] args) =>
        KazooScript.RunAsync(Output, script, Watch(fixture.Server), scenario, args);

    [Fact]
    public Task Persistent_ephemeral_sequential_container_and_ttl_nodes_behave_as_in_ZooKeeper() => Run("nodes.py", "node_types");

    [Fact]
    public Task Versions_and_stat_counters_follow_each_change() => Run("nodes.py", "versions");

    [Fact]
    public Task Each_common_error_comes_back_with_its_ZooKeeper_code() => Run("nodes.py", "errors");

    [Fact]
    public Task Standard_watches_fire_once_for_exactly_the_right_changes() => Run("semantics.py", "watches");

    [Fact]
    public Task A_watch_event_arrives_before_the_reply_to_any_later_request() => Run("semantics.py", "watch_order");

    [Fact]
    public Task Acls_and_digest_auth_grant_and_deny_as_in_ZooKeeper() => Run("semantics.py", "acls", KazooFixture.SuperCredential);

    [Fact]
    public Task Transactions_apply_all_or_nothing_with_ZooKeepers_result_shapes() => Run("semantics.py", "transactions");

    [Fact]
    public Task Session_expiry_removes_the_ephemerals_and_fires_the_watches() => Run("sessions.py", "expiry_removes_ephemerals_and_fires_watches");

    [Fact]
    public Task A_dropped_connection_resumes_the_same_session() => Run("sessions.py", "reconnect_keeps_the_session");

    [Theory]
    [InlineData("lock")]
    [InlineData("election")]
    [InlineData("barrier")]
    [InlineData("double_barrier")]
    [InlineData("queue")]
    [InlineData("counter")]
    [InlineData("party")]
    public Task A_kazoo_recipe_keeps_its_promise_under_contention_between_processes(string recipe) => Run("recipes.py", recipe);
}

public sealed class KazooDefaultsTests(ZkActorsFixture fixture, ITestOutputHelper output) : CompatTest(output), IClassFixture<ZkActorsFixture>
{
    [Fact]
    public Task CreateTtl_is_unimplemented_while_extended_types_are_off() =>
        KazooScript.RunAsync(Output, "nodes.py", Watch(fixture.Server), "ttl_disabled");
}
