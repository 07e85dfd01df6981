// Parses "server.N" lines and host:port specs, IPv6 literals in brackets, as ZooKeeper writes them:
// host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort][;[host:]secureClientPort].
// Pure and thread-safe.
using System.Globalization;

namespace Zk.Host.Config;

internal static class ServerLine
{
    // Session ids carry the server id in their top byte (zab.md §10), so a larger id would collide.
    public const long MaxServerId = 255;

    public const string Prefix = "server.";

    public static long ParseId(ConfigEntry e)
    {
        var digits = e.Key[Prefix.Length..];
        if (long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id <= MaxServerId)
            return id;
        throw new ConfigException($"{e.Where}: {e.Key} does not name a server id between 0 and {MaxServerId}");
    }

    public static QuorumServer Parse(ConfigEntry e)
    {
        var id = ParseId(e);
        var parts = e.Value.Split(';');
        if (parts.Length > 3)
            throw ConfigException.For(e, "has more than three ';'-separated parts (server;client;secureClient)");
        if (parts[0].Contains('|', StringComparison.Ordinal))
            throw ConfigException.For(e, "lists several addresses with '|', which ZkActors does not support");
        var fields = SplitHost(parts[0], e);
        if (fields.Length is < 3 or > 4)
            throw ConfigException.For(e, "is not host:quorumPort:electionPort[:participant|observer]");
        var host = NonEmptyHost(fields[0], e);
        var quorumPort = Port(fields[1], e, "quorum port");
        var electionPort = Port(fields[2], e, "election port");
        if (quorumPort == electionPort)
            throw ConfigException.For(e, "uses the same port for quorum and election traffic");
        var type = fields.Length == 4 ? ParsePeerType(fields[3], e) : PeerType.Participant;
        var client = parts.Length > 1 ? ParseClient(parts[1], e) : null;
        var secure = parts.Length > 2 ? ParseClient(parts[2], e) : null;
        return new QuorumServer(id, host, quorumPort, electionPort, type, client, secure);
    }

    public static PeerType ParsePeerType(string text, ConfigEntry e) => text.Trim().ToLowerInvariant() switch
    {
        "participant" => PeerType.Participant,
        "observer" => PeerType.Observer,
        _ => throw ConfigException.For(e, $"has peer type '{text}', not participant or observer"),
    };

    /// <summary>A host address as written in clientPortAddress or admin.serverAddress: brackets around IPv6 are dropped.</summary>
    public static string Address(ConfigEntry e)
    {
        var value = e.Value;
        if (value.StartsWith('[') && value.EndsWith(']'))
            value = value[1..^1];
        return value.Length > 0 ? value : throw ConfigException.For(e, "is empty");
    }

    // "port" or "host:port"; a bare port leaves the address unspecified (loopback for ZkActors).
    private static HostPort? ParseClient(string spec, ConfigEntry e)
    {
        spec = spec.Trim();
        if (spec.Length == 0)
            return null;
        var fields = SplitHost(spec, e);
        return fields.Length switch
        {
            1 => new HostPort(HostPort.Unspecified, Port(fields[0], e, "client port")),
            2 => new HostPort(NonEmptyHost(fields[0], e), Port(fields[1], e, "client port")),
            _ => throw ConfigException.For(e, $"has client address '{spec}', not [host:]port"),
        };
    }

    // Like ZooKeeper's getHostAndPort: "[v6::addr]:a:b" keeps the bracketed host whole, anything else splits on ':'.
    private static string[] SplitHost(string spec, ConfigEntry e)
    {
        spec = spec.Trim();
        if (!spec.StartsWith('['))
            return spec.Split(':');
        var close = spec.IndexOf(']', StringComparison.Ordinal);
        if (close < 0)
            throw ConfigException.For(e, $"has an IPv6 address without its closing ']' in '{spec}'");
        var host = spec[1..close];
        var rest = spec[(close + 1)..];
        if (rest.Length == 0)
            return [host];
        if (!rest.StartsWith(':'))
            throw ConfigException.For(e, $"has text after the IPv6 address that does not start with ':' in '{spec}'");
        return [host, .. rest[1..].Split(':')];
    }

    private static string NonEmptyHost(string host, ConfigEntry e) =>
        host.Trim().Length > 0 ? host.Trim() : throw ConfigException.For(e, "has an empty host");

    private static int Port(string text, ConfigEntry e, string what)
    {
        if (int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= ConfigValues.MaxPort)
            return port;
        throw ConfigException.For(e, $"has {what} '{text}', not a port number (1-{ConfigValues.MaxPort})");
    }
}
