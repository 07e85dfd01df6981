// ZooKeeper's AdminServer commands (/commands/<name>): each a name, its aliases (the four-letter word among them)
// and a function from the server's state to a JSON object with ZooKeeper's key names plus "command" and "error".
// Pure apart from the inputs' own reads; called on any request thread.
using System.Globalization;
using Zk.Actors.Tree;
using Zk.Actors.Server;
using Zk.ClientProxy;
using Zk.Protocol.Framing;

namespace Zk.Host.Admin;

using Json = Dictionary<string, object?>;
using Zk.Core.DataTree;
using Zk.Core.Storage;

internal sealed record AdminInputs(AdminSources Sources, ServerNode Node, TreeStatus? Tree, long NowMs)
{
    public FourLetterWordInputs FourLetter => Sources.FourLetterInputs(Node, Tree);
}

internal sealed record AdminCommand(string Name, string[] Aliases, bool NeedsTree, Func<AdminInputs, Json> Run);

internal static class AdminCommands
{
    public static readonly IReadOnlyList<AdminCommand> All =
    [
        new("ruok", [], false, _ => []),
        new("server_stats", ["srvr"], true, i => ServerStats(i)),
        new("stats", ["stat"], true, i => Stats(i)),
        new("monitor", ["mntr"], true, Monitor),
        new("configuration", ["conf", "config"], false, Configuration),
        new("connections", ["cons"], false, i => new Json { ["connections"] = Connections(i) }),
        new("connection_stat_reset", ["crst"], false, i => { i.Sources.Connections.ResetStats(); return []; }),
        new("stat_reset", ["srst"], false, i => { i.Sources.Stats.Reset(); return []; }),
        new("dirs", [], false, i => new Json
        {
            ["datadir_size"] = FourLetterWordFormatter.DirSize(i.Sources.Identity.DataDir),
            ["logdir_size"] = FourLetterWordFormatter.DirSize(i.Sources.Identity.DataLogDir),
        }),
        new("environment", ["envi", "env"], false, i => KeyValues(FourLetterWordFormatter.Format(FourLetterWord.Envi, i.FourLetter), '=')),
        new("system_properties", ["sysp"], false, SystemProperties),
        new("watch_summary", ["wchs"], true, i => new Json
        {
            ["num_connections"] = i.Tree!.DataWatchers,
            ["num_paths"] = i.Tree.DataWatchPaths,
            ["num_total_watches"] = i.Tree.DataWatchCount,
        }),
        new("watches", ["wchc"], true, i => new Json
        {
            ["session_id_to_watched_paths"] = i.Tree!.WatchesBySession.ToDictionary(w => Decimal(w.SessionId), w => w.Paths),
        }),
        new("watches_by_path", ["wchp"], true, i => new Json
        {
            ["path_to_session_ids"] = i.Tree!.WatchesByPath.ToDictionary(w => w.Path, w => w.SessionIds),
        }),
        new("dump", [], true, Dump),
        new("digests", ["hash"], true, i => new Json
        {
            ["digests"] = new[] { new Json { ["zxid"] = i.Tree!.LastZxid, ["digest"] = i.Tree.Digest } },
        }),
        new("is_read_only", ["isro"], false, _ => new Json { ["read_only"] = false }),
        new("get_trace_mask", ["gtmk"], false, _ => new Json { ["tracemask"] = 0 }),
        new("leader", ["lead"], false, Leader),
        new("voting_view", [], false, i => new Json { ["current_config"] = Membership(i.Sources.Options, votersOnly: true) }),
        new("initial_configuration", ["icfg"], false, InitialConfiguration),
        new("zabstate", [], false, ZabState),
        new("last_snapshot", ["lsnp"], false, i => new Json
        {
            ["zxid"] = Hex(i.Sources.Metrics.LastSnapshot.Zxid),
            ["timestamp"] = i.Sources.Metrics.LastSnapshot.UnixMs / 1000,
        }),
        new("followers", ["fols"], false, Followers),
    ];

    private static readonly Dictionary<string, AdminCommand> ByName = All
        .SelectMany(c => c.Aliases.Prepend(c.Name).Select(n => (n, c)))
        .ToDictionary(x => x.n, x => x.c, StringComparer.Ordinal);

    public static AdminCommand? Find(string name) => ByName.GetValueOrDefault(name);

