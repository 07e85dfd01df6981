// The session actor's view of its client connection. Output is written only during the session actor's turn;
// Flush hands what was written to the transport without blocking. Implemented by the TCP proxy in production
// and by simulated clients in tests.
using Zk.Protocol.Jute;
using Zk.Core.Sessions;

namespace Zk.Actors.Sessions;

public interface IClientConnection
{
    long ConnectionId { get; }

    /// <summary>The peer's IP address as ZooKeeper's ip ACL scheme sees it (e.g. "127.0.0.1").</summary>
    string RemoteAddress { get; }

    int RemotePort { get; }

    ConnectionStats Stats { get; }

    /// <summary>Frames appended here go out on the next Flush, in order.</summary>
    JuteWriter Output { get; }

    void Flush();

    /// <summary>Writes what is pending, then closes the connection. Idempotent.</summary>
    void Close();

    /// <summary>Tells the transport that <paramref name="count"/> requests got their reply, so it may read more
    /// (the bound on a connection's outstanding requests).</summary>
    void Completed(int count);
}
