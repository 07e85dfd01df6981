// ACL records (Id, ACL) and permission bits as defined by ZooDefs. Immutable; shared freely between threads.
namespace Zk.Protocol;

[Flags]
public enum Perms
{
    None = 0,
    Read = 1,
    Write = 2,
    Create = 4,
    Delete = 8,
    Admin = 16,
    All = 31,
}

public sealed record Id(string Scheme, string Ident)
{
    public static readonly Id Anyone = new("world", "anyone");

    public override string ToString() => $"{Scheme}:{Ident}";
}

public sealed record Acl(Perms Perms, Id Id)
{
    public static readonly IReadOnlyList<Acl> OpenAclUnsafe = [new(Perms.All, Id.Anyone)];
    public static readonly IReadOnlyList<Acl> ReadAclUnsafe = [new(Perms.Read, Id.Anyone)];
    public static readonly IReadOnlyList<Acl> CreatorAllAcl = [new(Perms.All, new Id("auth", ""))];

    /// <summary>zkCli's rendering: c d r w a in that order.</summary>
    public static string PermString(Perms p)
    {
        Span<char> s = stackalloc char[5];
        var n = 0;
        if ((p & Perms.Create) != 0) s[n++] = 'c';
        if ((p & Perms.Delete) != 0) s[n++] = 'd';
        if ((p & Perms.Read) != 0) s[n++] = 'r';
        if ((p & Perms.Write) != 0) s[n++] = 'w';
        if ((p & Perms.Admin) != 0) s[n++] = 'a';
        return new string(s[..n]);
    }
}
