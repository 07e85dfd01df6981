// Linearizability of one register's writes (setData, blind or conditional on a version), checked twice:
// (1) the order ZooKeeper claims, the zxid order, must respect real time and explain every reply;
// (2) independently of zxids, a Wing–Gong/Lowe search (as in Porcupine and Knossos) must find some order.
// A write whose connection dropped may or may not have happened; the search allows both. Pure.
using Zk.Protocol;
using Zk.Protocol.Records;

namespace Zk.Simulation.Checking;

internal static class RegisterLinearizability
{
    public static string? Check(string path, IReadOnlyList<OpRecord> writes, IReadOnlyList<(long Zxid, int Version, byte[]? Data)> timeline)
    {
        return CheckZxidOrder(path, writes, timeline) ?? CheckSearch(path, writes, timeline.Count > 0 ? Value(timeline[0].Data) : 0);
    }

    internal static long Value(byte[]? data) => data is { Length: 8 } ? BitConverter.ToInt64(data) : -1;

    private static int Expected(OpRecord op) => ((SetDataRequest)op.Request).Version;

    private static string? CheckZxidOrder(string path, IReadOnlyList<OpRecord> writes, IReadOnlyList<(long Zxid, int Version, byte[]? Data)> timeline)
    {
        var placed = writes.Where(w => w.Zxid > 0).ToList();
        // Real time: whatever returned before an op was invoked must come earlier in zxid order.
        var byReturn = placed.Where(w => !w.Unknown).OrderBy(w => w.ReturnSeq).ToList();
        var r = 0;
        long maxBefore = 0;
        OpRecord? witness = null;
        foreach (var op in placed.OrderBy(w => w.InvokeSeq))
        {
            while (r < byReturn.Count && byReturn[r].ReturnSeq < op.InvokeSeq)
            {
                if (byReturn[r].Zxid > maxBefore) (maxBefore, witness) = (byReturn[r].Zxid, byReturn[r]);
                r++;
            }
            if (op.Zxid < maxBefore)
                return $"register {path}: write xid {op.Xid} of session 0x{op.SessionId:x} committed at 0x{op.Zxid:x}, before 0x{maxBefore:x} (xid {witness!.Xid} of 0x{witness.SessionId:x}) that had returned before it was invoked";
        }
        // Every reply must be what the committed order gives.
        foreach (var op in placed.Where(w => !w.Unknown))
        {
            var at = IndexOf(timeline, op.Zxid);
            var before = LastBefore(timeline, op.Zxid);
            var expected = Expected(op);
            if (op.Err == KeeperErrorCode.Ok)
            {
                if (at < 0) return $"register {path}: write at 0x{op.Zxid:x} answered Ok but changed nothing";
                var stat = ((StatResponse)op.Body!).Stat;
                if (stat.Version != timeline[at].Version) return $"register {path}: write at 0x{op.Zxid:x} answered version {stat.Version}, committed {timeline[at].Version}";
                if (expected >= 0 && (before < 0 || timeline[before].Version != expected)) return $"register {path}: conditional write at 0x{op.Zxid:x} on version {expected} succeeded against another version";
            }
            else if (op.Err == KeeperErrorCode.BadVersion)
            {
                if (at >= 0) return $"register {path}: write at 0x{op.Zxid:x} answered BadVersion but changed the register";
                if (before >= 0 && timeline[before].Version == expected) return $"register {path}: write at 0x{op.Zxid:x} answered BadVersion though the version was {expected}";
            }
        }
        return null;
    }

    private static int IndexOf(IReadOnlyList<(long Zxid, int, byte[]?)> t, long zxid)
    {
        for (var i = 0; i < t.Count; i++)
            if (t[i].Zxid == zxid) return i;
        return -1;
    }

    private static int LastBefore(IReadOnlyList<(long Zxid, int, byte[]?)> t, long zxid)
    {
        var found = -1;
        for (var i = 0; i < t.Count && t[i].Zxid < zxid; i++) found = i;
        return found;
    }

    // ---- the search (Lowe's just-in-time linearization with a cache of visited configurations) ----

    private readonly record struct State(int Version, long Value);

