// One seeded fault-injecting run (zab.md §13): start an ensemble, create the workload's nodes, let clients and
// the nemesis loose for a while with every invariant checked after each actor step and timer, then heal,
// require a leader and convergence within bounded virtual time, and run the end-of-run checks. Everything
// (shape of the ensemble, workload, faults, scheduling) comes from the seed, so a failure replays exactly.
using Zk.Protocol;
using Zk.Protocol.Records;
using Zk.Simulation.Checking;
using Zk.Simulation.Harness;

namespace Zk.Simulation.Workload;

public sealed record RunShape(int Voters, int Observers, int Clients, int WorkloadMs, int SnapCount, int HistoryEntries, uint FirstCounter = 1,
    int MaxFaultGapMs = 580, int MaxOutstanding = 3, int ThinkMs = 25)
{
    /// <summary>The ensemble and workload a seed stands for: 3 or 5 voters, sometimes an observer, sometimes tiny
    /// snapshot and history limits so that SNAP syncs and log purges happen.</summary>
    public static RunShape For(int seed)
    {
        var r = new Random(seed ^ 0x5EED);
        var voters = r.Next(5) < 3 ? 3 : 5;
        var observers = r.Next(4) == 0 ? 1 : 0;
        var snapCount = r.Next(5) < 2 ? 20 + r.Next(60) : 1000;
        var history = r.Next(5) < 2 ? 10 + r.Next(50) : 20_000;
        // Some seeds start every epoch close to the end of the zxid counter, so epochs roll over mid-run.
        var firstCounter = r.Next(6) == 0 ? 0xffffffffu - (uint)r.Next(20, 120) : 1u;
        // Intensity: how often faults strike, and how hard clients push (outstanding requests, think time).
        var faultGap = r.Next(3) == 0 ? 150 : 580;
        var outstanding = 1 + r.Next(6);
        var think = r.Next(3) == 0 ? 3 : 25;
        return new RunShape(voters, observers, 2 + r.Next(5), 1500 + r.Next(2500), snapCount, history, firstCounter, faultGap, outstanding, think);
    }

    public override string ToString() =>
        $"{Voters} voters, {Observers} observers, {Clients} clients, {WorkloadMs} ms of faults, snapCount {SnapCount}, history {HistoryEntries}" +
        (FirstCounter > 1 ? $", epochs start at counter 0x{FirstCounter:x}" : "") +
        $", faults every ≤{MaxFaultGapMs} ms, ≤{MaxOutstanding} outstanding per client, think ≤{ThinkMs} ms";
}

public sealed record RunResult(int Seed, RunShape Shape, IReadOnlyList<string> Violations, string Trace, ulong TraceHash, long Steps,
    long VirtualMs, int Proposals, int Committed, int Leaders, int Faults, int Ops, long HealedToStableMs, int Diffs, int Truncs, int Snaps)
{
    public bool Ok => Violations.Count == 0;

    public string Report() =>
        $"seed {Seed} ({Shape}) failed; replay with ZK_SIM_SEED={Seed}\n" + string.Join("\n", Violations.Select(v => "  " + v)) + "\n" + Trace;
}

public sealed class SimulationRun
{
    private const long MaxSteps = 3_000_000;
    private readonly int _seed;
    private readonly RunShape _shape;
    private readonly SimCluster _cluster;
    private readonly ClientHistory _history;
    private readonly List<ClientDriver> _drivers = [];
    private Nemesis? _nemesis;
    private long _healedToStableMs = -1;

    public SimulationRun(int seed, RunShape? shape = null)
    {
        _seed = seed;
        _shape = shape ?? RunShape.For(seed);
        _cluster = new SimCluster(seed, _shape.Voters, _shape.Observers, o => o with
        {
            SnapCount = _shape.SnapCount,
            HistoryEntries = _shape.HistoryEntries,
            FirstZxidCounter = _shape.FirstCounter,
        });
        _history = new ClientHistory(_cluster.Checker, _cluster.Trace);
    }

    public SimCluster Cluster => _cluster;

    public static RunResult Execute(int seed, RunShape? shape = null) => new SimulationRun(seed, shape).Run();

