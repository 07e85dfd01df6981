// Builds a ServerConfig from zoo.cfg the way Apache ZooKeeper reads it: its keys and defaults, server lines
// (or a dynamicConfigFile), myid from dataDir; unknown keys become warnings, bad values a ConfigException.
// Pure apart from the injected file reader; thread-safe (each load has its own builder).
using System.Collections.Immutable;
using System.Globalization;

namespace Zk.Host.Config;

/// <summary>The configuration plus what the caller should log: ignored keys, clamped values, odd ensembles.</summary>
public sealed record LoadedConfig(ServerConfig Config, IReadOnlyList<string> Warnings);

public static class ServerConfigLoader
{
    public const string MyIdFileName = "myid";

    public static LoadedConfig LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{path}: cannot read the configuration file: {e.Message}", e);
        }
        return Parse(text, Path.GetFullPath(path), ReadFileOrNull);
    }

    /// <summary>
    /// <paramref name="readFile"/> returns a file's text, or null when it does not exist; it is asked for the
    /// dynamicConfigFile and for dataDir/myid.
    /// </summary>
    public static LoadedConfig Parse(string text, string sourcePath, Func<string, string?> readFile)
    {
        var builder = new ConfigBuilder(sourcePath, readFile);
        builder.ApplyStatic(ZooCfgReader.Read(text, Path.GetFileName(sourcePath)));
        return builder.Build();
    }

    private static string? ReadFileOrNull(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{path}: cannot be read: {e.Message}", e);
        }
    }
}

internal sealed class ConfigBuilder(string sourcePath, Func<string, string?> readFile)
{
    private static readonly Dictionary<string, Action<ConfigBuilder, ConfigEntry>> Handlers = new(StringComparer.Ordinal)
    {
        ["tickTime"] = (b, e) => b.Config = b.Config with { TickTimeMs = ConfigValues.PositiveInt(e) },
        ["initLimit"] = (b, e) => b.Config = b.Config with { InitLimitTicks = ConfigValues.NonNegativeInt(e) },
        ["syncLimit"] = (b, e) => b.Config = b.Config with { SyncLimitTicks = ConfigValues.NonNegativeInt(e) },
        ["dataDir"] = (b, e) => b.Config = b.Config with { DataDir = ConfigValues.NonEmpty(e) },
        ["dataLogDir"] = (b, e) => b.Config = b.Config with { DataLogDir = ConfigValues.NonEmpty(e) },
        ["clientPort"] = (b, e) => b._clientPort = (e, ConfigValues.Port(e)),
        ["clientPortAddress"] = (b, e) => b._clientPortAddress = (e, ServerLine.Address(e)),
        ["secureClientPort"] = (b, e) => b._secureClientPort = (e, ConfigValues.Port(e)),
        ["secureClientPortAddress"] = (b, e) => b._secureClientPortAddress = (e, ServerLine.Address(e)),
        ["maxClientCnxns"] = (b, e) => b.Config = b.Config with { MaxClientCnxns = ConfigValues.NonNegativeInt(e) },
        ["minSessionTimeout"] = (b, e) => b._minSessionTimeout = (e, ConfigValues.PositiveInt(e)),
        ["maxSessionTimeout"] = (b, e) => b._maxSessionTimeout = (e, ConfigValues.PositiveInt(e)),
        ["peerType"] = (b, e) => b.Config = b.Config with { PeerType = ServerLine.ParsePeerType(e.Value, e) },
        ["dynamicConfigFile"] = (b, e) => b._dynamicConfigFile = (e, ConfigValues.NonEmpty(e)),
        ["autopurge.snapRetainCount"] = (b, e) => b.SetSnapRetainCount(e),
        ["autopurge.purgeInterval"] = (b, e) => b.Config = b.Config with { PurgeIntervalMs = ConfigValues.IntervalMs(e) },
        ["standaloneEnabled"] = (b, e) => b.Config = b.Config with { StandaloneEnabled = ConfigValues.TrueFalse(e) },
        ["reconfigEnabled"] = (b, e) => b.Config = b.Config with { ReconfigEnabled = ConfigValues.TrueFalse(e) },
        ["4lw.commands.whitelist"] = (b, e) => b.Config = b.Config with { FourLetterWordWhitelist = ParseWhitelist(e) },
        ["admin.enableServer"] = (b, e) => b.Config = b.Config with { AdminEnableServer = ConfigValues.TrueFalse(e) },
        ["admin.serverPort"] = (b, e) => b.Config = b.Config with { AdminServerPort = ConfigValues.Port(e) },
        ["admin.serverAddress"] = (b, e) => b.Config = b.Config with { AdminServerAddress = ServerLine.Address(e) },
        ["forceSync"] = (b, e) => b.Config = b.Config with { ForceSync = ConfigValues.YesNo(e) },
        ["skipACL"] = (b, e) => b.Config = b.Config with { SkipAcl = ConfigValues.YesNo(e) },
        ["snapCount"] = (b, e) => b.SetSnapCount(e),
        ["commitLogCount"] = (b, e) => b.Config = b.Config with { CommitLogCount = ConfigValues.PositiveInt(e) },
        ["jute.maxbuffer"] = (b, e) => b.Config = b.Config with { JuteMaxBufferBytes = (int)ConfigValues.DecodedPositive(e) },
        ["globalOutstandingLimit"] = (b, e) => b.Config = b.Config with { GlobalOutstandingLimit = (int)ConfigValues.DecodedPositive(e) },
        ["extendedTypesEnabled"] = (b, e) => b.Config = b.Config with { ExtendedTypesEnabled = ConfigValues.TrueFalse(e) },
        ["DigestAuthenticationProvider.superDigest"] = (b, e) => b.Config = b.Config with { SuperDigest = ParseSuperDigest(e) },
        ["znode.container.checkIntervalMs"] = (b, e) => b.Config = b.Config with { ContainerCheckIntervalMs = (int)ConfigValues.DecodedPositive(e) },
        ["znode.container.maxPerMinute"] = (b, e) => b.Config = b.Config with { ContainerMaxPerMinute = (int)ConfigValues.DecodedPositive(e) },
        ["znode.container.maxNeverUsedIntervalMs"] = (b, e) =>
            b.Config = b.Config with { ContainerMaxNeverUsedIntervalMs = ConfigValues.DecodedNonNegative(e, long.MaxValue) },
        // ZooKeeper accepts only its fast leader election, number 3; so do we.
        ["electionAlg"] = (b, e) => _ = e.Value == "3" ? 3 : throw ConfigException.For(e, "is not 3 (the only election algorithm)"),
    };

