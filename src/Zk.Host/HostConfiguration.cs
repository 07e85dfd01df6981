// Turns a zoo.cfg (or nothing: the standalone defaults) into HostOptions.
using System.Net;
using Microsoft.Extensions.Logging;
using Zk.Actors.DataTree;
using Zk.Actors.Server;
using Zk.ClientProxy;

namespace Zk.Host;

public sealed class HostConfigurationException(string message) : Exception(message);

public static class HostConfiguration
{
    public static HostOptions Load(string? path, ILogger log)
    {
        if (path is not null) throw new HostConfigurationException($"{path}: zoo.cfg files are not supported yet");
        var dataDir = Path.GetFullPath("data");
        const int tick = 2000;
        return new HostOptions
        {
            Node = new ServerNodeOptions
            {
                ServerId = 1,
                Standalone = true,
                TickTimeMs = tick,
                MinSessionTimeoutMs = 2 * tick,
                MaxSessionTimeoutMs = 20 * tick,
                Tree = DataTreeOptions.Default,
            },
            DataDir = dataDir,
            DataLogDir = dataDir,
            ClientAddress = IPAddress.Loopback,
            ClientPort = 2181,
            ClientPortOptions = new ClientPortOptions(),
            ConfLines =
            [
                new("clientPort", "2181"),
                new("dataDir", dataDir),
                new("dataLogDir", dataDir),
                new("tickTime", tick.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("maxClientCnxns", "60"),
                new("minSessionTimeout", (2 * tick).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("maxSessionTimeout", (20 * tick).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("serverId", "0"),
            ],
        };
    }
}
