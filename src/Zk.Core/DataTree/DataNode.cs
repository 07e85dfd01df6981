// One znode, kept compact because a tree holds millions of them. Owned by its DataTree and touched only by
// the tree's owner (one actor); never shared.
using System.Runtime.CompilerServices;
using System.Text;
using Zk.Protocol;

namespace Zk.Core.DataTree;

// 96 bytes for a leaf (with the object header), plus its data array. Stat fields are inline; the ACL is an interned
// shared list; there is no full path (paths are walked from the root). The name is kept as UTF-8 inside the node
// when it fits InlineNameBytes (most do: "lock-0000000042", "s3-123456"), which saves a string object per znode.
// What only some nodes need lives in NodeExtras, allocated on first use: the child table and the parent-only stat
// (pzxid, the creation count C), a non-zero aversion, and a name too long to inline. The ephemeral owner never
// changes after creation and is 0 for most nodes, so only OwnedDataNode (ephemerals, containers, TTL nodes) spends
// 8 bytes on it. docs/BENCHMARKS.md has the per-znode heap figures.
internal class DataNode
{
    public const int InlineNameBytes = 19;

    // Byte 0: the length of an inline name, or LongName when the name lives in NodeExtras.
    private const byte LongName = 0xFF;

    private NameBuffer _name;
    private NodeExtras? _extras;
    public byte[]? Data;
    public AclList Acl;

    public long Czxid;
    public long Mzxid;
    public long Ctime;
    public long Mtime;
    public int Version;

    protected DataNode(ReadOnlySpan<char> name, byte[]? data, AclList acl)
    {
        Data = data;
        Acl = acl;
        var length = Encoding.UTF8.GetByteCount(name);
        if (length <= InlineNameBytes)
        {
            Span<byte> inline = _name;
            inline[0] = (byte)length;
            Encoding.UTF8.GetBytes(name, inline[1..]);
            return;
        }
        ((Span<byte>)_name)[0] = LongName;
        Extras().LongName = Encoding.UTF8.GetBytes(name.ToString());
    }

    public static DataNode Create(ReadOnlySpan<char> name, byte[]? data, AclList acl, long ephemeralOwner) =>
        ephemeralOwner == 0 ? new DataNode(name, data, acl) : new OwnedDataNode(name, data, acl, ephemeralOwner);

    /// <summary>The name as UTF-8, without allocating.</summary>
    public ReadOnlySpan<byte> NameUtf8
    {
        get
        {
            ReadOnlySpan<byte> inline = _name;
            return inline[0] == LongName ? _extras!.LongName : inline.Slice(1, inline[0]);
        }
    }

    /// <summary>A new string on every call: for paths and listings, not for lookups.</summary>
    public string Name => Encoding.UTF8.GetString(NameUtf8);

    /// <summary>The stored owner: a session id, the container marker or a TTL marker; 0 for plain nodes.</summary>
    public long EphemeralOwner => this is OwnedDataNode owned ? owned.Owner : 0;

    /// <summary>Stored pzxid: the zxid of the last child created or deleted here, czxid until there is one.</summary>
    public long Pzxid
    {
        get => _extras?.Pzxid ?? Czxid;
        set
        {
            if (_extras is null && value == Czxid) return;
            Extras().Pzxid = value;
        }
    }

    /// <summary>ZooKeeper's stored cversion C: the number of children ever created here.</summary>
    public int ChildCreations
    {
        get => _extras?.ChildCreations ?? 0;
        set
        {
            if (_extras is null && value == 0) return;
            Extras().ChildCreations = value;
        }
    }

    public int Aversion
    {
        get => _extras?.Aversion ?? 0;
        set
        {
            if (_extras is null && value == 0) return;
            Extras().Aversion = value;
        }
    }

    public int ChildCount => _extras?.ChildCount ?? 0;

    public int DataLength => Data?.Length ?? 0;

    private NodeExtras Extras() => _extras ??= new NodeExtras { Pzxid = Czxid };

    /// <summary>The Stat clients see: cversion = 2C − numChildren, dataLength 0 for null, ephemeralOwner 0 unless a plain ephemeral.</summary>
    public Stat ToStat(bool extendedTypes) => new(
        Czxid,
        Mzxid,
        Ctime,
        Mtime,
        Version,
        unchecked((2 * ChildCreations) - ChildCount),
        Aversion,
        NodeKinds.ClientEphemeralOwner(EphemeralOwner, extendedTypes),
        DataLength,
        ChildCount,
        Pzxid);

    public DataNode? GetChild(ReadOnlySpan<char> name) => _extras?.Slots is null ? null : ChildTable.Get(_extras, name);

    /// <summary>The caller guarantees no child of that name exists.</summary>
    public void AddChild(DataNode child) => ChildTable.Add(Extras(), child);

    public DataNode? RemoveChild(ReadOnlySpan<char> name) => _extras?.Slots is null ? null : ChildTable.Remove(_extras, name);

    /// <summary>Drops every child at once (a subtree being discarded during replay).</summary>
    public void ClearChildren()
    {
        if (_extras is null) return;
        _extras.Slots = null;
        _extras.ChildCount = 0;
    }

    public ChildTable.Enumerator Children => new(_extras?.Slots);

    public string[] ChildNames()
    {
        var names = new string[ChildCount];
        var k = 0;
        foreach (var c in Children) names[k++] = c.Name;
        return names;
    }

    [InlineArray(InlineNameBytes + 1)]
    private struct NameBuffer
    {
        private byte _first;
    }
}

internal sealed class OwnedDataNode(ReadOnlySpan<char> name, byte[]? data, AclList acl, long owner) : DataNode(name, data, acl)
{
    public readonly long Owner = owner;
}

/// <summary>The part of a node that only parents, setACL'd nodes and long-named nodes need.</summary>
internal sealed class NodeExtras
{
    public long Pzxid;
    public int ChildCreations;
    public int Aversion;
    public byte[]? LongName;

    // Linear-probing table (ChildTable); capacity is a power of two; null slots are empty. Invariant: ChildCount equals
    // the number of non-null slots, and the table is null when there are no children.
    public DataNode?[]? Slots;
    public int ChildCount;
}
