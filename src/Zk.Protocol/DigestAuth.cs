// The digest scheme's id format: "user:" + base64(SHA-1("user:password")), as DigestAuthenticationProvider makes
// it for addauth and for digest ACLs. Pure; thread-safe.
using System.Security.Cryptography;
using System.Text;

namespace Zk.Protocol;

public static class DigestAuth
{
    public const string Scheme = "digest";

    /// <summary>
    /// The digest id for a "user:password" credential. The user is the text before the first ':', and the hash
    /// covers the whole credential (UTF-8). alice:secret gives alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=.
    /// </summary>
    public static string Hash(string userColonPassword)
    {
        var colon = userColonPassword.IndexOf(':');
        var user = colon < 0 ? userColonPassword : userColonPassword[..colon];
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes(userColonPassword));
        return user + ":" + Convert.ToBase64String(hash);
    }

    /// <summary>The user part of a digest id or credential: the text before the first ':' (whoAmI reports it).</summary>
    public static string User(string digestId)
    {
        var colon = digestId.IndexOf(':');
        return colon < 0 ? digestId : digestId[..colon];
    }
}
