// A ZkActors ensemble of real processes on loopback: N voters (and observers) with free client, quorum and election
// ports, one temp dir each, started through ZkActorsProcess. Roles are read with `srvr`, agreement with `hash`;
// servers are killed with SIGKILL and disposed by PID. Not thread-safe: one test drives it.
using System.Globalization;
using System.Text.RegularExpressions;
using Zk.Compat.Infrastructure;

namespace Zk.Compat.Ensemble;

/// <summary>What `srvr` says: the mode (leader, follower, observer) and the last applied zxid; null while not serving.</summary>
public sealed record ServerRole(string Mode, long Zxid);

public sealed partial class ProcessEnsemble : IAsyncDisposable
{
    private readonly Dictionary<int, ZkActorsProcess> _servers = [];

    private ProcessEnsemble(IReadOnlyList<int> voters, IReadOnlyList<int> observers)
    {
        Voters = voters;
        Observers = observers;
    }

    public IReadOnlyList<int> Voters { get; }

    public IReadOnlyList<int> Observers { get; }

    public IEnumerable<int> Ids => Voters.Concat(Observers);

    public ZkActorsProcess this[int id] => _servers[id];

    public IEnumerable<int> Running => Ids.Where(id => _servers[id].IsRunning);

    /// <summary>Every server's client address, for a client that may use any of them.</summary>
    public string ConnectString => ConnectStringOf(Ids);

    public string ConnectStringOf(IEnumerable<int> ids) => string.Join(',', ids.Select(id => _servers[id].ConnectString));

    /// <summary>Starts every server and waits until one leads and all others follow (or observe) it.</summary>
    public static async Task<ProcessEnsemble> StartAsync(int voters, int observers = 0, IReadOnlyDictionary<string, string>? config = null)
    {
        var ensemble = new ProcessEnsemble(Enumerable.Range(1, voters).ToArray(), Enumerable.Range(voters + 1, observers).ToArray());
        try
        {
            ensemble.Create(config ?? new Dictionary<string, string>());
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

    private void Create(IReadOnlyDictionary<string, string> extra)
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
            _servers[id] = new ZkActorsProcess(config, $"zkactors-{id}", myId: id);
        }
    }

    /// <summary>The role of a server, or null when it is down, looking, or does not answer.</summary>
    public async Task<ServerRole?> RoleAsync(int id)
    {
        if (!_servers[id].IsRunning) return null;
        var text = await FourLetterWordClient.TryAsync(_servers[id].ClientPort, "srvr", TimeSpan.FromSeconds(3));
        if (text is null) return null;
        var mode = ModeLine().Match(text);
        var zxid = ZxidLine().Match(text);
        if (!mode.Success || !zxid.Success) return null;
        return new ServerRole(mode.Groups[1].Value, long.Parse(zxid.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }

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

    /// <summary>Waits until every running server reports the same `hash` (last zxid and tree digest) twice in a row.</summary>
    public async Task<string> WaitForAgreementAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string? previous = null;
        while (true)
        {
            var ids = Running.ToArray();
            var hashes = await Task.WhenAll(ids.Select(id => FourLetterWordClient.TryAsync(_servers[id].ClientPort, "hash", TimeSpan.FromSeconds(3))));
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

    [GeneratedRegex(@"^Mode: (\w+)", RegexOptions.Multiline)]
    private static partial Regex ModeLine();

    [GeneratedRegex(@"^Zxid: 0x([0-9a-fA-F]+)", RegexOptions.Multiline)]
    private static partial Regex ZxidLine();
}
