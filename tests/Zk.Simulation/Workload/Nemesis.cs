// Fault injection drawn from the run's seed (zab.md §13): crashes and restarts (the leader more often),
// partitions that reset or silently hold traffic (one server, the leader with a minority, a random split),
// delay spikes, FLE notification loss and duplication, a link broken or a server crashed right at a chosen sync packet
// (LEADERINFO, DIFF, TRUNC, SNAP, NEWLEADER, UPTODATE), and clients cut off from their server. Every fault is
// undone by Heal. Driven by virtual-time timers and the network's packet observer; single-threaded.
using Zk.Actors.Server;
using Zk.Actors.Zab;
using Zk.Simulation.Harness;
using Zk.Core.Storage;
using Zk.Core.Zab;

namespace Zk.Simulation.Workload;

internal sealed class Nemesis
{
    private static readonly QuorumPacketType[] SyncPackets =
        [QuorumPacketType.LeaderInfo, QuorumPacketType.AckEpoch, QuorumPacketType.Diff, QuorumPacketType.Trunc, QuorumPacketType.Snap,
         QuorumPacketType.NewLeader, QuorumPacketType.UpToDate, QuorumPacketType.Proposal, QuorumPacketType.Commit];

    private readonly SimCluster _cluster;
    private readonly IReadOnlyList<ClientDriver> _clients;
    private readonly Random _random;
    private readonly (int Min, int Max) _normalDelay;
    private readonly HashSet<int> _down = [];
    private (QuorumPacketType Type, bool Crash, long UntilMs)? _trigger;
    private ITimer? _timer;
    private bool _active;

    private readonly int _maxGapMs;

    public Nemesis(SimCluster cluster, IReadOnlyList<ClientDriver> clients, int maxGapMs = 580)
    {
        _maxGapMs = maxGapMs;
        _cluster = cluster;
        _clients = clients;
        _random = cluster.Sim.Random;
        _normalDelay = cluster.Net.DelayMicros;
        var observer = cluster.Net.PacketSent;
        cluster.Net.PacketSent = (from, to, link, packet) =>
        {
            observer?.Invoke(from, to, link, packet);
            OnPacket(from, to, link, packet);
        };
    }

    public int Faults { get; private set; }

    public void Start()
    {
        _active = true;
        Schedule();
    }

    private void Schedule() =>
        _timer = _cluster.Sim.Time.CreateTimer(_ =>
        {
            _timer?.Dispose();
            if (!_active) return;
            Strike();
            Schedule();
        }, null, TimeSpan.FromMilliseconds(20 + _random.Next(_maxGapMs - 20)), Timeout.InfiniteTimeSpan);

    private void Event(string text) => _cluster.Trace.Event("NEMESIS " + text);

    private int RandomServer() => _cluster.Servers.Keys.ElementAt(_random.Next(_cluster.Servers.Count));

    private int? LeaderId => _cluster.Live.FirstOrDefault(s => s.Mode == ServerMode.Leader)?.Id;

    private void Strike()
    {
        Faults++;
        switch (_random.Next(100))
        {
            case < 22:
                Crash(_random.Next(2) == 0 && LeaderId is { } l ? l : RandomServer());
                break;
            case < 30:
                if (LeaderId is { } leader)
                {
                    Event($"restart leader s{leader}");
                    _cluster.Restart(leader);
                }
                break;
            case < 48:
                Partition();
                break;
            case < 56:
                Event("heal partitions");
                _cluster.Net.HealAll();
                break;
            case < 64:
                _cluster.Net.DelayMicros = (2_000, 20_000 + _random.Next(250_000));
                Event($"delay spike up to {_cluster.Net.DelayMicros.Max / 1000} ms");
                After(100 + _random.Next(700), () => _cluster.Net.DelayMicros = _normalDelay);
                break;
            case < 70:
                _cluster.Net.ElectionLoss = 0.2 + _random.NextDouble() * 0.7;
                _cluster.Net.ElectionDuplication = _random.NextDouble() * 0.5;
                Event($"FLE loss {_cluster.Net.ElectionLoss:F2}, duplication {_cluster.Net.ElectionDuplication:F2}");
                After(200 + _random.Next(1500), () => (_cluster.Net.ElectionLoss, _cluster.Net.ElectionDuplication) = (0, 0));
                break;
            case < 84:
                _trigger = (SyncPackets[_random.Next(SyncPackets.Length)], _random.Next(3) == 0, _cluster.NowMs + 2000);
                Event($"armed: {(_trigger.Value.Crash ? "crash at" : "break link on")} next {_trigger.Value.Type}");
                break;
            case < 92:
                _clients[_random.Next(_clients.Count)].Disconnect();
                break;
            default:
                RestartOne();
                break;
        }
    }

