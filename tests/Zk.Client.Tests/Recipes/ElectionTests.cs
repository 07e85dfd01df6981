// Leader latch and leader election: one leader at a time, fencing tokens that only grow, and leadership that
// moves on when a leader leaves, returns from its term, or dies without closing its session.
using Zk.Client.Recipes;
using Zk.Client.Tests.Infrastructure;

namespace Zk.Client.Tests.Recipes;

public abstract class ElectionTests(ServerFixture fx) : IAsyncLifetime
{
    private readonly string _root = ServerFixture.NewRoot("elect");
    private readonly List<IAsyncDisposable> _owned = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var d in Enumerable.Reverse(_owned)) await d.DisposeAsync();
    }

    private async Task<ZooKeeperClient> ClientAsync(TimeSpan? session = null, string? via = null)
    {
        var zk = await fx.ConnectAsync(session, configure: via is null ? null : o => o.ConnectString = via);
        _owned.Add(zk);
        return zk;
    }

    private LeaderLatch Latch(ZooKeeperClient zk, Referee referee, string id)
    {
        var latch = referee.Watch(new LeaderLatch(zk, _root + "/latch", id));
        _owned.Add(latch);
        return latch;
    }

    [Fact]
    public async Task Latch_has_one_leader_at_a_time_and_hands_over_when_the_leader_leaves_or_dies()
    {
        var referee = new Referee();
        await using var proxy = new TcpFaultProxy(fx.ConnectString);
        var doomed = Latch(await ClientAsync(TimeSpan.FromSeconds(2), proxy.Endpoint), referee, "doomed");
        await doomed.StartAsync();
        await doomed.AwaitLeadershipAsync().Within();
        var others = new List<LeaderLatch>();
        for (var i = 0; i < 4; i++) others.Add(Latch(await ClientAsync(), referee, $"p{i}"));
        foreach (var l in others) await l.StartAsync();

        // The leader's process dies (no closeSession): the next in line leads once the server expires its session.
        proxy.Refuse();
        var second = await FirstLeaderAsync(others);
        Assert.False(doomed.HasLeadership);

        // A leader that leaves hands over at once.
        await second.DisposeAsync();
        var third = await FirstLeaderAsync(others.Where(l => l != second));

        Assert.Equal(1, referee.MaxLeaders);
        Assert.Equal(3, referee.Tokens.Count);
        Assert.Equal(referee.Tokens.Order(), referee.Tokens);
        Assert.Equal(referee.Tokens.Count, referee.Tokens.Distinct().Count());
        Assert.Equal(third.FencingToken, referee.Tokens[^1]);
    }

    [Fact]
    public async Task Election_runs_one_term_at_a_time_with_growing_tokens_and_everyone_gets_a_turn()
    {
        var referee = new Referee();
        var terms = new Dictionary<string, int>();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var elections = new List<LeaderElection>();
        for (var i = 0; i < 5; i++)
        {
            var id = $"p{i}";
            var zk = await ClientAsync();
            var election = new LeaderElection(zk, _root + "/election", async (term, ct) =>
            {
                referee.Enter(term.FencingToken);
                lock (terms)
                {
                    terms[id] = terms.GetValueOrDefault(id) + 1;
                    if (terms.Values.Sum() >= 15) enough.TrySetResult();
                }
                await Task.Yield();
                referee.Leave();
            }, participantId: id);
            elections.Add(election);
        }
        foreach (var e in elections) await e.StartAsync();

        await enough.Task.Within(TimeSpan.FromSeconds(60));
        foreach (var e in elections) await e.DisposeAsync();

        Assert.Equal(1, referee.MaxLeaders);
        Assert.Equal(referee.Tokens.Order(), referee.Tokens);
        Assert.Equal(referee.Tokens.Count, referee.Tokens.Distinct().Count());
        Assert.Equal(5, terms.Count);
    }

    [Fact]
    public async Task A_leader_whose_connection_goes_silent_is_told_to_stop_before_the_next_one_starts()
    {
        var referee = new Referee();
        await using var proxy = new TcpFaultProxy(fx.ConnectString);
        var stepped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var leading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = new LeaderElection(await ClientAsync(TimeSpan.FromSeconds(2), proxy.Endpoint), _root + "/silent", async (term, ct) =>
        {
            referee.Enter(term.FencingToken);
            leading.TrySetResult();
            await LockTests.WhenCancelled(ct);
            referee.Leave();
            stepped.TrySetResult();
        }, autoRequeue: false);
        _owned.Add(first);
        await first.StartAsync();
        await leading.Task.Within();

        var next = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new LeaderElection(await ClientAsync(), _root + "/silent", (term, ct) =>
        {
            referee.Enter(term.FencingToken);
            next.TrySetResult(term.FencingToken);
            referee.Leave();
            return Task.CompletedTask;
        }, autoRequeue: false);
        _owned.Add(second);
        await second.StartAsync();

        proxy.Pause();
        await stepped.Task.Within();
        var token = await next.Task.Within();

        Assert.Equal(1, referee.MaxLeaders);
        Assert.True(token > referee.Tokens[0]);
        proxy.Resume();
    }

    private static async Task<LeaderLatch> FirstLeaderAsync(IEnumerable<LeaderLatch> latches)
    {
        var list = latches.ToList();
        var won = await Task.WhenAny(list.Select(async l =>
        {
            await l.AwaitLeadershipAsync();
            return l;
        })).Within();
        return await won;
    }
}

[Collection(RecipeCollection.Apache)]
public sealed class ElectionTestsOnApache(ApacheFixture fx) : ElectionTests(fx);

[Collection(RecipeCollection.ZkActors)]
public sealed class ElectionTestsOnZkActors(ZkActorsFixture fx) : ElectionTests(fx);
