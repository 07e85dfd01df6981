// Interned ACL lists: every node with the same ACL points at one immutable AclList, shareable across threads.
// AclCache (the interning table) belongs to one DataTree and is touched only by the tree's owner.
using Zk.Protocol;

namespace Zk.Core.DataTree;

public sealed class AclList : IReadOnlyList<Acl>, IEquatable<AclList>
{
    private readonly Acl[] _items;

    // Reference count of nodes that point here; maintained by the owning AclCache only.
    internal int Users;

    internal AclList(Acl[] items)
    {
        _items = items;
        ulong h = TreeHash.AclSeed;
        foreach (var a in items)
        {
            h = TreeHash.Mix(h, (ulong)(uint)a.Perms);
            h = TreeHash.Mix(h, TreeHash.Chars(a.Id.Scheme ?? "", TreeHash.AclSeed));
            h = TreeHash.Mix(h, TreeHash.Chars(a.Id.Ident ?? "", TreeHash.AclSeed));
        }
        ContentHash = TreeHash.Final(h);
    }

    /// <summary>Deterministic across processes; part of every node's digest.</summary>
    public ulong ContentHash { get; }

    public int Count => _items.Length;

    public Acl this[int index] => _items[index];

    public IEnumerator<Acl> GetEnumerator() => ((IEnumerable<Acl>)_items).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _items.GetEnumerator();

    public bool Equals(AclList? other) => other is not null && ContentHash == other.ContentHash && SameContent(other);

    public override bool Equals(object? obj) => obj is AclList l && Equals(l);

    public override int GetHashCode() => (int)ContentHash;

    public override string ToString() => string.Join(",", _items.Select(a => $"{a.Id}:{Acl.PermString(a.Perms)}"));

    internal bool SameContent(IReadOnlyList<Acl> other)
    {
        if (other.Count != _items.Length) return false;
        for (var i = 0; i < _items.Length; i++)
            if (!_items[i].Equals(other[i])) return false;
        return true;
    }
}

internal sealed class AclCache
{
    private readonly Dictionary<AclList, AclList> _lists = [];

    public int Count => _lists.Count;

    /// <summary>Returns the shared instance for this content and counts one more user of it.</summary>
    public AclList Acquire(IReadOnlyList<Acl> acl)
    {
        var key = acl as AclList ?? new AclList([.. acl]);
        if (_lists.TryGetValue(key, out var shared))
        {
            shared.Users++;
            return shared;
        }
        // An AclList owned by another cache (another tree) must not be adopted: its Users count is that cache's.
        var fresh = ReferenceEquals(key, acl) ? new AclList([.. acl]) : key;
        _lists.Add(fresh, fresh);
        fresh.Users = 1;
        return fresh;
    }

    public void Release(AclList list)
    {
        if (!_lists.TryGetValue(list, out var shared) || !ReferenceEquals(shared, list))
            throw new InvalidOperationException("releasing an ACL list this cache does not own");
        if (--list.Users == 0) _lists.Remove(list);
    }
}
