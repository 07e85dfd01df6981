// The bounds and timings of the quorum transport, and where each server of the ensemble listens. Immutable;
// built once by the host from zoo.cfg's server.N lines.
using System.Net;
using System.Net.Sockets;

namespace Zk.Host.Quorum;

/// <summary>One server.N line resolved: the leader–learner (quorum) port and the election port.</summary>
public sealed record QuorumPeerAddress(int ServerId, IPEndPoint Quorum, IPEndPoint Election);

public sealed record QuorumTransportOptions
{
    /// <summary>Largest frame of any packet but SNAP; bigger batches are split by the sender.</summary>
    public int MaxFrameBytes { get; init; } = 64 << 20;

    /// <summary>Largest SNAP frame: the whole serialized tree travels in one.</summary>
    public int MaxSnapFrameBytes { get; init; } = 1 << 30;

    /// <summary>Packets queued on one link before the link is declared too slow and closed.</summary>
    public int MaxQueuedPackets { get; init; } = 100_000;

    /// <summary>Bytes gathered from the queue into one socket write.</summary>
    public int WriteBatchBytes { get; init; } = 256 << 10;

    /// <summary>Notifications queued to one peer; more are dropped (FLE resends).</summary>
    public int MaxQueuedNotifications { get; init; } = 64;

    public int ConnectTimeoutMs { get; init; } = 2_000;

    /// <summary>How long an accepted election connection may take to say who it is.</summary>
    public int HelloTimeoutMs { get; init; } = 2_000;

    /// <summary>Backoff between election dials to a peer: starts at the minimum, doubles up to the maximum.</summary>
    public int ElectionRetryMinMs { get; init; } = 5;

    public int ElectionRetryMaxMs { get; init; } = 20;

    /// <summary>How long a link closed by its owner may take to flush what it had queued.</summary>
    public int CloseFlushTimeoutMs { get; init; } = 2_000;

    /// <summary>TCP keepalive: a backstop only, as ZAB's own pings detect a silent peer much sooner.</summary>
    public int KeepAliveIdleSeconds { get; init; } = 10;

    public int KeepAliveIntervalSeconds { get; init; } = 2;

    public int KeepAliveProbes { get; init; } = 3;

    internal void Tune(Socket socket)
    {
        socket.NoDelay = true;
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, KeepAliveIdleSeconds);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, KeepAliveIntervalSeconds);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, KeepAliveProbes);
    }
}
