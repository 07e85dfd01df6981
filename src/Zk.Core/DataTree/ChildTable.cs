// A node's children: an open-addressing (linear probing) table of node references keyed by each child's UTF-8 name,
// stored in the parent's NodeExtras and allocated when the first child arrives. 8 bytes per slot at a load factor of
// at most 3/4. Lookups take the name as UTF-16 (paths arrive as strings) and compare it as UTF-8 without allocating.
// Same threading as DataNode: the tree's owner only.
using System.Text;

namespace Zk.Core.DataTree;

internal static class ChildTable
{
    // Longer names (rare: ZooKeeper's own limit is the frame size) are encoded on the heap for a lookup.
    private const int StackNameBytes = 256;

    public static DataNode? Get(NodeExtras parent, ReadOnlySpan<char> name)
    {
        Span<byte> buffer = stackalloc byte[StackNameBytes];
        var key = Encode(name, buffer);
        var slots = parent.Slots!;
        var mask = slots.Length - 1;
        for (var i = Hash(key) & mask; ; i = (i + 1) & mask)
        {
            var n = slots[i];
            if (n is null) return null;
            if (key.SequenceEqual(n.NameUtf8)) return n;
        }
    }

    public static void Add(NodeExtras parent, DataNode child)
    {
        if (parent.Slots is null) parent.Slots = new DataNode?[4];
        else if ((parent.ChildCount + 1) * 4 > parent.Slots.Length * 3) Grow(parent);
        Insert(parent.Slots, child);
        parent.ChildCount++;
    }

    public static DataNode? Remove(NodeExtras parent, ReadOnlySpan<char> name)
    {
        Span<byte> buffer = stackalloc byte[StackNameBytes];
        var key = Encode(name, buffer);
        var slots = parent.Slots!;
        var mask = slots.Length - 1;
        var i = Hash(key) & mask;
        while (true)
        {
            var n = slots[i];
            if (n is null) return null;
            if (key.SequenceEqual(n.NameUtf8)) break;
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
            var home = Hash(n.NameUtf8) & mask;
            var movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
            if (!movable) continue;
            slots[i] = n;
            slots[j] = null;
            i = j;
        }
        if (--parent.ChildCount == 0) parent.Slots = null;
        return removed;
    }

    private static ReadOnlySpan<byte> Encode(ReadOnlySpan<char> name, Span<byte> buffer) =>
        Encoding.UTF8.GetMaxByteCount(name.Length) <= buffer.Length || Encoding.UTF8.GetByteCount(name) <= buffer.Length
            ? buffer[..Encoding.UTF8.GetBytes(name, buffer)]
            : Encoding.UTF8.GetBytes(name.ToString());

    private static int Hash(ReadOnlySpan<byte> name) => (int)TreeHash.Bytes(name, TreeHash.NameSeed);

    private static void Grow(NodeExtras parent)
    {
        var old = parent.Slots!;
        var bigger = new DataNode?[old.Length * 2];
        foreach (var n in old)
            if (n is not null) Insert(bigger, n);
        parent.Slots = bigger;
    }

    private static void Insert(DataNode?[] slots, DataNode child)
    {
        var mask = slots.Length - 1;
        var i = Hash(child.NameUtf8) & mask;
        while (slots[i] is not null) i = (i + 1) & mask;
        slots[i] = child;
    }

    /// <summary>Allocation-free enumeration of the children in table order (deterministic for a given history).</summary>
    public struct Enumerator(DataNode?[]? slots)
    {
        private int _i = -1;

        public readonly DataNode Current => slots![_i]!;

        public readonly Enumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (slots is null) return false;
            while (++_i < slots.Length)
                if (slots[_i] is not null) return true;
            return false;
        }
    }
}
