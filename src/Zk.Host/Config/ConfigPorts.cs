// Cross-key check that this server's listeners (client, secure client, admin, quorum, election) do not claim the
// same port on overlapping addresses, which would otherwise surface only as a bind failure at start. Pure.
namespace Zk.Host.Config;

internal static class ConfigPorts
{
    public static void CheckNoCollisions(ServerConfig config, string sourceName)
    {
        var listeners = new List<(string Name, HostPort Address)>();
        if (config.ClientAddress is { } client)
            listeners.Add(("clientPort", client));
        if (config.SecureClientAddress is { } secure)
            listeners.Add(("secureClientPort", secure));
        if (config.AdminEnableServer)
            listeners.Add(("admin.serverPort", new HostPort(config.AdminServerAddress, config.AdminServerPort)));
        if (config.IsDistributed && config.Self is { } self)
        {
            listeners.Add(($"server.{self.Id} quorum port", new HostPort(self.Host, self.QuorumPort)));
            listeners.Add(($"server.{self.Id} election port", new HostPort(self.Host, self.ElectionPort)));
        }
        for (var i = 0; i < listeners.Count; i++)
        {
            for (var j = i + 1; j < listeners.Count; j++)
            {
                var (a, b) = (listeners[i], listeners[j]);
                if (a.Address.Port == b.Address.Port && Overlap(a.Address, b.Address))
                    throw new ConfigException($"{sourceName}: {a.Name} {a.Address} and {b.Name} {b.Address} would listen on the same port");
            }
        }
    }

    private static bool Overlap(HostPort a, HostPort b) =>
        a.IsWildcard || b.IsWildcard || string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase);
}