    private readonly List<string> _warnings = [];
    private readonly Dictionary<string, ConfigEntry> _seen = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, (QuorumServer Server, ConfigEntry Entry)> _servers = [];
    private readonly SortedDictionary<string, string> _other = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _clientTls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _quorumTls = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, string> _adminPeerUrls = [];

    /// <summary>admin.peerUrl.N=http://host:port: where the dashboard finds server N's admin port (ZkActors only).</summary>
    public const string AdminPeerUrlPrefix = "admin.peerUrl.";
    private (ConfigEntry Entry, int Port)? _clientPort;
    private (ConfigEntry Entry, string Host)? _clientPortAddress;
    private (ConfigEntry Entry, int Port)? _secureClientPort;
    private (ConfigEntry Entry, string Host)? _secureClientPortAddress;
    private (ConfigEntry Entry, int Ms)? _minSessionTimeout;
    private (ConfigEntry Entry, int Ms)? _maxSessionTimeout;
    private (ConfigEntry Entry, string Path)? _dynamicConfigFile;
    private readonly List<ConfigEntry> _staticServerEntries = [];

    private ServerConfig Config { get; set; } = new();

    private string SourceName => Path.GetFileName(sourcePath);

    public void ApplyStatic(IReadOnlyList<ConfigEntry> entries)
    {
        foreach (var e in entries)
        {
            if (_seen.TryGetValue(e.Key, out var earlier) && !e.Key.StartsWith(ServerLine.Prefix, StringComparison.Ordinal))
                _warnings.Add($"{e.Where}: {e.Key} repeats line {earlier.Line}; the later value wins");
            _seen[e.Key] = e;
            if (e.Key.StartsWith(ServerLine.Prefix, StringComparison.Ordinal))
                _staticServerEntries.Add(e);
            else
                ApplyOne(e);
        }
        if (_dynamicConfigFile is { } dynamic && _staticServerEntries.Count > 0)
            throw new ConfigException($"{_staticServerEntries[0].Where}: {_staticServerEntries[0].Key} must be in the dynamic config file {dynamic.Path}, not in {SourceName}");
        foreach (var e in _staticServerEntries)
            AddServer(e);
        if (_dynamicConfigFile is { } file)
            ApplyDynamic(file.Entry, file.Path);
    }

