// What a node's stored ephemeralOwner means (ZooKeeper's EphemeralType). Pure functions.
// Containers store 0x8000000000000000, TTL nodes 0xFF00000000000000|ttl, plain ephemerals the session id.
using Zk.Protocol;

namespace Zk.Core.DataTree;

public enum NodeKind
{
    Persistent,
    Ephemeral,
    Container,
    Ttl,
}

public static class NodeKinds
{
    public const long ContainerOwner = long.MinValue;
    public const long ExtendedMask = unchecked((long)0xFF00000000000000UL);
    public const long MaxTtlMs = (1L << 40) - 1;

    // TTL owners are recognised only when extended types are enabled, as in ZooKeeper: without that option a
    // session id of server 255 would look like a TTL owner.
    public static NodeKind Classify(long ephemeralOwner, bool extendedTypes)
    {
        if (extendedTypes && (ephemeralOwner & ExtendedMask) == ExtendedMask) return NodeKind.Ttl;
        if (ephemeralOwner == ContainerOwner) return NodeKind.Container;
        return ephemeralOwner == 0 ? NodeKind.Persistent : NodeKind.Ephemeral;
    }

    public static long TtlOwner(long ttlMs) => ExtendedMask | ttlMs;

    public static long TtlOf(long ephemeralOwner) => ephemeralOwner & MaxTtlMs;

    /// <summary>Clients see only plain ephemeral owners; containers and TTL nodes show 0.</summary>
    public static long ClientEphemeralOwner(long ephemeralOwner, bool extendedTypes) =>
        Classify(ephemeralOwner, extendedTypes) == NodeKind.Ephemeral ? ephemeralOwner : 0;

    /// <summary>The stored owner a create txn gives its node; the session id is the txn's.</summary>
    public static long OwnerFor(CreateMode mode, long ttlMs, long sessionId) => mode switch
    {
        CreateMode.Container => ContainerOwner,
        CreateMode.PersistentWithTtl or CreateMode.PersistentSequentialWithTtl => TtlOwner(ttlMs),
        CreateMode.Ephemeral or CreateMode.EphemeralSequential => sessionId,
        _ => 0,
    };
}
