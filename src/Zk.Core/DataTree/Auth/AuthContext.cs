// Who is asking: the ids a connection has accumulated (its automatic ip id, digest ids from addauth, super).
// Immutable; the connection builds a new one when an addauth succeeds and passes it with every request.
using Zk.Protocol;

namespace Zk.Core.DataTree.Auth;

public sealed record AuthContext(IReadOnlyList<Id> Ids, bool IsSuper)
{
    /// <summary>No ids at all: matches only world:anyone entries (and empty ACLs).</summary>
    public static readonly AuthContext Anonymous = new([], false);

    /// <summary>ZooKeeper treats any id of scheme "super" as the superuser.</summary>
    public static AuthContext From(IReadOnlyList<Id> ids)
    {
        var super = false;
        foreach (var id in ids)
            if (id.Scheme == AuthSchemes.Super) super = true;
        return new AuthContext(ids, super);
    }

    public AuthContext With(IEnumerable<Id> more)
    {
        var ids = new List<Id>(Ids);
        foreach (var id in more)
            if (!ids.Contains(id)) ids.Add(id);
        return From(ids);
    }
}

public static class AuthSchemes
{
    public const string World = "world";
    public const string Auth = "auth";
    public const string Digest = "digest";
    public const string Ip = "ip";
    public const string Super = "super";
    public const string Anyone = "anyone";
}
