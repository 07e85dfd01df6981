// Majority quorums over the voting members of the ensemble. Observers are never members. Immutable.
namespace Zk.Core.Zab;

public sealed class QuorumVerifier
{
    public QuorumVerifier(IEnumerable<int> voters)
    {
        Voters = new SortedSet<int>(voters);
        if (Voters.Count == 0) throw new ArgumentException("an ensemble needs at least one voter", nameof(voters));
        QuorumSize = Voters.Count / 2 + 1;
    }

    public IReadOnlySet<int> Voters { get; }

    /// <summary>The smallest number of voters that forms a majority: any two such sets intersect.</summary>
    public int QuorumSize { get; }

    public bool IsVoter(int serverId) => Voters.Contains(serverId);

    public bool IsQuorum(IEnumerable<int> servers)
    {
        var n = 0;
        foreach (var s in servers.Distinct())
            if (Voters.Contains(s)) n++;
        return n >= QuorumSize;
    }
}
