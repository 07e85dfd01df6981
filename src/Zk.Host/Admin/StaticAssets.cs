// The dashboard's HTML, JS and CSS, embedded in the server assembly (Admin/wwwroot) so a bare binary serves it;
// no CDN, no build step. Read once and cached; thread-safe.
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace Zk.Host.Admin;

internal static class StaticAssets
{
    private const string Prefix = "wwwroot/";
    private static readonly ConcurrentDictionary<string, byte[]?> Cache = new(StringComparer.Ordinal);

    public static async Task<bool> TryServeAsync(HttpContext ctx, string name, CancellationToken ct)
    {
        if (name.Length == 0) name = "index.html";
        if (name.Contains("..", StringComparison.Ordinal)) return false;
        var bytes = Cache.GetOrAdd(name, Load);
        if (bytes is null) return false;
        ctx.Response.ContentType = ContentType(name);
        ctx.Response.Headers.CacheControl = "no-cache";
        await ctx.Response.Body.WriteAsync(bytes, ct).ConfigureAwait(false);
        return true;
    }

    public static IReadOnlyList<string> Names() =>
        [.. typeof(StaticAssets).Assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Select(n => n[Prefix.Length..])];

    private static byte[]? Load(string name)
    {
        using var stream = typeof(StaticAssets).Assembly.GetManifestResourceStream(Prefix + name);
        if (stream is null) return null;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        _ => "application/octet-stream",
    };
}
