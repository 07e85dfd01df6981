// Parses ZooKeeper connect strings ("host:port,host:port/chroot") and maps paths across the chroot.
// Immutable after construction; safe to share between threads.
using System.Globalization;
using Zk.Protocol;

namespace Zk.Client;

public readonly record struct HostEndpoint(string Host, int Port)
{
    public override string ToString() =>
        Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

public sealed class ConnectionString
{
    public const int DefaultPort = 2181;

    private ConnectionString(IReadOnlyList<HostEndpoint> hosts, string? chroot)
    {
        Hosts = hosts;
        Chroot = chroot;
    }

    public IReadOnlyList<HostEndpoint> Hosts { get; }

    /// <summary>Null when there is no chroot; "/" in the string counts as none, as in ZooKeeper.</summary>
    public string? Chroot { get; }

    /// <summary>
    /// Hosts are separated by commas; each is host, host:port or [ipv6]:port (port 2181 when absent). Everything
    /// from the first '/' is the chroot, which must be a valid znode path.
    /// </summary>
    public static ConnectionString Parse(string connectString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectString);
        string? chroot = null;
        var hostsPart = connectString;
        var slash = connectString.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            var root = connectString[slash..];
            if (root.Length > 1)
            {
                var error = PathUtils.Validate(root);
                if (error is not null) throw new ArgumentException(error, nameof(connectString));
                chroot = root;
            }
            hostsPart = connectString[..slash];
        }

        var hosts = new List<HostEndpoint>();
        foreach (var raw in hostsPart.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            hosts.Add(ParseHost(raw));
        if (hosts.Count == 0) throw new ArgumentException("A connect string needs at least one host", nameof(connectString));
        return new ConnectionString(hosts, chroot);
    }

    /// <summary>The server path for a client path: the chroot is prepended ("/" maps to the chroot itself).</summary>
    public string ToServerPath(string clientPath)
    {
        if (Chroot is null) return clientPath;
        return clientPath == "/" ? Chroot : Chroot + clientPath;
    }

    /// <summary>The client path for a server path; paths outside the chroot are returned unchanged.</summary>
    public string ToClientPath(string serverPath)
    {
        if (Chroot is null) return serverPath;
        if (serverPath == Chroot) return "/";
        if (serverPath.Length > Chroot.Length && serverPath.StartsWith(Chroot, StringComparison.Ordinal)
            && serverPath[Chroot.Length] == '/')
            return serverPath[Chroot.Length..];
        return serverPath;
    }

    public override string ToString() => string.Join(',', Hosts) + (Chroot ?? "");

    private static HostEndpoint ParseHost(string raw)
    {
        if (raw.StartsWith('['))
        {
            var close = raw.IndexOf(']', StringComparison.Ordinal);
            if (close < 0) throw new ArgumentException($"Unterminated IPv6 address in \"{raw}\"");
            var host = raw[1..close];
            var rest = raw[(close + 1)..];
            return new HostEndpoint(host, rest.StartsWith(':') && rest.Length > 1 ? ParsePort(rest[1..], raw) : DefaultPort);
        }
        var colon = raw.LastIndexOf(':');
        if (colon < 0) return new HostEndpoint(raw, DefaultPort);
        // "host:" keeps the default port, as ZooKeeper's parser does.
        var port = colon < raw.Length - 1 ? ParsePort(raw[(colon + 1)..], raw) : DefaultPort;
        return new HostEndpoint(raw[..colon], port);
    }

    private static int ParsePort(string text, string raw)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is <= 0 or > 65535)
            throw new ArgumentException($"Invalid port in \"{raw}\"");
        return port;
    }
}
