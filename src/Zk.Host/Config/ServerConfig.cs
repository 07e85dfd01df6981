// The effective configuration of one server, built from zoo.cfg by ServerConfigLoader with ZooKeeper's defaults
// (DESIGN.md §1 "operations"). Immutable and thread-safe.
using System.Collections.Immutable;
using System.Text;

namespace Zk.Host.Config;

public enum PeerType
{
    Participant,
    Observer,
}

/// <summary>A host (name, IPv4 or IPv6 without brackets) and a port.</summary>
public sealed record HostPort(string Host, int Port)
{
    public const string AnyAddress = "0.0.0.0";

    /// <summary>No address given: ZkActors then binds to loopback only (ZooKeeper would bind every address).</summary>
    public const string Unspecified = "";

    public bool IsWildcard => Host is AnyAddress or "::" or "";

    public override string ToString() => Host.Length == 0 ? $"127.0.0.1:{Port}"
        : Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

/// <summary>One "server.N=host:quorumPort:electionPort[:type][;client][;secureClient]" line.</summary>
public sealed record QuorumServer(
    long Id,
    string Host,
    int QuorumPort,
    int ElectionPort,
    PeerType Type,
    HostPort? ClientAddress,
    HostPort? SecureClientAddress)
{
    public bool IsVoter => Type == PeerType.Participant;
}

/// <summary>TLS material from ssl.* (client port) or ssl.quorum.* keys; stored now, used when TLS lands.</summary>
public sealed record TlsSettings
{
    public string? KeyStoreLocation { get; init; }
    public string? KeyStorePassword { get; init; }
    public string? KeyStorePasswordPath { get; init; }
    public string? KeyStoreType { get; init; }
    public string? TrustStoreLocation { get; init; }
    public string? TrustStorePassword { get; init; }
    public string? TrustStorePasswordPath { get; init; }
    public string? TrustStoreType { get; init; }

    /// <summary>Every other key of the family, without its prefix: "protocol", "ciphersuites", "clientAuth", ...</summary>
    public ImmutableSortedDictionary<string, string> Other { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    public bool IsEmpty => KeyStoreLocation is null && TrustStoreLocation is null && Other.IsEmpty
        && KeyStorePassword is null && KeyStorePasswordPath is null && KeyStoreType is null
        && TrustStorePassword is null && TrustStorePasswordPath is null && TrustStoreType is null;

    // Passwords must never reach a log or the "conf" four-letter word.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"KeyStoreLocation = {KeyStoreLocation}, KeyStorePassword = {Mask(KeyStorePassword)}, ");
        builder.Append($"KeyStoreType = {KeyStoreType}, TrustStoreLocation = {TrustStoreLocation}, ");
        builder.Append($"TrustStorePassword = {Mask(TrustStorePassword)}, TrustStoreType = {TrustStoreType}, Other = {Other.Count} keys");
        return true;
    }

    private static string? Mask(string? secret) => secret is null ? null : "****";
}

public sealed record ServerConfig
{
    public const int DefaultClientPort = 2181;

    /// <summary>The file this came from; null for <see cref="StandaloneDefault"/>.</summary>
    public string? SourceFile { get; init; }

    // Time. ZooKeeper's code default is 3000 ms; its sample zoo.cfg (and StandaloneDefault) says 2000.
    public int TickTimeMs { get; init; } = 3000;

    /// <summary>0 when unset, which only a standalone server may leave it.</summary>
    public int InitLimitTicks { get; init; }

    public int SyncLimitTicks { get; init; }

    /// <summary>2 × tickTime unless set.</summary>
    public int MinSessionTimeoutMs { get; init; } = 6000;

    /// <summary>20 × tickTime unless set.</summary>
    public int MaxSessionTimeoutMs { get; init; } = 60000;

    // Storage.
    public string DataDir { get; init; } = "";

    /// <summary>Where the journal lives; dataDir unless set.</summary>
    public string DataLogDir { get; init; } = "";

    public bool ForceSync { get; init; } = true;

    public int SnapCount { get; init; } = 100_000;

    public int SnapRetainCount { get; init; } = 3;

