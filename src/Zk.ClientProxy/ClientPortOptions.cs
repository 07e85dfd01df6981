// Limits and settings of the client port, from zoo.cfg. Immutable.
namespace Zk.ClientProxy;

public sealed record ClientPortOptions
{
    /// <summary>jute.maxbuffer: the largest frame accepted; a longer one closes the connection.</summary>
    public int MaxFrameBytes { get; init; } = 0xFFFFF;

    /// <summary>maxClientCnxns: concurrent connections per client IP; 0 = unlimited.</summary>
    public int MaxConnectionsPerIp { get; init; } = 60;

    /// <summary>Requests of one connection read but not yet answered before the server stops reading from it.</summary>
    public int MaxOutstandingRequests { get; init; } = 1000;

    /// <summary>Reply bytes not yet taken by the client before the server stops reading from it.</summary>
    public long MaxPendingOutputBytes { get; init; } = 32L << 20;

    /// <summary>Four-letter words allowed (4lw.commands.whitelist); "*" allows all.</summary>
    public IReadOnlySet<string> FourLetterWhitelist { get; init; } = new HashSet<string>(StringComparer.Ordinal) { "srvr" };

    /// <summary>A connection that sends no complete handshake within this time is closed.</summary>
    public int HandshakeTimeoutMs { get; init; } = 10_000;
}
