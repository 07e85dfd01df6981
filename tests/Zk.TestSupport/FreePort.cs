// Free TCP ports on loopback for the servers and proxies tests start. They come from below the kernel's ephemeral
// range (net.ipv4.ip_local_port_range, 32768-60999 by default): a port the OS picks for "port 0" is also what it
// gives the next outgoing connection, and with thousands of client sockets in a run (the fuzz test alone opens
// 4,000) one would sooner or later take a handed-out port before its server binds it. Each process scans from its
// own PID-derived offset, hands out a port only if it can bind it now, and never hands one out twice. Thread-safe.
using System.Net;
using System.Net.Sockets;

namespace Zk.TestSupport;

public static class FreePort
{
    private const int Lowest = 10_000;

    private static readonly Lock Gate = new();
    private static readonly HashSet<int> Handed = [];
    private static readonly int Highest = EphemeralLow() - 1;
    private static int s_next = Lowest + (Environment.ProcessId * 7919 % (Highest - Lowest));

    public static int Next()
    {
        lock (Gate)
        {
            for (var tried = 0; tried <= Highest - Lowest; tried++)
            {
                var port = s_next;
                s_next = port == Highest ? Lowest : port + 1;
                if (!Handed.Contains(port) && CanBind(port))
                {
                    Handed.Add(port);
                    return port;
                }
            }
        }
        throw new InvalidOperationException($"no free loopback port between {Lowest} and {Highest}");
    }

    /// <summary>Several distinct ports at once, e.g. client, quorum and election ports of an ensemble member.</summary>
    public static int[] Next(int count) => [.. Enumerable.Range(0, count).Select(_ => Next())];

    private static bool CanBind(int port)
    {
        try
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The first port of the kernel's ephemeral range; 32768 where it cannot be read.</summary>
    private static int EphemeralLow()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            return Math.Clamp(int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture), Lowest + 1_000, 32_768);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32_768;
        }
    }
}