    /// <summary>Committed txns the leader keeps in memory to sync a learner by DIFF; older learners get a SNAP.
    /// ZooKeeper's zookeeper.commitLogCount (default 500); ours is larger because our journal is not read for DIFF.</summary>
    public int CommitLogCount { get; init; } = 20_000;

    /// <summary>
    /// 0 disables the purge task. ZooKeeper's default is 0; ours is one hour, because DESIGN.md §5 wants retention
    /// on by default. An explicit autopurge.purgeInterval=0 still turns it off.
    /// </summary>
    public long PurgeIntervalMs { get; init; } = 3_600_000;

    // Client port.
    public HostPort? ClientAddress { get; init; }

    public HostPort? SecureClientAddress { get; init; }

    /// <summary>Per client IP; 0 is unlimited.</summary>
    public int MaxClientCnxns { get; init; } = 60;

    public int GlobalOutstandingLimit { get; init; } = 1000;

    public int JuteMaxBufferBytes { get; init; } = 0xfffff;

    // Ensemble.
    /// <summary>From dataDir/myid; null when there is no such file.</summary>
    public long? MyId { get; init; }

    public PeerType PeerType { get; init; } = PeerType.Participant;

    public ImmutableArray<QuorumServer> Servers { get; init; } = [];

    public string? DynamicConfigFile { get; init; }

    public bool StandaloneEnabled { get; init; } = true;

    public bool ReconfigEnabled { get; init; }

    // Data model and security.
    public bool ExtendedTypesEnabled { get; init; }

    public bool SkipAcl { get; init; }

    /// <summary>DigestAuthenticationProvider.superDigest, "super:&lt;base64 sha1&gt;".</summary>
    public string? SuperDigest { get; init; }

    public int ContainerCheckIntervalMs { get; init; } = 60_000;

    public int ContainerMaxPerMinute { get; init; } = 10_000;

    public long ContainerMaxNeverUsedIntervalMs { get; init; } = 300_000;

    // Operations.
    /// <summary>Enabled four-letter words; "*" enables all. ZooKeeper enables only srvr by default.</summary>
    public ImmutableSortedSet<string> FourLetterWordWhitelist { get; init; } = ["srvr"];

    public bool AdminEnableServer { get; init; } = true;

    public string AdminServerAddress { get; init; } = "127.0.0.1";

    public int AdminServerPort { get; init; } = 8080;

    /// <summary>admin.peerUrl.N: the admin URL of server N, when it is not http://its-host:admin.serverPort.</summary>
    public ImmutableSortedDictionary<long, string> AdminPeerUrls { get; init; } = ImmutableSortedDictionary<long, string>.Empty;

    public TlsSettings ClientTls { get; init; } = new();

    public TlsSettings QuorumTls { get; init; } = new();

    /// <summary>Every key this server does not interpret, as written (ZooKeeper's "zookeeper.&lt;key&gt;" properties).</summary>
    public ImmutableSortedDictionary<string, string> OtherProperties { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>ZooKeeper's rule: an ensemble needs two voters, or one with standaloneEnabled=false.</summary>
    public bool IsDistributed => Voters.Count() > 1 || (!StandaloneEnabled && !Servers.IsEmpty);

    public IEnumerable<QuorumServer> Voters => Servers.Where(s => s.IsVoter);

    public IEnumerable<QuorumServer> Observers => Servers.Where(s => !s.IsVoter);

    /// <summary>This server's line, when myid names one.</summary>
    public QuorumServer? Self => MyId is { } id ? Servers.FirstOrDefault(s => s.Id == id) : null;

    public bool IsFourLetterWordEnabled(string command) =>
        FourLetterWordWhitelist.Contains("*") || FourLetterWordWhitelist.Contains(command);

    /// <summary>No zoo.cfg: one server on 127.0.0.1:2181 with data in ./data, timing as in ZooKeeper's sample zoo.cfg.</summary>
    public static ServerConfig StandaloneDefault { get; } = new()
    {
        TickTimeMs = 2000,
        InitLimitTicks = 10,
        SyncLimitTicks = 5,
        MinSessionTimeoutMs = 4000,
        MaxSessionTimeoutMs = 40000,
        DataDir = "./data",
        DataLogDir = "./data",
        ClientAddress = new HostPort("127.0.0.1", DefaultClientPort),
    };
}