    private static Json ServerStats(AdminInputs i)
    {
        var s = i.Sources.Stats;
        var t = i.Tree!;
        long outstanding = 0;
        foreach (var c in i.Sources.Connections.All) outstanding += c.Stats.Outstanding;
        return new Json
        {
            ["version"] = i.Sources.Identity.Version,
            ["read_only"] = false,
            ["server_stats"] = new Json
            {
                ["packets_sent"] = s.Sent,
                ["packets_received"] = s.Received,
                ["max_latency"] = s.MaxLatencyMs,
                ["min_latency"] = s.MinLatencyMs,
                ["avg_latency"] = Math.Round(s.AvgLatencyMs, 4),
                ["num_alive_client_connections"] = i.Sources.Connections.Count,
                ["outstanding_requests"] = outstanding,
                ["server_state"] = i.Node.State.ModeName,
                ["data_dir_size"] = FourLetterWordFormatter.DirSize(i.Sources.Identity.DataDir),
                ["log_dir_size"] = FourLetterWordFormatter.DirSize(i.Sources.Identity.DataLogDir),
                ["last_processed_zxid"] = t.LastZxid,
                ["uptime"] = i.NowMs - i.Sources.Identity.StartedMs,
                ["auth_failed_count"] = s.AuthFailed,
            },
            ["node_count"] = t.ZkNodeCount,
            ["server_id"] = i.Sources.Options.Node.ServerId,
            ["zxid"] = Hex(t.LastZxid),
            ["epoch"] = i.Node.State.Epoch,
        };
    }

    private static Json Stats(AdminInputs i)
    {
        var json = ServerStats(i);
        json["connections"] = Connections(i);
        return json;
    }

    private static Json Monitor(AdminInputs i)
    {
        var text = FourLetterWordFormatter.Format(FourLetterWord.Mntr, i.FourLetter);
        var json = new Json();
        foreach (var (k, v) in KeyValues(text, '\t')) json[k.StartsWith("zk_", StringComparison.Ordinal) ? k[3..] : k] = v;
        json["synced_followers"] = i.Sources.Metrics.Followers().Count;
        return json;
    }

    private static Json Configuration(AdminInputs i)
    {
        var json = new Json();
        var membership = new Json();
        foreach (var (k, v) in i.Sources.Identity.Conf)
        {
            if (k.StartsWith("server.", StringComparison.Ordinal))
            {
                membership[k] = v;
                continue;
            }
            json[SnakeCase(k)] = Number(v);
            if (k == "dataDir") json["data_dir_size"] = FourLetterWordFormatter.DirSize(i.Sources.Identity.DataDir);
            if (k == "dataLogDir") json["data_log_size"] = FourLetterWordFormatter.DirSize(i.Sources.Identity.DataLogDir);
        }
        if (membership.Count > 0) json["membership"] = membership;
        var c = i.Sources.Options.Config;
        json["admin_server_port"] = c.AdminServerPort;
        json["admin_server_address"] = c.AdminServerAddress;
        return json;
    }

    private static List<Json> Connections(AdminInputs i) =>
    [
        .. i.Sources.Connections.All.Select(c =>
        {
            var st = c.Stats;
            return new Json
            {
                ["remote_socket_address"] = $"{c.RemoteAddress}:{c.RemotePort}",
                ["outstanding_requests"] = st.Outstanding,
                ["packets_received"] = st.Received,
                ["packets_sent"] = st.Sent,
                ["session_id"] = Hex(st.SessionId),
                ["last_operation"] = st.LastOp,
                ["session_timeout"] = st.TimeoutMs,
                ["last_cxid"] = Hex(st.LastCxid),
                ["last_zxid"] = Hex(st.LastZxid),
                ["last_response_time"] = st.LastResponseMs,
                ["last_latency"] = st.LastLatencyMs,
                ["min_latency"] = st.MinLatencyMs,
                ["avg_latency"] = st.AvgLatencyMs,
                ["max_latency"] = st.MaxLatencyMs,
                ["established"] = st.EstablishedMs,
            };
        }),
    ];

    private static Json SystemProperties(AdminInputs i)
    {
        var json = KeyValues(FourLetterWordFormatter.Format(FourLetterWord.Envi, i.FourLetter), '=');
        json["process.id"] = Environment.ProcessId;
        json["processor.count"] = Environment.ProcessorCount;
        return json;
    }

