// One znode, kept compact because a tree holds millions of them. Owned by its DataTree and touched only by
// the tree's owner (one actor); never shared.
using Zk.Protocol;

namespace Zk.Actors.DataTree;

// Stat fields are inline, the ACL is an interned shared list, there is no full path (paths are walked from
// the root), and children live in an open-addressing table of node references keyed by each child's own
// Name, allocated only when the first child arrives. The ephemeral owner never changes after creation and is
// 0 for most nodes, so only OwnedDataNode (ephemerals, containers, TTL nodes) spends 8 bytes on it.
internal class DataNode
{
    public readonly string Name;
    public byte[]? Data;
    public AclList Acl;

    // Stored stat. ChildCreations is ZooKeeper's stored cversion C: the number of children ever created here.
    public long Czxid;
    public long Mzxid;
    public long Pzxid;
    public long Ctime;
    public long Mtime;
    public int Version;
    public int Aversion;
    public int ChildCreations;

    // Linear-probing table; capacity is a power of two; null slots are empty. Invariant: _childCount equals
    // the number of non-null slots, and the table is null when there are no children.
    private DataNode?[]? _slots;
    private int _childCount;

    protected DataNode(string name, byte[]? data, AclList acl)
    {
        Name = name;
        Data = data;
        Acl = acl;
    }

    public static DataNode Create(string name, byte[]? data, AclList acl, long ephemeralOwner) =>
        ephemeralOwner == 0 ? new DataNode(name, data, acl) : new OwnedDataNode(name, data, acl, ephemeralOwner);

    /// <summary>The stored owner: a session id, the container marker or a TTL marker; 0 for plain nodes.</summary>
    public long EphemeralOwner => this is OwnedDataNode owned ? owned.Owner : 0;

    public int ChildCount => _childCount;

    public int DataLength => Data?.Length ?? 0;

    /// <summary>The Stat clients see: cversion = 2C − numChildren, dataLength 0 for null, ephemeralOwner 0 unless a plain ephemeral.</summary>
    public Stat ToStat(bool extendedTypes) => new(
        Czxid,
        Mzxid,
        Ctime,
        Mtime,
        Version,
        unchecked((2 * ChildCreations) - _childCount),
        Aversion,
        NodeKinds.ClientEphemeralOwner(EphemeralOwner, extendedTypes),
        DataLength,
        _childCount,
        Pzxid);

    public DataNode? GetChild(ReadOnlySpan<char> name)
    {
        var slots = _slots;
        if (slots is null) return null;
        var mask = slots.Length - 1;
        for (var i = TreeHash.Name(name) & mask; ; i = (i + 1) & mask)
        {
            var n = slots[i];
            if (n is null) return null;
            if (name.SequenceEqual(n.Name)) return n;
        }
    }

    /// <summary>The caller guarantees no child of that name exists.</summary>
    public void AddChild(DataNode child)
    {
        if (_slots is null) _slots = new DataNode?[4];
        else if ((_childCount + 1) * 4 > _slots.Length * 3) Grow();
        Insert(_slots, child);
        _childCount++;
    }

    public DataNode? RemoveChild(ReadOnlySpan<char> name)
    {
        var slots = _slots;
        if (slots is null) return null;
        var mask = slots.Length - 1;
        var i = TreeHash.Name(name) & mask;
        while (true)
        {
            var n = slots[i];
            if (n is null) return null;
            if (name.SequenceEqual(n.Name)) break;
            i = (i + 1) & mask;
        }
        var removed = slots[i]!;
        slots[i] = null;
        // Backward-shift deletion keeps every remaining entry reachable from its home slot without tombstones.
        var j = i;
        while (true)
        {
            j = (j + 1) & mask;
            var n = slots[j];
            if (n is null) break;
            var home = TreeHash.Name(n.Name) & mask;
            var movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
            if (!movable) continue;
            slots[i] = n;
            slots[j] = null;
            i = j;
        }
        if (--_childCount == 0) _slots = null;
        return removed;
    }

    /// <summary>Drops every child at once (a subtree being discarded during replay).</summary>
    public void ClearChildren()
    {
        _slots = null;
        _childCount = 0;
    }

    public ChildEnumerator Children => new(_slots);

    public string[] ChildNames()
    {
        var names = new string[_childCount];
        var k = 0;
        foreach (var c in Children) names[k++] = c.Name;
        return names;
    }

    private void Grow()
    {
        var old = _slots!;
        var bigger = new DataNode?[old.Length * 2];
        foreach (var n in old)
            if (n is not null) Insert(bigger, n);
        _slots = bigger;
    }

    private static void Insert(DataNode?[] slots, DataNode child)
    {
        var mask = slots.Length - 1;
        var i = TreeHash.Name(child.Name) & mask;
        while (slots[i] is not null) i = (i + 1) & mask;
        slots[i] = child;
    }

    /// <summary>Allocation-free enumeration of the children in table order (deterministic for a given history).</summary>
    public struct ChildEnumerator(DataNode?[]? slots)
    {
        private int _i = -1;

        public readonly DataNode Current => slots![_i]!;

        public readonly ChildEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (slots is null) return false;
            while (++_i < slots.Length)
                if (slots[_i] is not null) return true;
            return false;
        }
    }
}

internal sealed class OwnedDataNode(string name, byte[]? data, AclList acl, long owner) : DataNode(name, data, acl)
{
    public readonly long Owner = owner;
}
