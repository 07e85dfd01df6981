// What operators and the client port may read about a server at any moment: its role, epoch, leader and
// whether it serves clients. Written only by the PeerActor; read from any thread (fields are volatile).
using Zk.Core.Storage;

namespace Zk.Actors.Server;

public enum ServerMode
{
    Looking,
    Standalone,
    Leader,
    Follower,
    Observer,
}

public sealed class ServerState
{
    private volatile ServerMode _mode = ServerMode.Looking;
    private volatile bool _serving;
    private long _epoch;
    private long _leaderId = -1;
    private long _electionCount;
    private long _lastElectionMs;

    public ServerMode Mode => _mode;

    public bool IsServing => _serving;

    public long Epoch => Interlocked.Read(ref _epoch);

    public long LeaderId => Interlocked.Read(ref _leaderId);

    public long ElectionCount => Interlocked.Read(ref _electionCount);

    public long LastElectionMs => Interlocked.Read(ref _lastElectionMs);

    /// <summary>ZooKeeper's srvr/mntr spelling of the mode.</summary>
    public string ModeName => _mode switch
    {
        ServerMode.Standalone => "standalone",
        ServerMode.Leader => "leader",
        ServerMode.Follower => "follower",
        ServerMode.Observer => "observer",
        _ => "looking",
    };

    public void Set(ServerMode mode, bool serving, long epoch, long leaderId)
    {
        Interlocked.Exchange(ref _epoch, epoch);
        Interlocked.Exchange(ref _leaderId, leaderId);
        _mode = mode;
        _serving = serving;
    }

    public void ElectionFinished(long durationMs)
    {
        Interlocked.Increment(ref _electionCount);
        Interlocked.Exchange(ref _lastElectionMs, durationMs);
    }
}