    private static Json Dump(AdminInputs i)
    {
        var t = i.Tree!;
        // Sessions expire at the leader from their last touch, which no follower knows; each is listed under its timeout.
        var byTimeout = t.Sessions.GroupBy(s => s.TimeoutMs).OrderBy(g => g.Key)
            .ToDictionary(g => g.Key.ToString(CultureInfo.InvariantCulture), g => g.Select(s => s.SessionId).ToList());
        return new Json
        {
            ["expiry_time_to_session_ids"] = byTimeout,
            ["session_id_to_ephemeral_paths"] = t.Ephemerals.ToDictionary(e => Decimal(e.SessionId), e => e.Paths),
        };
    }

    private static Json Leader(AdminInputs i)
    {
        var state = i.Node.State;
        var leaderId = state.Mode == ServerMode.Standalone ? i.Sources.Options.Node.ServerId : state.LeaderId;
        var line = i.Sources.Options.Config.Servers.FirstOrDefault(s => s.Id == leaderId);
        return new Json
        {
            ["is_leader"] = state.Mode is ServerMode.Leader or ServerMode.Standalone,
            ["leader_id"] = leaderId,
            ["leader_ip"] = line?.Host ?? (state.Mode == ServerMode.Standalone ? "127.0.0.1" : null),
        };
    }

    private static Json InitialConfiguration(AdminInputs i)
    {
        var file = i.Sources.Options.Config.SourceFile;
        string text;
        try
        {
            text = file is null ? "" : File.ReadAllText(file);
        }
        catch (IOException e)
        {
            text = $"cannot read {file}: {e.Message}";
        }
        // Secrets stay out of an HTTP answer, as they stay out of conf.
        var lines = text.Split('\n').Where(l => !l.Contains("password", StringComparison.OrdinalIgnoreCase));
        return new Json { ["initial_configuration"] = string.Join('\n', lines) };
    }

    private static Json ZabState(AdminInputs i)
    {
        var state = i.Node.State;
        var self = i.Sources.Options.Config.Self;
        return new Json
        {
            ["voting"] = self?.IsVoter ?? true,
            ["zabstate"] = state.Mode == ServerMode.Looking ? "election" : state.IsServing ? "broadcast" : "synchronization",
        };
    }

    private static Json Followers(AdminInputs i) => new()
    {
        ["followers"] = i.Sources.Metrics.Followers().Select(f => new Json
        {
            ["server_id"] = f.ServerId,
            ["acked_zxid"] = Hex(f.AckedZxid),
            ["lag_txns"] = f.LagTxns,
        }).ToList(),
    };

    /// <summary>"server.N" to ZooKeeper's dynamic-config spelling of each line.</summary>
    public static Json Membership(HostOptions options, bool votersOnly)
    {
        var json = new Json();
        foreach (var s in options.Config.Servers)
        {
            if (votersOnly && !s.IsVoter) continue;
            var client = s.ClientAddress is { } c ? $";{(c.Host.Length == 0 ? "0.0.0.0" : c.Host)}:{c.Port}" : "";
            json[s.Id.ToString(CultureInfo.InvariantCulture)] =
                $"{s.Host}:{s.QuorumPort}:{s.ElectionPort}:{(s.IsVoter ? "participant" : "observer")}{client}";
        }
        return json;
    }

    private static Json KeyValues(string text, char separator)
    {
        var json = new Json();
        foreach (var line in text.Split('\n'))
        {
            var at = line.IndexOf(separator, StringComparison.Ordinal);
            if (at <= 0) continue;
            json[line[..at]] = Number(line[(at + 1)..]);
        }
        return json;
    }

    /// <summary>Integers and decimals become JSON numbers, like ZooKeeper's typed values; anything else stays text.</summary>
    private static object Number(string v)
    {
        if (long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return l;
        if (v.Contains('.', StringComparison.Ordinal) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
        return v;
    }

    internal static string SnakeCase(string camel)
    {
        var sb = new System.Text.StringBuilder(camel.Length + 8);
        foreach (var ch in camel)
        {
            if (char.IsAsciiLetterUpper(ch))
            {
                if (sb.Length > 0) sb.Append('_');
                sb.Append(char.ToLowerInvariant(ch));
            }
            else sb.Append(ch == '.' ? '_' : ch);
        }
        return sb.ToString();
    }

    internal static string Hex(long v) => v < 0 ? v.ToString(CultureInfo.InvariantCulture) : $"0x{v:x}";

    private static string Decimal(long v) => v.ToString(CultureInfo.InvariantCulture);
}
