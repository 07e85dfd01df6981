// An ensemble of real server processes on loopback: N voters (and observers) with free client, quorum and election
// ports, one temp dir each — ZkActors by default, Apache ZooKeeper 3.8 on request. Roles are read with `srvr`,
// agreement with `hash`; servers are killed with SIGKILL and disposed by PID. Not thread-safe: one test drives it.
using System.Globalization;

namespace Zk.TestSupport;

/// <summary>Makes the member with <paramref name="myId"/> from its zoo.cfg keys (not started yet).</summary>
public delegate ServerProcess EnsembleMemberFactory(IReadOnlyDictionary<string, string> config, int myId);

public sealed class ProcessEnsemble : IAsyncDisposable
{
    public static readonly EnsembleMemberFactory ZkActors = (config, id) => new ZkActorsProcess(config, $"zkactors-{id}", myId: id);

    public static readonly EnsembleMemberFactory Apache = (config, id) => new ApacheZooKeeperProcess(config, name: $"apache-zk-{id}", myId: id);

    private readonly Dictionary<int, ServerProcess> _servers = [];

    private ProcessEnsemble(IReadOnlyList<int> voters, IReadOnlyList<int> observers)
    {
        Voters = voters;
        Observers = observers;
    }

    public IReadOnlyList<int> Voters { get; }

    public IReadOnlyList<int> Observers { get; }

    public IEnumerable<int> Ids => Voters.Concat(Observers);

    public ServerProcess this[int id] => _servers[id];

    public IEnumerable<int> Running => Ids.Where(id => _servers[id].IsRunning);

    /// <summary>Every server's client address, for a client that may use any of them.</summary>
    public string ConnectString => ConnectStringOf(Ids);

    public string ConnectStringOf(IEnumerable<int> ids) => string.Join(',', ids.Select(id => _servers[id].ConnectString));

    /// <summary>
    /// Starts every server (ZkActors unless <paramref name="members"/> says otherwise) and waits until one leads and all
    /// others follow (or observe) it.
    /// </summary>
    public static async Task<ProcessEnsemble> StartAsync(int voters, int observers = 0, IReadOnlyDictionary<string, string>? config = null,
        EnsembleMemberFactory? members = null)
    {
        var ensemble = new ProcessEnsemble([.. Enumerable.Range(1, voters)], [.. Enumerable.Range(voters + 1, observers)]);
        try
        {
            ensemble.Create(config ?? new Dictionary<string, string>(), members ?? ZkActors);
            await Task.WhenAll(ensemble._servers.Values.Select(s => s.StartAsync()));
            await ensemble.WaitForQuorumAsync(ensemble.Ids, TimeSpan.FromSeconds(60));
            return ensemble;
        }
        catch
        {
            await ensemble.DisposeAsync();
            throw;
        }
    }

    private void Create(IReadOnlyDictionary<string, string> extra, EnsembleMemberFactory members)
    {
        var ports = Ids.ToDictionary(id => id, _ => FreePort.Next(3));
        var lines = Ids.ToDictionary(
            id => $"server.{id}",
            id => $"127.0.0.1:{ports[id][1]}:{ports[id][2]}" + (Observers.Contains(id) ? ":observer" : ""));
        foreach (var id in Ids)
        {
            var config = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["clientPort"] = ports[id][0].ToString(CultureInfo.InvariantCulture),
                ["initLimit"] = "10",
                ["syncLimit"] = "5",
            };
            foreach (var (k, v) in lines) config[k] = v;
            if (Observers.Contains(id)) config["peerType"] = "observer";
            foreach (var (k, v) in extra) config[k] = v;
            _servers[id] = members(config, id);
        }
    }

    /// <summary>The role of a server, or null when it is down, looking, or does not answer.</summary>
    public Task<ServerRole?> RoleAsync(int id) => _servers[id].RoleAsync();

    /// <summary>Waits until one of <paramref name="members"/> leads and every other one serves as its learner.</summary>
    public async Task<int> WaitForQuorumAsync(IEnumerable<int> members, TimeSpan timeout)
    {
        var ids = members.ToArray();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var roles = await Task.WhenAll(ids.Select(RoleAsync));
            var leaders = ids.Where((_, i) => roles[i]?.Mode == "leader").ToArray();
            if (leaders.Length == 1 && roles.All(r => r is not null)) return leaders[0];
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"no stable ensemble within {timeout}: " + string.Join(", ", ids.Select((id, i) => $"{id}={roles[i]?.Mode ?? "down/looking"}")));
            await Task.Delay(20);
        }
    }

    public async Task<int> LeaderAsync(TimeSpan? timeout = null) => await WaitForQuorumAsync(Running, timeout ?? TimeSpan.FromSeconds(30));

    /// <summary>The leader for "leader"; for "follower", the first voter that does not lead.</summary>
    public async Task<int> VoterInRoleAsync(string role)
    {
        var leader = await LeaderAsync();
        return role switch
        {
            "leader" => leader,
            "follower" => Voters.First(id => id != leader),
            _ => throw new ArgumentException($"no voter role '{role}' (leader, follower)", nameof(role)),
        };
    }

    /// <summary>Waits until every running server reports the same `hash` (last zxid and tree digest) twice in a row.</summary>
    public async Task<string> WaitForAgreementAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string? previous = null;
        while (true)
        {
            var ids = Running.ToArray();
            var hashes = await Task.WhenAll(ids.Select(id => FourLetterWord.TryAsync(_servers[id].ClientPort, "hash", TimeSpan.FromSeconds(3))));
            var distinct = hashes.Select(h => h?.Trim()).Distinct().ToArray();
            if (distinct.Length == 1 && distinct[0] is { Length: > 0 } agreed && !agreed.Contains("not currently serving", StringComparison.Ordinal))
            {
                if (agreed == previous) return agreed;
                previous = agreed;
            }
            else previous = null;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("servers do not agree: " + string.Join("; ", ids.Select((id, i) => $"{id}: {hashes[i]?.Trim()}")));
            await Task.Delay(100);
        }
    }

    public Task KillAsync(int id) => _servers[id].KillAsync();

    /// <summary>Starts a stopped server again on its ports and data, and waits until it serves as a member.</summary>
    public async Task RestartAsync(int id, TimeSpan? timeout = null)
    {
        await _servers[id].StartAsync();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (await RoleAsync(id) is null)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"server {id} did not rejoin\n{_servers[id].LogText()}");
            await Task.Delay(20);
        }
    }

    /// <summary>Appends every server's log since its mark to the test output.</summary>
    public void WriteLogsTo(ITestOutputHelper output, IReadOnlyDictionary<int, int>? marks = null)
    {
        foreach (var (id, server) in _servers) server.WriteLogTo(output, marks?.GetValueOrDefault(id) ?? 0);
    }

    public Dictionary<int, int> LogMarks() => _servers.ToDictionary(kv => kv.Key, kv => kv.Value.LogMark);

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _servers.Values) await s.DisposeAsync();
        _servers.Clear();
    }
}
