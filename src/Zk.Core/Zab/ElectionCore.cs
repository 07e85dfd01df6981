// Fast Leader Election as a pure state machine (zab.md §4): notifications and ticks in, notifications to send
// and at most one decision out. Votes are ordered by (peerEpoch, zxid, server id). Unlike ZooKeeper's fixed
// 200 ms finalize wait, a round ends as soon as a quorum agrees and every reachable voter has answered, or
// after a short grace when some voter is silent. FLE only buys liveness: safety comes from discovery.
namespace Zk.Core.Zab;

public readonly record struct Vote(long Leader, long Zxid, long PeerEpoch);

public sealed record ElectionDecision(PeerState State, long Leader, long ElectionEpoch, long PeerEpoch);

public sealed record ElectionTiming(int ResendMs = 100, int MaxResendMs = 2_000, int GraceMs = 30);

public sealed class ElectionCore
{
    private readonly int _myId;
    private readonly QuorumVerifier _quorum;
    private readonly IReadOnlyList<int> _peers;
    private readonly ElectionTiming _timing;
    private readonly Dictionary<int, (Vote Vote, long ElectionEpoch, PeerState State)> _recv = [];
    private readonly Dictionary<int, (Vote Vote, long ElectionEpoch, PeerState State)> _outOfElection = [];
    private readonly HashSet<int> _unreachable = [];
    private Vote _initial;
    private long _resendAtMs;
    private int _resendIntervalMs;
    private long? _decideAtMs;

    public ElectionCore(int myId, QuorumVerifier quorum, IEnumerable<int> allServers, ElectionTiming? timing = null)
    {
        _myId = myId;
        _quorum = quorum;
        _peers = allServers.Where(s => s != myId).Distinct().OrderBy(s => s).ToArray();
        _timing = timing ?? new ElectionTiming();
    }

    public PeerState State { get; private set; } = PeerState.Looking;

    public long LogicalClock { get; private set; }

    /// <summary>The vote this server holds: its proposal while looking, the settled leader afterwards.</summary>
    public Vote Current { get; private set; }

    private bool IAmVoter => _quorum.IsVoter(_myId);

    /// <summary>Starts a new round voting for ourselves (a non-voter proposes nobody and can never win).</summary>
    public void StartLooking(long lastLoggedZxid, long currentEpoch, long nowMs, List<(int To, Notification N)> sends)
    {
        State = PeerState.Looking;
        LogicalClock++;
        _recv.Clear();
        _outOfElection.Clear();
        _decideAtMs = null;
        _initial = IAmVoter ? new Vote(_myId, lastLoggedZxid, currentEpoch) : new Vote(long.MinValue, long.MinValue, long.MinValue);
        Current = _initial;
        _resendIntervalMs = _timing.ResendMs;
        _resendAtMs = nowMs + _resendIntervalMs;
        Broadcast(sends);
        if (IAmVoter) _recv[_myId] = (Current, LogicalClock, PeerState.Looking);
    }

    /// <summary>After an election: the role this server took and the epoch it now runs in, advertised to lookers.</summary>
    public void Settle(PeerState state, long leader, long peerEpoch)
    {
        State = state;
        Current = Current with { Leader = leader, PeerEpoch = peerEpoch };
        _decideAtMs = null;
    }

    /// <summary>Transport knowledge: an unreachable voter is not waited for before deciding.</summary>
    public void SetReachable(int serverId, bool reachable)
    {
        if (reachable) _unreachable.Remove(serverId);
        else _unreachable.Add(serverId);
    }

    public ElectionDecision? OnNotification(Notification n, long nowMs, List<(int To, Notification N)> sends)
    {
        if (n.Sender == _myId) return null;
        if (State != PeerState.Looking)
        {
            // A settled server answers lookers with the vote that settled it, so late starters can join.
            if (n.State == PeerState.Looking) sends.Add((n.Sender, Mine()));
            return null;
        }
        var vote = new Vote(n.Leader, n.Zxid, n.PeerEpoch);
        switch (n.State)
        {
            case PeerState.Looking:
                return OnLookingVote(n, vote, nowMs, sends);
            case PeerState.Following or PeerState.Leading:
                return OnSettledVote(n, vote);
            default:
                return null; // observers never vote
        }
    }

    public ElectionDecision? Tick(long nowMs, List<(int To, Notification N)> sends)
    {
        if (State != PeerState.Looking) return null;
        if (_decideAtMs is { } at && nowMs >= at)
        {
            _decideAtMs = null;
            if (HasQuorum(_recv, Current, compareZxid: true)) return Decide(Current.Leader, LogicalClock, Current.PeerEpoch);
        }
        if (nowMs >= _resendAtMs)
        {
            Broadcast(sends);
            _resendIntervalMs = Math.Min(_resendIntervalMs * 2, _timing.MaxResendMs);
            _resendAtMs = nowMs + _resendIntervalMs;
        }
        return null;
    }

    /// <summary>When the next Tick can change anything.</summary>
    public long NextTickMs => Math.Min(_resendAtMs, _decideAtMs ?? long.MaxValue);

