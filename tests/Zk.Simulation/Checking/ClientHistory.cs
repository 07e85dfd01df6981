// Every request the simulated clients made and what came back, checked as replies arrive and once more at the
// end of a run: per-session FIFO (the SimClient rejects an out-of-order reply) and monotone zxids across
// reconnects; every acknowledged write is the committed txn of that session and xid at the reply's zxid; at the
// end, every register read saw the state of a committed prefix, and the register writes are linearizable
// (RegisterLinearizability). Single-threaded.
using Zk.Actors.Tree;
using Zk.Protocol;
using Zk.Protocol.Records;
using Zk.Simulation.Harness;
using Zk.Core.DataTree;

namespace Zk.Simulation.Checking;

internal sealed class OpRecord
{
    public required int Client { get; init; }
    public required long SessionId { get; init; }
    public required int Xid { get; init; }
    public required OpCode Op { get; init; }
    public required Request Request { get; init; }
    public required int Server { get; init; }
    public required long InvokeSeq { get; init; }
    public long ReturnSeq { get; set; } = long.MaxValue;
    public bool Done { get; set; }
    public KeeperErrorCode Err { get; set; }
    public long Zxid { get; set; }
    public Response? Body { get; set; }

    /// <summary>The connection ended first: the request may or may not have taken effect.</summary>
    public bool Unknown => Done && Err == KeeperErrorCode.ConnectionLoss;
}

internal sealed class ClientHistory(ClusterChecker checker, TraceLog trace)
{
    private readonly List<OpRecord> _ops = [];
    private readonly Dictionary<SimReply, OpRecord> _open = [];
    private readonly Dictionary<long, long> _sessionZxid = [];
    private long _seq;

    public IReadOnlyList<OpRecord> Ops => _ops;

    public int Acknowledged { get; private set; }

    public void Invoked(int client, SimClient connection, SimReply reply)
    {
        var op = new OpRecord
        {
            Client = client,
            SessionId = connection.SessionId,
            Xid = reply.Xid,
            Op = reply.Op,
            Request = reply.Request,
            Server = connection.ServerId,
            InvokeSeq = ++_seq,
        };
        _ops.Add(op);
        trace.Event($"c{client} 0x{op.SessionId:x} xid {op.Xid} {op.Op} {Describe(op.Request)} -> s{op.Server}");
        if (reply.Done) Returned(op, reply);
        else _open[reply] = op;
    }

    /// <summary>A session never returns (zab.md §10, §13): once its close is committed, no server may accept it again.
    /// (A learner must revalidate a resumed session with the leader, which knows every committed close.)</summary>
    public void Resumed(int client, SimClient connection, bool closedBeforeAttempt)
    {
        trace.Event($"c{client} resumed 0x{connection.SessionId:x} on s{connection.ServerId}");
        if (closedBeforeAttempt)
            checker.Fail($"session 0x{connection.SessionId:x} was resumed on s{connection.ServerId} although its close was committed before c{client} reconnected");
    }

    public void Replied(SimReply reply)
    {
        if (_open.Remove(reply, out var op)) Returned(op, reply);
    }

    private void Returned(OpRecord op, SimReply reply)
    {
        op.Done = true;
        op.ReturnSeq = ++_seq;
        op.Err = reply.Err;
        op.Zxid = reply.Zxid;
        op.Body = reply.Body;
        trace.Event($"c{op.Client} 0x{op.SessionId:x} xid {op.Xid} {op.Op} <- {op.Err} at 0x{op.Zxid:x}");
        if (op.Unknown) return;
        CheckMonotone(op);
        if (op.Op.IsWrite()) CheckAcknowledgedWrite(op);
    }

    private static string Describe(Request r) => r switch
    {
        CreateRequest c => c.Path,
        SetDataRequest s => $"{s.Path} v{s.Version}",
        DeleteRequest d => $"{d.Path} v{d.Version}",
        GetDataRequest g => g.Path,
        ExistsRequest e => e.Path,
        GetChildrenRequest g => g.Path,
        _ => "",
    };

    /// <summary>A session never sees the state go back, whichever server it talks to.</summary>
    private void CheckMonotone(OpRecord op)
    {
        if (op.Zxid <= 0) return;
        var last = _sessionZxid.GetValueOrDefault(op.SessionId);
        if (op.Zxid < last)
            checker.Fail($"session 0x{op.SessionId:x} xid {op.Xid} ({op.Op} on s{op.Server}) answered at 0x{op.Zxid:x} after it had seen 0x{last:x}");
        _sessionZxid[op.SessionId] = Math.Max(last, op.Zxid);
    }

