// Finds free loopback ports by binding to port 0. Thread-safe.
using System.Net;
using System.Net.Sockets;

namespace Zk.Client.Tests.Infrastructure;

public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