    private ElectionDecision? OnLookingVote(Notification n, Vote vote, long nowMs, List<(int, Notification)> sends)
    {
        if (!_quorum.IsVoter(n.Sender))
        {
            sends.Add((n.Sender, Mine()));
            return null;
        }
        if (n.ElectionEpoch > LogicalClock)
        {
            LogicalClock = n.ElectionEpoch;
            _recv.Clear();
            Current = Beats(vote, _initial) ? vote : _initial;
            Broadcast(sends);
        }
        else if (n.ElectionEpoch < LogicalClock)
        {
            // Help a lagging voter catch up with the round. A non-voter must not: a voter answers every non-voter's
            // notification, so two such answers would bounce between them forever.
            if (IAmVoter) sends.Add((n.Sender, Mine()));
            return null;
        }
        else if (Beats(vote, Current))
        {
            Current = vote;
            Broadcast(sends);
        }
        else if (IAmVoter && !_recv.ContainsKey(n.Sender))
        {
            // The sender's first vote of this round: it may have started looking after our broadcast (a settled
            // server ignores a looker's vote), so answer now rather than at our next resend. At most once per round.
            sends.Add((n.Sender, Mine()));
        }
        _recv[n.Sender] = (vote, n.ElectionEpoch, n.State);
        if (IAmVoter) _recv[_myId] = (Current, LogicalClock, PeerState.Looking);
        if (!HasQuorum(_recv, Current, compareZxid: true))
        {
            _decideAtMs = null;
            return null;
        }
        if (AllReachableVotersAnswered()) return Decide(Current.Leader, LogicalClock, Current.PeerEpoch);
        _decideAtMs ??= nowMs + _timing.GraceMs;
        return null;
    }

    private ElectionDecision? OnSettledVote(Notification n, Vote vote)
    {
        if (n.ElectionEpoch == LogicalClock)
        {
            _recv[n.Sender] = (vote, n.ElectionEpoch, n.State);
            if (HasQuorum(_recv, vote, compareZxid: false) && CheckLeader(_recv, n.Leader, n.ElectionEpoch))
                return Decide(n.Leader, n.ElectionEpoch, n.PeerEpoch);
        }
        // A running ensemble: a quorum of settled servers names the leader, whatever round we are in.
        _outOfElection[n.Sender] = (vote, n.ElectionEpoch, n.State);
        if (HasQuorum(_outOfElection, vote, compareZxid: false) && CheckLeader(_outOfElection, n.Leader, n.ElectionEpoch))
        {
            LogicalClock = n.ElectionEpoch;
            return Decide(n.Leader, n.ElectionEpoch, n.PeerEpoch);
        }
        return null;
    }

    private ElectionDecision Decide(long leader, long electionEpoch, long peerEpoch)
    {
        var state = leader == _myId ? PeerState.Leading : IAmVoter ? PeerState.Following : PeerState.Observing;
        State = state;
        Current = Current with { Leader = leader, PeerEpoch = peerEpoch };
        _decideAtMs = null;
        return new ElectionDecision(state, leader, electionEpoch, peerEpoch);
    }

    /// <summary>A vote wins only for a voting candidate with a greater (peerEpoch, zxid, id).</summary>
    private bool Beats(Vote a, Vote b)
    {
        if (a.Leader < 0 || !_quorum.IsVoter((int)a.Leader)) return false;
        if (a.PeerEpoch != b.PeerEpoch) return a.PeerEpoch > b.PeerEpoch;
        if (a.Zxid != b.Zxid) return a.Zxid > b.Zxid;
        return a.Leader > b.Leader;
    }

    private bool HasQuorum(Dictionary<int, (Vote Vote, long ElectionEpoch, PeerState State)> votes, Vote target, bool compareZxid)
    {
        var agreeing = new List<int>();
        foreach (var (sid, v) in votes)
        {
            var same = v.Vote.Leader == target.Leader && v.Vote.PeerEpoch == target.PeerEpoch && (!compareZxid || v.Vote.Zxid == target.Zxid);
            if (same) agreeing.Add(sid);
        }
        return _quorum.IsQuorum(agreeing);
    }

    private bool CheckLeader(Dictionary<int, (Vote Vote, long ElectionEpoch, PeerState State)> votes, long leader, long electionEpoch)
    {
        if (leader != _myId) return votes.TryGetValue((int)leader, out var l) && l.State == PeerState.Leading;
        return LogicalClock == electionEpoch;
    }

    private bool AllReachableVotersAnswered()
    {
        foreach (var v in _quorum.Voters)
        {
            if (v == _myId || _unreachable.Contains(v)) continue;
            if (!_recv.ContainsKey(v)) return false;
        }
        return true;
    }

    private Notification Mine() => new(_myId, State, Current.Leader, Current.Zxid, LogicalClock, Current.PeerEpoch);

    private void Broadcast(List<(int, Notification)> sends)
    {
        var n = Mine();
        foreach (var p in _peers)
            if (_quorum.IsVoter(p)) sends.Add((p, n));
    }
}
