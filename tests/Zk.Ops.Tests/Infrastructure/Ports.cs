// Free loopback TCP ports for the servers the tests start; a process-wide set keeps one run from handing the same
// port out twice while a server is still binding it. Thread-safe.
using System.Net;
using System.Net.Sockets;

namespace Zk.Ops.Tests.Infrastructure;

public static class Ports
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

    public static int[] Next(int count) => [.. Enumerable.Range(0, count).Select(_ => Next())];
}
