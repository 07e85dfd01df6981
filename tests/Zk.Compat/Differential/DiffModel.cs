// What the differential workload believes exists, learned only from the results it observed (so two runs that
// saw the same results hold the same model). It steers the generator towards live nodes and tells it which
// exists calls 3.8.0 and 3.8.4 would answer differently.
using Zk.Protocol;

namespace Zk.Compat.Differential;

internal sealed class DiffModel
{
    private readonly List<string> _order = [];
    private readonly Dictionary<string, (IReadOnlyList<Acl> Acl, int? Owner)> _nodes = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Paths => _order;

    public bool Contains(string path) => _nodes.ContainsKey(path);

    /// <param name="listed">False for a node the generator must not pick by itself (the workload's root).</param>
    public void Created(string path, IReadOnlyList<Acl> resolvedAcl, int? ephemeralOwner, bool listed = true)
    {
        if (_nodes.TryAdd(path, (resolvedAcl, ephemeralOwner)) && listed) _order.Add(path);
    }

    public void Deleted(string path)
    {
        if (_nodes.Remove(path)) _order.Remove(path);
    }

    public void AclSet(string path, IReadOnlyList<Acl> resolvedAcl)
    {
        if (_nodes.TryGetValue(path, out var n)) _nodes[path] = (resolvedAcl, n.Owner);
    }

    /// <summary>A session ended: its ephemerals are gone.</summary>
    public void SessionClosed(int client)
    {
        foreach (var p in _order.Where(p => _nodes[p].Owner == client).ToList()) Deleted(p);
    }

    /// <summary>
    /// 3.8.4 answers exists on a node the caller cannot read with NoAuth; 3.8.0 returns its Stat. Such calls are
    /// left out of the workload.
    /// </summary>
    public bool ExistsIsComparable(string path, string? callerDigestId) =>
        !_nodes.TryGetValue(path, out var n) || n.Acl.Count == 0 || n.Acl.Any(a => (a.Perms & Perms.Read) != 0 && Matches(a.Id, callerDigestId));

    private static bool Matches(Id id, string? callerDigestId) => id.Scheme switch
    {
        "world" => id.Ident == "anyone",
        "digest" => callerDigestId is not null && id.Ident == callerDigestId,
        "ip" => id.Ident is "127.0.0.1" or "127.0.0.0/8",
        _ => false,
    };
}