    private sealed class Entry
    {
        public int Op;
        public bool IsCall;
        public long Time;
        public Entry? Prev, Next, Match;
    }

    /// <summary>Possible register states after an op: a set, because a write with an unknown outcome may not have happened.</summary>
    private static State[] Step(State[] states, OpRecord op)
    {
        var next = new List<State>();
        var expected = Expected(op);
        var value = Value(((SetDataRequest)op.Request).Data);
        foreach (var s in states)
        {
            var matches = expected < 0 || s.Version == expected;
            if (op.Unknown)
            {
                next.Add(s);
                if (matches) next.Add(new State(s.Version + 1, value));
            }
            else if (op.Err == KeeperErrorCode.Ok)
            {
                var version = ((StatResponse)op.Body!).Stat.Version;
                if (matches && version == s.Version + 1) next.Add(new State(version, value));
            }
            else if (op.Err == KeeperErrorCode.BadVersion)
            {
                if (!matches) next.Add(s);
            }
            else next.Add(s); // a definite failure (e.g. SessionExpired) changed nothing
        }
        return [.. next.Distinct().OrderBy(s => s.Version).ThenBy(s => s.Value)];
    }

    private static string? CheckSearch(string path, IReadOnlyList<OpRecord> writes, long initialValue)
    {
        var ops = writes.Where(w => w.Done).ToList();
        if (ops.Count == 0) return null;
        var entries = new List<Entry>();
        for (var i = 0; i < ops.Count; i++)
        {
            var call = new Entry { Op = i, IsCall = true, Time = ops[i].InvokeSeq };
            var ret = new Entry { Op = i, IsCall = false, Time = ops[i].Unknown ? long.MaxValue - ops.Count + i : ops[i].ReturnSeq };
            call.Match = ret;
            entries.Add(call);
            entries.Add(ret);
        }
        entries.Sort((a, b) => a.Time.CompareTo(b.Time));
        var head = new Entry();
        var prev = head;
        foreach (var e in entries)
        {
            prev.Next = e;
            e.Prev = prev;
            prev = e;
        }
        var linearized = new bool[ops.Count];
        var cache = new HashSet<string>();
        var calls = new Stack<(Entry Entry, State[] States)>();
        State[] state = [new State(0, initialValue)];
        var entry = head.Next;
        long budget = 2_000_000;
        while (head.Next is not null)
        {
            if (--budget == 0) return null; // give up quietly: the zxid-order check above still holds
            if (entry!.IsCall)
            {
                var next = Step(state, ops[entry.Op]);
                if (next.Length > 0)
                {
                    linearized[entry.Op] = true;
                    if (cache.Add(Key(linearized, next)))
                    {
                        calls.Push((entry, state));
                        state = next;
                        Lift(entry);
                        entry = head.Next;
                        continue;
                    }
                    linearized[entry.Op] = false;
                }
                entry = entry.Next;
                continue;
            }
            if (calls.Count == 0)
                return $"register {path}: the writes are not linearizable (no order explains the reply to xid {ops[entry.Op].Xid} of session 0x{ops[entry.Op].SessionId:x})";
            var (top, before) = calls.Pop();
            state = before;
            linearized[top.Op] = false;
            Unlift(top);
            entry = top.Next;
        }
        return null;
    }

    private static string Key(bool[] linearized, State[] states)
    {
        var sb = new System.Text.StringBuilder(linearized.Length + states.Length * 12);
        foreach (var b in linearized) sb.Append(b ? '1' : '0');
        foreach (var s in states) sb.Append('|').Append(s.Version).Append(':').Append(s.Value);
        return sb.ToString();
    }

    private static void Lift(Entry call)
    {
        call.Prev!.Next = call.Next;
        call.Next!.Prev = call.Prev;
        var ret = call.Match!;
        ret.Prev!.Next = ret.Next;
        if (ret.Next is not null) ret.Next.Prev = ret.Prev;
    }

    private static void Unlift(Entry call)
    {
        var ret = call.Match!;
        ret.Prev!.Next = ret;
        if (ret.Next is not null) ret.Next.Prev = ret;
        call.Prev!.Next = call;
        call.Next!.Prev = call;
    }
}
