// The authentication providers ZooKeeper registers by default (ip, digest) plus the super digest: addauth,
// ACL id validation and id matching. Immutable after construction; safe from any thread.
using System.Globalization;
using System.Text;
using Zk.Protocol;

namespace Zk.Core.DataTree.Auth;

// "world" and "auth" are not providers (an addauth with them fails); "super" has no provider either, so it
// can never appear in an ACL, only as an id granted by a matching super digest.
public sealed class AuthProviders
{
    private readonly string? _superDigest;

    /// <param name="superDigest">The `superDigest` option, "super:&lt;base64 sha1&gt;", or null for none.</param>
    public AuthProviders(string? superDigest = null) => _superDigest = string.IsNullOrEmpty(superDigest) ? null : superDigest;

    public static readonly AuthProviders Default = new();

    /// <summary>
    /// Handles an auth packet. On success appends the ids the connection gains (digest: the hashed id, preceded
    /// by super:"" when it matches the super digest; ip: the connection's own address) and returns Ok.
    /// An unknown scheme gives AuthFailed, after which the server closes the connection.
    /// </summary>
    public KeeperErrorCode Authenticate(string? scheme, byte[]? auth, string? remoteIp, List<Id> added)
    {
        switch (scheme)
        {
            case AuthSchemes.Digest:
            {
                // A null credential (kazoo sends -1 for "") is treated as "".
                var digest = DigestHash.Hash(auth is null ? "" : Encoding.UTF8.GetString(auth));
                if (_superDigest is not null && digest == _superDigest) added.Add(new Id(AuthSchemes.Super, ""));
                added.Add(new Id(AuthSchemes.Digest, digest));
                return KeeperErrorCode.Ok;
            }
            case AuthSchemes.Ip when remoteIp is not null:
                added.Add(new Id(AuthSchemes.Ip, remoteIp));
                return KeeperErrorCode.Ok;
            default:
                return KeeperErrorCode.AuthFailed;
        }
    }

    /// <summary>Whether the scheme has a provider at all (ACL entries of other schemes never match and never validate).</summary>
    public static bool HasProvider(string scheme) => scheme is AuthSchemes.Digest or AuthSchemes.Ip;

    /// <summary>Providers whose ids count as "authenticated" for the auth scheme's expansion: digest, not ip.</summary>
    public static bool IsAuthenticated(string scheme) => scheme == AuthSchemes.Digest;

    public static bool IsValid(string scheme, string? id) => scheme switch
    {
        AuthSchemes.Digest => id is not null && JavaSplitCount(id, ':') == 2,
        AuthSchemes.Ip => id is not null && IsValidIpAcl(id),
        _ => false,
    };

    /// <summary>Does a caller id (already of the same scheme) satisfy an ACL id?</summary>
    public static bool Matches(string scheme, string callerId, string aclId) => scheme switch
    {
        AuthSchemes.Digest => callerId == aclId,
        AuthSchemes.Ip => IpMatches(callerId, aclId),
        _ => false,
    };

    /// <summary>The user name whoAmI reports: digest → the part before ':'; others → the id itself.</summary>
    public static string UserName(Id id) => id.Scheme switch
    {
        AuthSchemes.Digest => id.Ident.Split(':')[0],
        _ => id.Ident,
    };

    // Java's String.split(regex) drops trailing empty strings; "a:" is one part, "a:b:" two, "" one.
    private static int JavaSplitCount(string s, char sep)
    {
        if (s.Length == 0) return 1;
        var parts = s.Split(sep);
        var n = parts.Length;
        while (n > 0 && parts[n - 1].Length == 0) n--;
        return n;
    }

    private static bool IsValidIpAcl(string id)
    {
        var slash = id.IndexOf('/');
        var addr = slash < 0 ? id : id[..slash];
        if (ParseV4(addr) is null) return false;
        return slash < 0 || TryParseBits(id[(slash + 1)..], out _);
    }

    private static bool IpMatches(string callerIp, string aclExpr)
    {
        var slash = aclExpr.IndexOf('/');
        var aclAddr = ParseV4(slash < 0 ? aclExpr : aclExpr[..slash]);
        if (aclAddr is null) return false;
        var bits = 32;
        if (slash >= 0 && !TryParseBits(aclExpr[(slash + 1)..], out bits)) return false;
        var remote = ParseV4(callerIp);
        if (remote is null) return false;
        var mask = bits == 0 ? 0u : uint.MaxValue << (32 - bits);
        return (aclAddr.Value & mask) == (remote.Value & mask);
    }

    private static bool TryParseBits(string s, out int bits) =>
        TryParseJavaInt(s, out bits) && bits is >= 0 and <= 32;

    // Java's v4addr2Bytes: exactly four dot-separated Integer.parseInt values in 0..255 (so "+1" and "010" pass).
    private static uint? ParseV4(string addr)
    {
        var parts = addr.Split('.');
        if (parts.Length != 4) return null;
        uint v = 0;
        foreach (var p in parts)
        {
            if (!TryParseJavaInt(p, out var b) || b is < 0 or > 255) return null;
            v = (v << 8) | (uint)b;
        }
        return v;
    }

    private static bool TryParseJavaInt(string s, out int value) =>
        int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
