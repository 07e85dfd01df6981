// Turns a zoo.cfg (or nothing: the standalone defaults) into HostOptions. Unknown keys are logged as warnings;
// an invalid value throws HostConfigurationException with the file, line, key and value.
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Zk.Actors.Tree;
using Zk.Actors.Server;
using Zk.ClientProxy;
using Zk.Host.Config;
using Zk.Core.DataTree;
using Zk.Core.Storage;

namespace Zk.Host;

public sealed class HostConfigurationException(string message) : Exception(message);

public static partial class HostConfiguration
{
    public static HostOptions Load(string? path, ILogger log)
    {
        ServerConfig config;
        try
        {
            if (path is null) config = ServerConfig.StandaloneDefault;
            else
            {
                var loaded = ServerConfigLoader.LoadFile(path);
                foreach (var w in loaded.Warnings) LogWarning(log, w);
                config = loaded.Config;
            }
        }
        catch (ConfigException e)
        {
            throw new HostConfigurationException(e.Message);
        }
        catch (IOException e)
        {
            throw new HostConfigurationException($"{path}: {e.Message}");
        }
        return FromConfig(config);
    }

    public static HostOptions FromConfig(ServerConfig c)
    {
        var standalone = !c.IsDistributed;
        var serverId = (int)(c.MyId ?? 1);
        var dataDir = Path.GetFullPath(c.DataDir);
        var dataLogDir = Path.GetFullPath(string.IsNullOrEmpty(c.DataLogDir) ? c.DataDir : c.DataLogDir);
        var client = c.ClientAddress ?? c.Self?.ClientAddress ?? new HostPort("127.0.0.1", ServerConfig.DefaultClientPort);
        var node = new ServerNodeOptions
        {
            ServerId = serverId,
            Standalone = standalone,
            TickTimeMs = c.TickTimeMs,
            MinSessionTimeoutMs = c.MinSessionTimeoutMs,
            MaxSessionTimeoutMs = c.MaxSessionTimeoutMs,
            InitLimit = c.InitLimitTicks > 0 ? c.InitLimitTicks : 10,
            SyncLimit = c.SyncLimitTicks > 0 ? c.SyncLimitTicks : 5,
            SnapCount = c.SnapCount,
            SnapRetainCount = c.SnapRetainCount,
            HistoryEntries = c.CommitLogCount,
            ContainerCheckIntervalMs = c.ContainerCheckIntervalMs,
            ContainerMaxPerMinute = c.ContainerMaxPerMinute,
            ContainerMaxNeverUsedIntervalMs = c.ContainerMaxNeverUsedIntervalMs,
            Voters = standalone ? [] : c.Voters.Select(s => (int)s.Id).ToArray(),
            Observers = standalone ? [] : c.Observers.Select(s => (int)s.Id).ToArray(),
            Tree = new DataTreeOptions
            {
                ExtendedTypesEnabled = c.ExtendedTypesEnabled,
                SkipAcl = c.SkipAcl,
                SuperDigest = c.SuperDigest,
                MaxDataBytes = c.JuteMaxBufferBytes,
            },
        };
        return new HostOptions
        {
            Config = c,
            Node = node,
            DataDir = dataDir,
            DataLogDir = dataLogDir,
            ForceSync = c.ForceSync,
            ClientAddress = Resolve(client.Host),
            ClientPort = client.Port,
            SecureClientEndpoint = c.SecureClientAddress is { } secure ? new IPEndPoint(Resolve(secure.Host), secure.Port) : null,
            ClientTls = c.SecureClientAddress is null ? null : Tls.ClientTls.Build(c.ClientTls),
            ClientPortOptions = new ClientPortOptions
            {
                MaxFrameBytes = c.JuteMaxBufferBytes,
                MaxConnectionsPerIp = c.MaxClientCnxns,
                MaxOutstandingRequests = Math.Max(1, c.GlobalOutstandingLimit),
                FourLetterWhitelist = new HashSet<string>(c.FourLetterWordWhitelist, StringComparer.Ordinal),
            },
            ConfLines = ConfLines(c, serverId, standalone, dataDir, dataLogDir, client.Port),
        };
    }

    /// <summary>An unset or wildcard address binds to loopback only: exposing the port is an explicit choice.</summary>
    public static IPAddress Resolve(string host)
    {
        if (string.IsNullOrEmpty(host)) return IPAddress.Loopback;
        if (host is "0.0.0.0") return IPAddress.Any;
        if (host is "::") return IPAddress.IPv6Any;
        if (IPAddress.TryParse(host, out var ip)) return ip;
        try
        {
            return Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                ?? throw new HostConfigurationException($"cannot resolve host '{host}' to an IPv4 address");
        }
        catch (SocketException e)
        {
            throw new HostConfigurationException($"cannot resolve host '{host}': {e.Message}");
        }
    }

    private static List<KeyValuePair<string, string>> ConfLines(ServerConfig c, int serverId, bool standalone, string dataDir, string dataLogDir, int clientPort)
    {
        static string S(long v) => v.ToString(CultureInfo.InvariantCulture);
        var lines = new List<KeyValuePair<string, string>>
        {
            new("clientPort", S(clientPort)),
            new("secureClientPort", S(c.SecureClientAddress?.Port ?? -1)),
            new("dataDir", dataDir),
            new("dataLogDir", dataLogDir),
            new("tickTime", S(c.TickTimeMs)),
            new("maxClientCnxns", S(c.MaxClientCnxns)),
            new("minSessionTimeout", S(c.MinSessionTimeoutMs)),
            new("maxSessionTimeout", S(c.MaxSessionTimeoutMs)),
            new("clientPortListenBacklog", "-1"),
            new("serverId", S(standalone ? 0 : serverId)),
        };
        if (!standalone)
        {
            lines.Add(new("initLimit", S(c.InitLimitTicks)));
            lines.Add(new("syncLimit", S(c.SyncLimitTicks)));
            lines.Add(new("electionAlg", "3"));
            if (c.Self is { } me)
            {
                lines.Add(new("electionPort", S(me.ElectionPort)));
                lines.Add(new("quorumPort", S(me.QuorumPort)));
                lines.Add(new("peerType", me.IsVoter ? "0" : "1"));
            }
            foreach (var s in c.Servers)
                lines.Add(new($"server.{s.Id}", $"{s.Host}:{s.QuorumPort}:{s.ElectionPort}:{(s.IsVoter ? "participant" : "observer")}"));
        }
        return lines;
    }

    [LoggerMessage(EventId = 9010, Level = LogLevel.Warning, Message = "zoo.cfg: {Warning}")]
    private static partial void LogWarning(ILogger log, string warning);
}
