// Watch-related enums of the client protocol (Watcher.Event.*, WatcherType, AddWatchMode). Frozen: on the wire.
namespace Zk.Protocol;

public enum EventType
{
    None = -1,
    NodeCreated = 1,
    NodeDeleted = 2,
    NodeDataChanged = 3,
    NodeChildrenChanged = 4,
    DataWatchRemoved = 5,
    ChildWatchRemoved = 6,
    PersistentWatchRemoved = 7,
}

public enum KeeperState
{
    Disconnected = 0,
    SyncConnected = 3,
    AuthFailed = 4,
    ConnectedReadOnly = 5,
    SaslAuthenticated = 6,
    Closed = 7,
    Expired = -112,
}

/// <summary>Used by checkWatches and removeWatches.</summary>
public enum WatcherType
{
    Children = 1,
    Data = 2,
    Any = 3,
}

public enum AddWatchMode
{
    Persistent = 0,
    PersistentRecursive = 1,
}
