// Free TCP ports on loopback for the servers and proxies tests start. The OS picks them; a process-wide set keeps
// one test run from handing the same port out twice while its server is still starting. Thread-safe.
using System.Net;
using System.Net.Sockets;

namespace Zk.TestSupport;

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

    /// <summary>Several distinct ports at once, e.g. client, quorum and election ports of an ensemble member.</summary>
    public static int[] Next(int count) => [.. Enumerable.Range(0, count).Select(_ => Next())];
}
