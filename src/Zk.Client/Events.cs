// Session states and watch events as the application sees them. Immutable values; raised on the client's single
// event-dispatch task, in the order the client observed them.
using Zk.Protocol;

namespace Zk.Client;

public enum ConnectionState
{
    /// <summary>Before the first session is established.</summary>
    Connecting,
    Connected,
    ConnectedReadOnly,

    /// <summary>The connection dropped; the client is reconnecting and the session may still be alive.</summary>
    Disconnected,

    /// <summary>Terminal: the server no longer knows the session. Create a new client.</summary>
    Expired,

    /// <summary>Terminal: the server rejected an auth packet and closed the connection.</summary>
    AuthFailed,

    /// <summary>Terminal: the application closed the client.</summary>
    Closed,
}

public static class ConnectionStates
{
    public static bool IsTerminal(this ConnectionState s) =>
        s is ConnectionState.Expired or ConnectionState.AuthFailed or ConnectionState.Closed;

    public static bool IsConnected(this ConnectionState s) =>
        s is ConnectionState.Connected or ConnectionState.ConnectedReadOnly;

    /// <summary>The KeeperState ZooKeeper's Java client reports for this state in a None-type WatchedEvent.</summary>
    public static KeeperState ToKeeperState(this ConnectionState s) => s switch
    {
        ConnectionState.Connected => KeeperState.SyncConnected,
        ConnectionState.ConnectedReadOnly => KeeperState.ConnectedReadOnly,
        ConnectionState.Expired => KeeperState.Expired,
        ConnectionState.AuthFailed => KeeperState.AuthFailed,
        ConnectionState.Closed => KeeperState.Closed,
        _ => KeeperState.Disconnected,
    };
}

/// <summary>One transition; Server is the host the client is (or was last) connected to.</summary>
public sealed record ConnectionStateChange(ConnectionState State, ConnectionState Previous, long SessionId, string? Server);

/// <summary>
/// A watch notification with the chroot already stripped from Path. Session events have Type None and a null Path.
/// ToString is ZooKeeper's own format, which zkCli prints.
/// </summary>
public sealed record WatchedEvent(EventType Type, KeeperState State, string? Path)
{
    public override string ToString() => $"WatchedEvent state:{State} type:{Type} path:{Path ?? "null"}";
}
