// A whole ensemble in one process: N servers, each its own ActorSystem over its own InMemoryDisk, all on one
// SimulationDispatcher and one SimNetwork. Crash halts a server's actors and drops what its disk had not
// synced; Restart recovers it from that disk, exactly as a real process would.
using Microsoft.Extensions.Logging.Abstractions;
using Zk.Actors.Journal;
using Zk.Actors.Kernel;
using Zk.Actors.Server;

namespace Zk.Simulation;

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

    public SimCluster(int seed, int voters, int observers = 0, Func<ServerNodeOptions, ServerNodeOptions>? configure = null)
    {
        Sim = new SimulationDispatcher(seed);
        Net = new SimNetwork(Sim);
        var voterIds = Enumerable.Range(1, voters).ToArray();
        var observerIds = Enumerable.Range(voters + 1, observers).ToArray();
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
                Voters = voterIds,
                Observers = observerIds,
                ContainerCheckIntervalMs = 0,
                SnapCount = 1000,
            };
            return configure is null ? o : configure(o);
        };
        foreach (var id in voterIds.Concat(observerIds)) Servers[id] = new SimServer(id, new InMemoryDisk($"server-{id}"));
    }

    public SimulationDispatcher Sim { get; }

    public SimNetwork Net { get; }

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
        var snapshots = new InMemorySnapshotStore(s.Disk);
        var recovered = Recovery.Load(snapshots, journal, options.Tree, applyLog: false, NullLogger.Instance);
        var system = ActorSystem.CreateSimulated($"zk-{id}", Sim);
        s.Journal = journal;
        s.System = system;
        s.Node = ServerNode.Start(system, options, journal, snapshots, recovered, new Random(Sim.Random.Next()), Net.For(id));
    }

    /// <summary>kill -9: the actors stop mid-flight and the disk keeps only what was synced.</summary>
    public void Crash(int id)
    {
        var s = Servers[id];
        if (!s.Up) return;
        s.System!.Halt();
        Net.Crash(id);
        s.Journal!.Crash();
        s.System = null;
        s.Node = null;
        s.Journal = null;
    }

    public void Restart(int id)
    {
        Crash(id);
        Start(id);
    }

    public SimServer? Leader => Live.SingleOrDefault(s => s.Mode == ServerMode.Leader && s.Serving);

    /// <summary>Runs until a leader serves and every live server serves with it.</summary>
    public bool RunUntilStable(TimeSpan timeout) =>
        Sim.RunUntil(() => Leader is { } l && Live.All(s => s.Serving && s.Node!.State.LeaderId == l.Id), timeout);

    public bool RunUntil(Func<bool> condition, TimeSpan timeout) => Sim.RunUntil(condition, timeout);
}
