// ZooKeeper's znode path rules (PathUtils.validatePath, reference §10) and small path helpers. Pure functions;
// thread-safe. Validation allocates only when it reports an error.
namespace Zk.Protocol;

public static class PathUtils
{
    /// <summary>
    /// Null when <paramref name="path"/> is a valid znode path, otherwise ZooKeeper's own message for the first
    /// rule it breaks. A sequential path is checked as if a digit followed it (ZooKeeper appends "1"), so
    /// "/a/" is a valid sequential prefix; the message then quotes the path with that "1".
    /// </summary>
    public static string? Validate(string? path, bool isSequential = false)
    {
        if (path is null && !isSequential) return "Path cannot be null";
        // Java concatenates null + "1" into "null1", which then fails the leading-slash rule.
        var text = path ?? "null";
        var length = text.Length + (isSequential ? 1 : 0);
        if (length == 0) return "Path length must be > 0";
        if (CharAt(text, 0) != '/') return "Path must start with / character";
        if (length == 1) return null;
        if (CharAt(text, length - 1) == '/') return "Path must not end with / character";

        for (var i = 1; i < length; i++)
        {
            var c = CharAt(text, i);
            var previous = CharAt(text, i - 1);
            var endsSegment = i + 1 == length || CharAt(text, i + 1) == '/';
            string? reason = null;
            if (c == '\0') reason = "null character not allowed @";
            else if (c == '/' && previous == '/') reason = "empty node name specified @";
            else if (c == '.' && previous == '.')
            {
                if (i >= 2 && CharAt(text, i - 2) == '/' && endsSegment) reason = "relative paths not allowed @";
            }
            else if (c == '.')
            {
                if (previous == '/' && endsSegment) reason = "relative paths not allowed @";
            }
            else if (IsForbidden(c)) reason = "invalid character @";

            if (reason is not null)
                return $"Invalid path string \"{text}{(isSequential ? "1" : "")}\" caused by {reason}{i}";
        }
        return null;
    }

    /// <summary>
    /// The parent path: everything before the last '/', with "/" for a top-level node. "/" is its own parent,
    /// so callers walking up stop at "/". A path without '/' throws <see cref="ArgumentException"/>.
    /// </summary>
    public static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        if (slash < 0) throw new ArgumentException($"path \"{path}\" has no '/'", nameof(path));
        return slash == 0 ? "/" : path[..slash];
    }

    /// <summary>The node's own name: everything after the last '/' ("" for "/").</summary>
    public static string LastSegment(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? path : path[(slash + 1)..];
    }

    /// <summary>The path of child <paramref name="name"/> under <paramref name="parent"/>.</summary>
    public static string Child(string parent, string name) => parent == "/" ? "/" + name : parent + "/" + name;

    // The appended sequential digit sits just past the end of the string.
    private static char CharAt(string text, int i) => i < text.Length ? text[i] : '1';

    private static bool IsForbidden(char c) =>
        c is (> '\u0000' and <= '\u001f') or (>= '\u007f' and <= '\u009f') or (>= '\ud800' and <= '\uf8ff')
            or >= '\ufff0';
}