    private void ApplyOne(ConfigEntry e)
    {
        if (e.Key.StartsWith("group.", StringComparison.Ordinal) || e.Key.StartsWith("weight.", StringComparison.Ordinal))
            throw new ConfigException($"{e.Where}: {e.Key}: hierarchical quorums (group.N / weight.N) are not supported; use majority quorums");
        if (Handlers.TryGetValue(e.Key, out var handler))
            handler(this, e);
        else if (e.Key.StartsWith(AdminPeerUrlPrefix, StringComparison.Ordinal))
            _adminPeerUrls[AdminPeerId(e)] = ConfigValues.NonEmpty(e);
        else if (e.Key.StartsWith("ssl.quorum.", StringComparison.Ordinal))
            _quorumTls[e.Key["ssl.quorum.".Length..]] = e.Value;
        else if (e.Key.StartsWith("ssl.", StringComparison.Ordinal))
            _clientTls[e.Key["ssl.".Length..]] = e.Value;
        else
        {
            _other[e.Key] = e.Value;
            _warnings.Add(ZooCfgKeys.IsKnownIgnored(e.Key)
                ? $"{e.Where}: {e.Key} is a ZooKeeper option that ZkActors does not use; ignored"
                : $"{e.Where}: unknown key {e.Key}; ignored");
        }
    }

    private void ApplyDynamic(ConfigEntry reference, string path)
    {
        var text = readFile(path) ?? throw ConfigException.For(reference, "names a file that does not exist");
        foreach (var e in ZooCfgReader.Read(text, Path.GetFileName(path)))
        {
            if (e.Key.StartsWith(ServerLine.Prefix, StringComparison.Ordinal))
                AddServer(e);
            else if (e.Key == "version")
                throw new ConfigException($"{e.Where}: a dynamic config file may not contain a version (it comes from the file name)");
            else if (e.Key.StartsWith("group.", StringComparison.Ordinal) || e.Key.StartsWith("weight.", StringComparison.Ordinal))
                throw new ConfigException($"{e.Where}: {e.Key}: hierarchical quorums (group.N / weight.N) are not supported; use majority quorums");
            else
                throw new ConfigException($"{e.Where}: {e.Key} cannot appear in a dynamic config file, which holds only server.N lines");
        }
    }

    private void AddServer(ConfigEntry e)
    {
        var server = ServerLine.Parse(e);
        if (_servers.TryGetValue(server.Id, out var earlier))
            throw new ConfigException($"{e.Where}: server id {server.Id} is already defined at {earlier.Entry.Where}");
        _servers[server.Id] = (server, e);
    }

    private void SetSnapRetainCount(ConfigEntry e)
    {
        var count = ConfigValues.AnyInt(e);
        if (count < 3)
        {
            // ZooKeeper's rule: fewer than three could leave no good snapshot; it resets and carries on.
            _warnings.Add($"{e.Where}: autopurge.snapRetainCount={count} is below the minimum; using 3");
            count = 3;
        }
        Config = Config with { SnapRetainCount = count };
    }

    private void SetSnapCount(ConfigEntry e)
    {
        var count = (int)ConfigValues.DecodedPositive(e);
        if (count < 2)
        {
            _warnings.Add($"{e.Where}: snapCount={count} is below the minimum; using 2");
            count = 2;
        }
        Config = Config with { SnapCount = count };
    }

