// Everything the server process needs to start, derived from zoo.cfg (or the standalone defaults).
using System.Net;
using Zk.Actors.Server;
using Zk.ClientProxy;
using Zk.Core.Storage;

namespace Zk.Host;

public sealed record HostOptions
{
    public required Zk.Host.Config.ServerConfig Config { get; init; }

    public required ServerNodeOptions Node { get; init; }

    public required string DataDir { get; init; }

    public required string DataLogDir { get; init; }

    public bool ForceSync { get; init; } = true;

    public IPAddress ClientAddress { get; init; } = IPAddress.Loopback;

    public int ClientPort { get; init; } = 2181;

    public ClientPortOptions ClientPortOptions { get; init; } = new();

    /// <summary>secureClientPort: where TLS clients connect, with the certificate and policy from ssl.*; null when unset.</summary>
    public IPEndPoint? SecureClientEndpoint { get; init; }

    public Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions? ClientTls { get; init; }

    /// <summary>The key=value lines of the conf four-letter word.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ConfLines { get; init; } = [];
}