    /// <summary>An acknowledged write is the committed txn of this session and xid, with the result it reports.</summary>
    private void CheckAcknowledgedWrite(OpRecord op)
    {
        Acknowledged++;
        if (!checker.TryGetApplied(op.Zxid, out var applied))
        {
            checker.Fail($"session 0x{op.SessionId:x} xid {op.Xid}: {op.Op} acknowledged at 0x{op.Zxid:x}, which no server applied");
            return;
        }
        var txn = applied.Txn;
        if (txn.SessionId != op.SessionId || txn.Cxid != op.Xid)
        {
            checker.Fail($"session 0x{op.SessionId:x} xid {op.Xid}: {op.Op} acknowledged at 0x{op.Zxid:x}, which is session 0x{txn.SessionId:x} xid {txn.Cxid}");
            return;
        }
        if (op.Op == OpCode.Multi) return;
        var failed = txn.Body is ErrorTxn;
        if (failed != (op.Err != KeeperErrorCode.Ok))
            checker.Fail($"session 0x{op.SessionId:x} xid {op.Xid}: {op.Op} answered {op.Err} but committed {txn.Body.GetType().Name}");
        if (op.Body is CreateResponse cr && txn.Body is CreateTxn ct && cr.Path != ct.Path)
            checker.Fail($"session 0x{op.SessionId:x} xid {op.Xid}: create answered {cr.Path} but committed {ct.Path}");
    }

    /// <summary>End of run: outcomes of lost replies from the committed sequence, then reads and registers.</summary>
    public void CheckFinal(IReadOnlyCollection<string> registers)
    {
        var bySessionXid = new Dictionary<(long, int), AppliedTxn>();
        foreach (var g in checker.Sequence)
            bySessionXid.TryAdd((g.Txn.SessionId, g.Txn.Cxid), g);
        foreach (var op in _ops.Where(o => o.Unknown && o.Op.IsWrite()))
        {
            if (bySessionXid.TryGetValue((op.SessionId, op.Xid), out var g)) op.Zxid = g.Zxid;
        }
        foreach (var path in registers)
        {
            var timeline = RegisterTimeline(path);
            CheckReads(path, timeline);
            var writes = _ops.Where(o => o.Op == OpCode.SetData && ((SetDataRequest)o.Request).Path == path).ToList();
            var error = RegisterLinearizability.Check(path, writes, timeline);
            if (error is not null) checker.Fail(error);
        }
        trace.Event($"history: {_ops.Count} ops, {Acknowledged} acknowledged writes, {_ops.Count(o => o.Unknown)} unknown outcomes");
    }

    /// <summary>The register's states in the committed sequence: (zxid, version, data), from its creation on.</summary>
    private List<(long Zxid, int Version, byte[]? Data)> RegisterTimeline(string path)
    {
        var timeline = new List<(long, int, byte[]?)>();
        foreach (var g in checker.Sequence)
        {
            switch (g.Txn.Body)
            {
                case CreateTxn c when c.Path == path:
                    timeline.Add((g.Zxid, 0, c.Data));
                    break;
                case SetDataTxn s when s.Path == path:
                    timeline.Add((g.Zxid, s.Version, s.Data));
                    break;
                case MultiTxn { Failed: false } m when m.Ops.Any(o => o is SetDataTxn s2 && s2.Path == path || o is CreateTxn c2 && c2.Path == path || o is DeleteTxn d2 && d2.Path == path):
                case DeleteTxn d when d.Path == path:
                    checker.Fail($"register {path} was changed by {g.Txn.Body.GetType().Name} at 0x{g.Zxid:x}; the workload never does that");
                    break;
            }
        }
        return timeline;
    }

    /// <summary>Sequential consistency of reads: a getData answered at zxid R shows the register as of R.</summary>
    private void CheckReads(string path, List<(long Zxid, int Version, byte[]? Data)> timeline)
    {
        foreach (var op in _ops)
        {
            if (op.Op != OpCode.GetData || op.Err != KeeperErrorCode.Ok || ((GetDataRequest)op.Request).Path != path) continue;
            var r = (GetDataResponse)op.Body!;
            var i = timeline.FindLastIndex(t => t.Zxid <= op.Zxid);
            if (i < 0)
            {
                checker.Fail($"read of {path} at 0x{op.Zxid:x} found it before its creation");
                continue;
            }
            var (zxid, version, data) = timeline[i];
            if (r.Stat.Version != version || r.Stat.Mzxid != zxid || !(r.Data ?? []).AsSpan().SequenceEqual(data ?? []))
                checker.Fail($"session 0x{op.SessionId:x} read {path} at 0x{op.Zxid:x} as version {r.Stat.Version} (mzxid 0x{r.Stat.Mzxid:x}); the committed state there is version {version} (mzxid 0x{zxid:x})");
        }
    }
}
