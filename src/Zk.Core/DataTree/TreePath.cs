// Path rules of ZooKeeper's PathUtils and the path arithmetic the tree needs. Pure functions.
// Kept private to the data tree until Zk.Protocol.PathUtils lands; the rules are the same (reference §10).
namespace Zk.Core.DataTree;

internal static class TreePath
{
    public const string Root = "/";

    /// <summary>PathUtils.validatePath: true when the path is a valid znode path.</summary>
    public static bool IsValid(ReadOnlySpan<char> path)
    {
        if (path.Length == 0 || path[0] != '/') return false;
        if (path.Length == 1) return true;
        if (path[^1] == '/') return false;
        var last = '/';
        for (var i = 1; i < path.Length; last = path[i], i++)
        {
            var c = path[i];
            var segmentEnds = i + 1 == path.Length || path[i + 1] == '/';
            if (c == 0) return false;
            if (c == '/' && last == '/') return false;
            if (c == '.' && last == '.')
            {
                if (path[i - 2] == '/' && segmentEnds) return false;
            }
            else if (c == '.')
            {
                if (path[i - 1] == '/' && segmentEnds) return false;
            }
            else if (IsForbidden(c)) return false;
        }
        return true;
    }

    /// <summary>For sequential creates the path is checked as if a digit followed it, so a trailing '/' is fine.</summary>
    public static bool IsValid(string path, bool isSequential) => IsValid(isSequential ? path + "1" : path);

    private static bool IsForbidden(char c) =>
        c is (> '\u0000' and <= '\u001f') or (>= '\u007f' and <= '\u009f') or (>= '\ud800' and <= '\uf8ff') or >= '\ufff0';

    /// <summary>
    /// The parent as ZooKeeper computes it (everything before the last '/'), canonicalised so the root is "/"
    /// rather than ZooKeeper's "" alias. Null when the path has no '/'.
    /// </summary>
    public static string? Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        if (slash < 0) return null;
        return slash == 0 ? Root : path[..slash];
    }

    public static ReadOnlySpan<char> ParentSpan(ReadOnlySpan<char> path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? Root : path[..slash];
    }

    public static ReadOnlySpan<char> ChildName(ReadOnlySpan<char> path) => path[(path.LastIndexOf('/') + 1)..];

    /// <summary>Java's String.format("%010d", n): zero padded to ten characters, the sign counting as one.</summary>
    public static string SequenceSuffix(int n) =>
        n < 0 ? "-" + (-(long)n).ToString("D9", System.Globalization.CultureInfo.InvariantCulture)
              : n.ToString("D10", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The root and the three /zookeeper nodes, which can never be deleted.</summary>
    public static bool IsSpecial(string path) =>
        path is "/" or "/zookeeper" or "/zookeeper/quota" or "/zookeeper/config";

    public static string Combine(string parent, string name) => parent.Length == 1 ? "/" + name : parent + "/" + name;
}