    public RunResult Run()
    {
        try
        {
            Phases();
        }
        catch (SimulationFailed) { }
        catch (Exception e)
        {
            _cluster.Checker.Fail($"harness exception: {e}");
        }
        var c = _cluster.Checker;
        return new RunResult(_seed, _shape, c.Violations, c.Failed ? _cluster.Trace.Dump() : "", _cluster.Trace.Hash, _cluster.Trace.Steps,
            _cluster.NowMs, c.ProposalCount, c.CommittedCount, c.EstablishedLeaders.Count, _nemesis?.Faults ?? 0, _history.Ops.Count, _healedToStableMs,
            c.SyncsOf(Zk.Core.Zab.QuorumPacketType.Diff), c.SyncsOf(Zk.Core.Zab.QuorumPacketType.Trunc), c.SyncsOf(Zk.Core.Zab.QuorumPacketType.Snap));
    }

    private void Phases()
    {
        _cluster.StartAll();
        Require(RunUntil(_cluster.IsStable, 10_000), "a fresh ensemble elected no leader within 10 s");
        Setup();
        for (var i = 0; i < _shape.Clients; i++) _drivers.Add(new ClientDriver(i + 1, _cluster, _history, _shape.MaxOutstanding, _shape.ThinkMs));
        foreach (var d in _drivers) d.Start();
        _nemesis = new Nemesis(_cluster, _drivers, _shape.MaxFaultGapMs);
        _nemesis.Start();
        RunUntil(static () => false, _shape.WorkloadMs);

        _nemesis.Heal();
        var healedAt = _cluster.NowMs;
        Require(RunUntil(_cluster.IsStable, 10_000), "after healing, no leader with every server synced within 10 s");
        _healedToStableMs = _cluster.NowMs - healedAt;
        foreach (var d in _drivers) d.Stop();
        Require(RunUntil(() => _drivers.All(d => d.Outstanding == 0), 20_000), "after healing, client requests still unanswered after 20 s");
        Require(RunUntil(() => _cluster.Checker.Converged(_cluster.Live.Select(s => s.Id).ToList(), report: false), 10_000),
            "after healing, servers did not converge within 10 s");
        foreach (var d in _drivers) d.Dispose();
        _cluster.Checker.Converged(_cluster.Live.Select(s => s.Id).ToList(), report: true);
        _history.CheckFinal(ClientDriver.Registers);
        Check();
    }

    /// <summary>The nodes every client works under, created through one server before any fault.</summary>
    private void Setup()
    {
        var paths = new List<(string Path, byte[]? Data)> { ("/reg", null), ("/data", null), ("/seq", null), ("/eph", null) };
        paths.AddRange(ClientDriver.Registers.Select(r => (r, (byte[]?)new byte[8])));
        var admin = new SimClient(_cluster, _cluster.Leader!.Id);
        Require(RunUntil(() => admin.Connected is not null || admin.Closed, 5_000) && !admin.Closed, "setup session failed");
        foreach (var (path, data) in paths)
        {
            var r = admin.Send(OpCode.Create, new CreateRequest(path, data, Acl.OpenAclUnsafe, (int)CreateMode.Persistent));
            Require(RunUntil(() => r.Done, 5_000) && r.Err == KeeperErrorCode.Ok, $"setup create {path}: {r.Err}");
        }
        var close = admin.Send(OpCode.CloseSession, EmptyRequest.Instance);
        Require(RunUntil(() => close.Done, 5_000), "setup close failed");
    }

    private void Require(bool condition, string what)
    {
        if (!condition)
        {
            _cluster.Checker.Fail(what);
            throw new SimulationFailed();
        }
    }

    private void Check()
    {
        if (_cluster.Checker.Failed) throw new SimulationFailed();
    }

    /// <summary>Runs actors and timers until the condition holds or <paramref name="timeoutMs"/> of virtual time
    /// pass, checking the invariants after every actor step and every timer.</summary>
    private bool RunUntil(Func<bool> condition, long timeoutMs)
    {
        var sim = _cluster.Sim;
        var deadline = sim.Time.GetUtcNow() + TimeSpan.FromMilliseconds(timeoutMs);
        while (true)
        {
            Check();
            if (condition()) return true;
            if (sim.Step())
            {
                if (sim.Steps > MaxSteps) Require(false, $"more than {MaxSteps} actor steps: a livelock?");
                continue;
            }
            var next = sim.Time.NextDue;
            if (next is null || next > deadline)
            {
                sim.Time.AdvanceTo(deadline);
                return condition();
            }
            sim.Time.FireNext(next.Value.UtcTicks);
        }
    }

    private sealed class SimulationFailed : Exception;
}