    private static ImmutableSortedSet<string> ParseWhitelist(ConfigEntry e) =>
        [.. e.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    private static long AdminPeerId(ConfigEntry e) =>
        long.TryParse(e.Key.AsSpan(AdminPeerUrlPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id : throw ConfigException.For(e, $"does not end in a server id ({AdminPeerUrlPrefix}N)");

    private static string ParseSuperDigest(ConfigEntry e) =>
        e.Value.IndexOf(':', StringComparison.Ordinal) > 0 ? e.Value : throw ConfigException.For(e, "is not user:base64-sha1-digest");

    public LoadedConfig Build()
    {
        if (Config.DataDir.Length == 0)
            throw new ConfigException($"{SourceName}: dataDir is not set");
        if (Config.DataLogDir.Length == 0)
            Config = Config with { DataLogDir = Config.DataDir };
        WarnIfRelative("dataDir", Config.DataDir);
        WarnIfRelative("dataLogDir", Config.DataLogDir);
        Config = Config with
        {
            SourceFile = sourcePath,
            MyId = ReadMyId(),
            Servers = [.. _servers.Values.Select(s => s.Server)],
            DynamicConfigFile = _dynamicConfigFile?.Path,
            ClientTls = Tls(_clientTls),
            QuorumTls = Tls(_quorumTls),
            AdminPeerUrls = _adminPeerUrls.ToImmutableSortedDictionary(),
            OtherProperties = _other.ToImmutableSortedDictionary(StringComparer.Ordinal),
        };
        ResolveSessionTimeouts();
        ResolveClientAddresses();
        CheckEnsemble();
        ConfigPorts.CheckNoCollisions(Config, SourceName);
        return new LoadedConfig(Config, _warnings);
    }

    private void WarnIfRelative(string key, string path)
    {
        if (!Path.IsPathRooted(path))
            _warnings.Add($"{SourceName}: {key}={path} is relative to the working directory ({Path.GetFullPath(path)})");
    }

    private long? ReadMyId()
    {
        var path = Path.Combine(Config.DataDir, ServerConfigLoader.MyIdFileName);
        var text = readFile(path);
        if (text is null)
            return null;
        var firstLine = text.ReplaceLineEndings("\n").Split('\n')[0].Trim();
        if (long.TryParse(firstLine, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id <= ServerLine.MaxServerId)
            return id;
        throw new ConfigException($"{path}: '{firstLine}' is not a server id between 0 and {ServerLine.MaxServerId}");
    }

    private void ResolveSessionTimeouts()
    {
        var min = _minSessionTimeout?.Ms ?? 2 * Config.TickTimeMs;
        var max = _maxSessionTimeout?.Ms ?? 20 * Config.TickTimeMs;
        if (min > max)
        {
            throw new ConfigException(
                $"{SourceName}: minSessionTimeout {min} ms ({Describe(_minSessionTimeout?.Entry, "2 × tickTime")}) " +
                $"is larger than maxSessionTimeout {max} ms ({Describe(_maxSessionTimeout?.Entry, "20 × tickTime")})");
        }
        Config = Config with { MinSessionTimeoutMs = min, MaxSessionTimeoutMs = max };
    }

    private static string Describe(ConfigEntry? entry, string fallback) => entry is null ? $"default {fallback}" : $"line {entry.Line}";

    private void ResolveClientAddresses()
    {
        var self = Config.Self;
        var client = StaticAddress(_clientPort, _clientPortAddress, "clientPort");
        var secure = StaticAddress(_secureClientPort, _secureClientPortAddress, "secureClientPort");
        Config = Config with
        {
            ClientAddress = Reconcile(client, self?.ClientAddress, _clientPort?.Entry, "client"),
            SecureClientAddress = Reconcile(secure, self?.SecureClientAddress, _secureClientPort?.Entry, "secure client"),
        };
        if (Config.ClientAddress is null && Config.SecureClientAddress is null)
            throw new ConfigException($"{SourceName}: clientPort is not set (in zoo.cfg, or after ';' in this server's server.N line)");
    }

    private static HostPort? StaticAddress((ConfigEntry Entry, int Port)? port, (ConfigEntry Entry, string Host)? address, string portKey)
    {
        if (port is null)
        {
            return address is { } a
                ? throw new ConfigException($"{a.Entry.Where}: {a.Entry.Key} is set but {portKey} is not")
                : null;
        }
        return new HostPort(address?.Host ?? HostPort.Unspecified, port.Value.Port);
    }

    // ZooKeeper's rule: a client address in this server's line wins, and a different static one is an error.
    private HostPort? Reconcile(HostPort? fromStatic, HostPort? fromServerLine, ConfigEntry? staticEntry, string what)
    {
        if (fromServerLine is null)
            return fromStatic;
        if (fromStatic is not null && staticEntry is not null && Conflicts(fromStatic, fromServerLine))
        {
            throw new ConfigException(
                $"{staticEntry.Where}: the {what} address {fromStatic} differs from {fromServerLine} in " +
                $"{_servers[Config.MyId!.Value].Entry.Where}");
        }
        return fromServerLine;
    }

    private static bool Conflicts(HostPort a, HostPort b) =>
        a.Port != b.Port || (!a.IsWildcard && !string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase));

    private void CheckEnsemble()
    {
        var voters = Config.Voters.Count();
        if (voters == 0 && Config.Observers.Any())
            throw new ConfigException($"{SourceName}: observers are listed but no participant: an ensemble needs voters");
        if (voters == 1 && Config.StandaloneEnabled)
            _warnings.Add($"{SourceName}: only one participant is listed; running standalone");
        if (!Config.IsDistributed)
            return;
        if (Config.InitLimitTicks == 0)
            throw new ConfigException($"{SourceName}: initLimit is not set; an ensemble needs it");
        if (Config.SyncLimitTicks == 0)
            throw new ConfigException($"{SourceName}: syncLimit is not set; an ensemble needs it");
        var myIdPath = Path.Combine(Config.DataDir, ServerConfigLoader.MyIdFileName);
        if (Config.MyId is not { } myId)
            throw new ConfigException($"{myIdPath} is missing: each ensemble member needs its server id there");
        var self = Config.Self ?? throw new ConfigException(
            $"{myIdPath}: myid {myId} is not among the servers listed ({string.Join(", ", Config.Servers.Select(s => s.Id))})");
        if (voters <= 2)
            _warnings.Add($"{SourceName}: {voters} participants tolerate no server failure; use at least 3");
        else if (voters % 2 == 0)
            _warnings.Add($"{SourceName}: {voters} participants tolerate no more failures than {voters - 1}; prefer an odd number");
        if (self.Type != Config.PeerType && _seen.TryGetValue("peerType", out var peerType))
            _warnings.Add($"{peerType.Where}: peerType={peerType.Value} disagrees with server.{self.Id}; the server line wins");
        Config = Config with { PeerType = self.Type };
    }

    private static TlsSettings Tls(Dictionary<string, string> keys)
    {
        var other = keys.Where(k => !TlsKeys.Contains(k.Key)).ToImmutableSortedDictionary(k => k.Key, k => k.Value, StringComparer.Ordinal);
        return new TlsSettings
        {
            KeyStoreLocation = keys.GetValueOrDefault("keyStore.location"),
            KeyStorePassword = keys.GetValueOrDefault("keyStore.password"),
            KeyStorePasswordPath = keys.GetValueOrDefault("keyStore.passwordPath"),
            KeyStoreType = keys.GetValueOrDefault("keyStore.type"),
            TrustStoreLocation = keys.GetValueOrDefault("trustStore.location"),
            TrustStorePassword = keys.GetValueOrDefault("trustStore.password"),
            TrustStorePasswordPath = keys.GetValueOrDefault("trustStore.passwordPath"),
            TrustStoreType = keys.GetValueOrDefault("trustStore.type"),
            Other = other,
        };
    }

    private static readonly HashSet<string> TlsKeys = new(StringComparer.Ordinal)
    {
        "keyStore.location", "keyStore.password", "keyStore.passwordPath", "keyStore.type",
        "trustStore.location", "trustStore.password", "trustStore.passwordPath", "trustStore.type",
    };
}
