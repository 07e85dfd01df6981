// Permission checks and ACL validation exactly as ZooKeeper's checkACL and fixupACL (reference §9).
// Immutable; safe from any thread. Used by the tree's reads and by the preparer.
using System.Text;
using Zk.Protocol;

namespace Zk.Core.DataTree.Auth;

public sealed class AclPolicy(bool skipAcl = false)
{
    public static readonly AclPolicy Default = new();

    public bool SkipAcl { get; } = skipAcl;

    /// <summary>
    /// Granted when ACLs are skipped, the list is empty, the caller is super, or some entry sharing a bit with
    /// <paramref name="perm"/> is world:anyone or matches one of the caller's ids of the same scheme.
    /// </summary>
    public bool Check(IReadOnlyList<Acl> acl, Perms perm, AuthContext auth)
    {
        if (SkipAcl || acl.Count == 0 || auth.IsSuper) return true;
        for (var i = 0; i < acl.Count; i++)
        {
            var a = acl[i];
            if ((a.Perms & perm) == 0) continue;
            var id = a.Id;
            if (id.Scheme == AuthSchemes.World && id.Ident == AuthSchemes.Anyone) return true;
            if (!AuthProviders.HasProvider(id.Scheme)) continue;
            foreach (var caller in auth.Ids)
                if (caller.Scheme == id.Scheme && AuthProviders.Matches(id.Scheme, caller.Ident, id.Ident)) return true;
        }
        return false;
    }

    /// <summary>
    /// Validates and expands an ACL for create/setACL: duplicates removed (first kept), empty → InvalidAcl,
    /// world only with anyone, auth replaced by every caller id of an authenticated scheme (none → InvalidAcl),
    /// other schemes need a provider that accepts the id.
    /// </summary>
    public static KeeperErrorCode Fixup(IReadOnlyList<Acl>? acl, AuthContext auth, out IReadOnlyList<Acl> result)
    {
        result = [];
        if (acl is null || acl.Count == 0) return KeeperErrorCode.InvalidAcl;
        var unique = new List<Acl>(acl.Count);
        foreach (var a in acl)
            if (!unique.Contains(a)) unique.Add(a);
        var fixedAcl = new List<Acl>(unique.Count);
        foreach (var a in unique)
        {
            if (a?.Id?.Scheme is null) return KeeperErrorCode.InvalidAcl;
            var id = a.Id;
            if (id.Scheme == AuthSchemes.World && id.Ident == AuthSchemes.Anyone)
            {
                fixedAcl.Add(a);
            }
            else if (id.Scheme == AuthSchemes.Auth)
            {
                var any = false;
                foreach (var caller in auth.Ids)
                {
                    if (!AuthProviders.IsAuthenticated(caller.Scheme)) continue;
                    any = true;
                    fixedAcl.Add(new Acl(a.Perms, caller));
                }
                if (!any) return KeeperErrorCode.InvalidAcl;
            }
            else
            {
                if (!AuthProviders.HasProvider(id.Scheme) || !AuthProviders.IsValid(id.Scheme, id.Ident))
                    return KeeperErrorCode.InvalidAcl;
                fixedAcl.Add(a);
            }
        }
        result = fixedAcl;
        return KeeperErrorCode.Ok;
    }

    /// <summary>What getACL shows a caller without ADMIN (3.8.1+): digest ids become "user:x".</summary>
    public static IReadOnlyList<Acl> MaskDigests(IReadOnlyList<Acl> acl)
    {
        var any = false;
        foreach (var a in acl)
            if (a.Id.Scheme == AuthSchemes.Digest) any = true;
        if (!any) return acl;
        var masked = new Acl[acl.Count];
        for (var i = 0; i < acl.Count; i++)
        {
            var a = acl[i];
            masked[i] = a.Id.Scheme == AuthSchemes.Digest ? new Acl(a.Perms, new Id(a.Id.Scheme, MaskIdent(a.Id.Ident))) : a;
        }
        return masked;
    }

    // Java's id.replaceAll(":.*", ":x"): every ':' starts a match that runs to the end of its line, since
    // '.' stops at Java's line terminators.
    private static string MaskIdent(string ident)
    {
        var sb = new StringBuilder(ident.Length);
        var i = 0;
        while (i < ident.Length)
        {
            var c = ident[i];
            if (c != ':')
            {
                sb.Append(c);
                i++;
                continue;
            }
            sb.Append(":x");
            i++;
            while (i < ident.Length && !IsJavaLineTerminator(ident[i])) i++;
        }
        return sb.ToString();
    }

    private static bool IsJavaLineTerminator(char c) => c is '\n' or '\r' or '\u0085' or '\u2028' or '\u2029';
}
