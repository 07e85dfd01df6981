// Free TCP ports on loopback for servers the tests start. The OS picks them; a short-lived reservation list
// keeps this process from handing the same port out twice while its server is still starting.
using System.Net;
using System.Net.Sockets;

namespace Zk.Compat.Infrastructure;

public static class FreePort
{
    private static readonly HashSet<int> Handed = [];

    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            lock (Handed)
            {
                if (Handed.Add(port)) return port;
            }
        }
    }

    /// <summary>Several distinct ports at once, e.g. client, quorum and election ports of an ensemble.</summary>
    public static int[] Next(int count) => Enumerable.Range(0, count).Select(_ => Next()).ToArray();
}
