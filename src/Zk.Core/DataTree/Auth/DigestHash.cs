// ZooKeeper's digest credential hash: "user:password" → "user:" + base64(sha1("user:password")).
// Pure and thread-safe. Private to the data tree until Zk.Protocol's DigestAuth.Hash lands; same result.
using System.Security.Cryptography;
using System.Text;

namespace Zk.Core.DataTree.Auth;

public static class DigestHash
{
    /// <summary>The user part is everything before the first ':' (the whole string when there is none).</summary>
    public static string Hash(string idPassword)
    {
        var colon = idPassword.IndexOf(':');
        var user = colon < 0 ? idPassword : idPassword[..colon];
        var sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(idPassword));
        return user + ":" + Convert.ToBase64String(sha1);
    }
}
