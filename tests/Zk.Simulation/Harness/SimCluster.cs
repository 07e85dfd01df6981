// A whole ensemble in one process: N servers, each its own ActorSystem over its own InMemoryDisk, all on one
// SimulationDispatcher and one SimNetwork, observed by one ClusterChecker and one TraceLog. Crash halts a
// server's actors, resets its client connections and drops what its disk had not synced; Start recovers it
// from that disk, exactly as a real process would. Single-threaded.
using Zk.Actors.Journal;
using Zk.Core.Testing;
using Zk.Actors.Kernel;
using Zk.Actors.Server;
using Zk.Simulation.Checking;
using Zk.Core.Storage;

namespace Zk.Simulation.Harness;

public sealed class SimServer(int id, InMemoryDisk disk)
{
    public int Id { get; } = id;
    public InMemoryDisk Disk { get; } = disk;
    public ActorSystem? System { get; internal set; }
    public ServerNode? Node { get; internal set; }
    public InMemoryJournal? Journal { get; internal set; }
    public bool Up => Node is not null;
    public ServerMode Mode => Node?.State.Mode ?? ServerMode.Looking;
    public bool Serving => Node?.State.IsServing ?? false;
}

public sealed class SimCluster
{
    private readonly Func<int, ServerNodeOptions> _options;
    private readonly List<SimClient> _clients = [];
    private long _connections;

    public SimCluster(int seed, int voters, int observers = 0, Func<ServerNodeOptions, ServerNodeOptions>? configure = null)
    {
        Sim = new SimulationDispatcher(seed);
        Net = new SimNetwork(Sim);
        // ZK_SIM_TRACE=N keeps the last N events instead of 160, for reading a replayed failure in full.
        var capacity = int.TryParse(Environment.GetEnvironmentVariable("ZK_SIM_TRACE"), out var n) && n > 0 ? n : 160;
        Trace = new TraceLog(() => Sim.Time.GetUtcNow().ToUnixTimeMilliseconds() - StartMs, capacity);
        StartMs = Sim.Time.GetUtcNow().ToUnixTimeMilliseconds();
        Sim.Trace = Trace.Step;
        Checker = new ClusterChecker(this, Trace);
        Net.PacketSent = Checker.OnPacket;
        Voters = Enumerable.Range(1, voters).ToArray();
        Observers = Enumerable.Range(voters + 1, observers).ToArray();
        _options = id =>
        {
            var o = new ServerNodeOptions
            {
                ServerId = id,
                Standalone = false,
                TickTimeMs = 200,
                MinSessionTimeoutMs = 400,
                MaxSessionTimeoutMs = 4000,
                InitLimit = 10,
                SyncLimit = 5,
                Voters = Voters,
                Observers = Observers,
                ContainerCheckIntervalMs = 0,
                SnapCount = 1000,
                Probe = Checker,
            };
            return configure is null ? o : configure(o);
        };
        foreach (var id in Voters.Concat(Observers)) Servers[id] = new SimServer(id, new InMemoryDisk($"server-{id}"));
    }

    public SimulationDispatcher Sim { get; }

    public SimNetwork Net { get; }

    public TraceLog Trace { get; }

    internal ClusterChecker Checker { get; }

    /// <summary>Virtual time at construction, in Unix ms: traces count from here.</summary>
    public long StartMs { get; }

    public long NowMs => Sim.Time.GetUtcNow().ToUnixTimeMilliseconds() - StartMs;

    public IReadOnlyList<int> Voters { get; }

    public IReadOnlyList<int> Observers { get; }

    public Dictionary<int, SimServer> Servers { get; } = [];

    public IEnumerable<SimServer> Live => Servers.Values.Where(s => s.Up);

    public void StartAll()
    {
        foreach (var id in Servers.Keys) Start(id);
    }

    public void Start(int id)
    {
        var s = Servers[id];
        if (s.Up) throw new InvalidOperationException($"server {id} is already up");
        var options = _options(id);
        var journal = new InMemoryJournal(s.Disk);
        var observed = new ObservedJournal(id, journal, Checker);
        var snapshots = new InMemorySnapshotStore(s.Disk);
        var recovered = Recovery.Load(snapshots, observed, options.Tree, applyLog: false, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Checker.Recovered(id, recovered.Tree, s.Disk);
        var system = ActorSystem.CreateSimulated($"zk-{id}", Sim, new TraceLoggerFactory(id, Trace, m => Checker.ServerError(id, m)));
        s.Journal = journal;
        s.System = system;
        s.Node = ServerNode.Start(system, options, observed, snapshots, recovered, new Random(Sim.Random.Next()), Net.For(id));
        Trace.Event($"s{id} started: log to 0x{recovered.LastLoggedZxid:x}, epochs {s.Disk.AcceptedEpoch}/{s.Disk.CurrentEpoch}");
    }

    /// <summary>kill -9: the actors stop mid-flight, client connections reset, the disk keeps only what was synced.</summary>
    public void Crash(int id)
    {
        var s = Servers[id];
        if (!s.Up) return;
        Trace.Event($"s{id} CRASH");
        s.System!.Halt();
        Net.Crash(id);
        s.Journal!.Crash();
        s.System = null;
        s.Node = null;
        s.Journal = null;
        foreach (var c in _clients.Where(c => c.ServerId == id).ToList()) c.Reset();
    }

    public void Restart(int id)
    {
        Crash(id);
        Start(id);
    }

    /// <summary>The serving leader of the newest epoch (a deposed one may not know it yet).</summary>
    public SimServer? Leader => Live.Where(s => s.Mode == ServerMode.Leader && s.Serving).MaxBy(s => s.Node!.State.Epoch);

    /// <summary>Runs until a leader serves and every live server serves with it.</summary>
    public bool RunUntilStable(TimeSpan timeout) => Sim.RunUntil(IsStable, timeout);

    public bool IsStable() => Leader is { } l && Live.All(s => s.Serving && s.Node!.State.LeaderId == l.Id);

    public bool RunUntil(Func<bool> condition, TimeSpan timeout) => Sim.RunUntil(condition, timeout);

    internal long NextConnectionId() => ++_connections;

    internal void Attach(SimClient client) => _clients.Add(client);

    internal void Detach(SimClient client) => _clients.Remove(client);
}