    private void Crash(int id)
    {
        if (!_cluster.Servers[id].Up) return;
        Event($"crash s{id}");
        _cluster.Crash(id);
        _down.Add(id);
        After(50 + _random.Next(1500), () => Restart(id));
    }

    private void Restart(int id)
    {
        if (!_down.Remove(id) || _cluster.Servers[id].Up) return;
        Event($"restart s{id}");
        _cluster.Start(id);
    }

    private void RestartOne()
    {
        foreach (var id in _down.ToList()) Restart(id);
    }

    private void Partition()
    {
        var silent = _random.Next(2) == 0;
        var ids = _cluster.Servers.Keys.ToList();
        var kind = _random.Next(3);
        List<int> side;
        if (kind == 0 || LeaderId is null) side = [ids[_random.Next(ids.Count)]];
        else if (kind == 1) side = [LeaderId.Value, .. ids.Where(i => i != LeaderId).OrderBy(_ => _random.Next()).Take(_random.Next((ids.Count - 1) / 2 + 1))];
        else side = ids.Where(_ => _random.Next(2) == 0).ToList();
        if (side.Count == 0 || side.Count == ids.Count) return;
        Event($"{(silent ? "silent " : "")}partition [{string.Join(",", side)}] from the rest");
        foreach (var a in side)
        {
            foreach (var b in ids.Except(side))
            {
                if (silent) _cluster.Net.PartitionSilently(a, b);
                else _cluster.Net.Partition(a, b);
            }
        }
        After(150 + _random.Next(2000), () =>
        {
            Event("heal partitions");
            _cluster.Net.HealAll();
        });
    }

    private void OnPacket(int from, int to, IQuorumLink link, QuorumPacket packet)
    {
        if (_trigger is not { } t || packet.Type != t.Type) return;
        if (_cluster.NowMs > t.UntilMs)
        {
            _trigger = null;
            return;
        }
        _trigger = null;
        if (t.Crash)
        {
            var victim = _random.Next(2) == 0 ? from : to;
            Event($"{packet.Type} s{from}->s{to}: crash s{victim}");
            After(_random.Next(3), () => Crash(victim));
            return;
        }
        Event($"{packet.Type} s{from}->s{to}: break the link");
        if (_random.Next(2) == 0) _cluster.Net.BreakLink(link, "injected reset");
        else After(_random.Next(3), () => _cluster.Net.BreakLink(link, "injected reset"));
    }

    private void After(int ms, Action action)
    {
        ITimer? timer = null;
        timer = _cluster.Sim.Time.CreateTimer(_ =>
        {
            timer!.Dispose();
            if (_active) action();
        }, null, TimeSpan.FromMilliseconds(ms), Timeout.InfiniteTimeSpan);
    }

    /// <summary>Ends every fault: partitions healed, delays and losses back to normal, crashed servers restarted.</summary>
    public void Heal()
    {
        _active = false;
        _trigger = null;
        _timer?.Dispose();
        _cluster.Net.HealAll();
        _cluster.Net.DelayMicros = _normalDelay;
        _cluster.Net.ElectionLoss = 0;
        _cluster.Net.ElectionDuplication = 0;
        foreach (var id in _cluster.Servers.Keys.Where(i => !_cluster.Servers[i].Up)) _cluster.Start(id);
        _down.Clear();
        Event("healed everything");
    }
}
