// The ensemble as this server sees it: its own state, each peer's /api/self when that peer's admin port answers
// (admin.peerUrl.N, else http://host:admin.serverPort), and what the leader knows of its followers' progress.
// Peers are asked in parallel with a short timeout; an unreachable peer is shown as such. Thread-safe.
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Zk.Host.Admin;

using Json = Dictionary<string, object?>;

internal sealed class EnsembleView(AdminSources sources) : IDisposable
{
    private static readonly TimeSpan PeerTimeout = TimeSpan.FromMilliseconds(1500);

    private readonly HttpClient _http = new() { Timeout = PeerTimeout };

    public async Task<Json> GetAsync(Json self, CancellationToken ct)
    {
        var config = sources.Options.Config;
        var selfId = sources.Options.Node.ServerId;
        var servers = config.IsDistributed ? config.Servers.ToList() : [];
        var peers = await Task.WhenAll(servers.Where(s => s.Id != selfId).Select(s => AskPeerAsync(s.Id, PeerUrl(s), ct))).ConfigureAwait(false);
        var byId = peers.ToDictionary(p => p.Id, p => p);
        var selfLine = servers.FirstOrDefault(s => s.Id == selfId);
        var leaderView = FindLeaderView(self, peers);
        var rows = new List<Json>();
        if (servers.Count == 0) rows.Add(Row(selfId, "127.0.0.1", null, "participant", self, "self", leaderView));
        foreach (var s in servers)
        {
            var type = s.IsVoter ? "participant" : "observer";
            if (s.Id == selfId) rows.Add(Row(s.Id, s.Host, s, type, self, "self", leaderView));
            else
            {
                var p = byId[s.Id];
                rows.Add(Row(s.Id, s.Host, s, type, p.Self, p.Self is null ? "unreachable" : "admin", leaderView, p.Url, p.Error));
            }
        }
        FillLagFromZxids(rows);
        return new Json
        {
            ["server_id"] = selfId,
            ["standalone"] = servers.Count == 0,
            ["self_line"] = selfLine is null ? null : $"{selfLine.Host}:{selfLine.QuorumPort}:{selfLine.ElectionPort}",
            ["servers"] = rows,
        };
    }

    private string PeerUrl(Zk.Host.Config.QuorumServer s)
    {
        var config = sources.Options.Config;
        if (config.AdminPeerUrls.TryGetValue(s.Id, out var url)) return url.TrimEnd('/');
        var host = s.Host.Contains(':', StringComparison.Ordinal) ? $"[{s.Host}]" : s.Host;
        return $"http://{host}:{config.AdminServerPort}";
    }

    private sealed record Peer(long Id, string Url, Json? Self, string? Error);

    private async Task<Peer> AskPeerAsync(long id, string url, CancellationToken ct)
    {
        try
        {
            using var response = await _http.GetAsync($"{url}/api/self", ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return new Peer(id, url, null, $"HTTP {(int)response.StatusCode}");
            var doc = await response.Content.ReadFromJsonAsync<JsonElement>(ct).ConfigureAwait(false);
            var json = ToJson(doc);
            // A pseudo-cluster without admin.peerUrl.N reaches some other server (often this one) at that address.
            if (json.GetValueOrDefault("server_id") is long answered && answered != id)
                return new Peer(id, url, null, $"{url} is server {answered}, not {id} (set admin.peerUrl.{id})");
            return new Peer(id, url, json, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException)
        {
            return new Peer(id, url, null, e.Message);
        }
    }

    /// <summary>The followers' progress as the leader reports it: ours when we lead, else the reachable leader's.</summary>
    private static Dictionary<long, (string Acked, long Lag)> FindLeaderView(Json self, IEnumerable<Peer> peers)
    {
        var leader = (self["mode"] as string) == "leader" ? self : peers.Select(p => p.Self).FirstOrDefault(s => s?["mode"] as string == "leader");
        var result = new Dictionary<long, (string, long)>();
        if (leader?["followers"] is not IEnumerable<object> followers) return result;
        foreach (var f in followers.OfType<Json>())
        {
            if (f["server_id"] is { } id && f["lag_txns"] is { } lag)
                result[Convert.ToInt64(id, CultureInfo.InvariantCulture)] = ((string)f["acked_zxid"]!, Convert.ToInt64(lag, CultureInfo.InvariantCulture));
        }
        return result;
    }

    private static Json Row(long id, string host, Zk.Host.Config.QuorumServer? line, string type, Json? state, string source,
        Dictionary<long, (string Acked, long Lag)> leaderView, string? adminUrl = null, string? error = null)
    {
        var row = new Json
        {
            ["server_id"] = id,
            ["host"] = host,
            ["quorum_port"] = line?.QuorumPort,
            ["election_port"] = line?.ElectionPort,
            ["type"] = type,
            ["source"] = source,
            ["reachable"] = state is not null,
            ["admin_url"] = adminUrl,
            ["error"] = error,
            ["mode"] = state?.GetValueOrDefault("mode"),
            ["serving"] = state?.GetValueOrDefault("serving"),
            ["epoch"] = state?.GetValueOrDefault("epoch"),
            ["zxid"] = state?.GetValueOrDefault("zxid"),
            ["zxid_value"] = state?.GetValueOrDefault("zxid_value"),
            ["lag_txns"] = null,
            ["lag_source"] = null,
        };
        if (leaderView.TryGetValue(id, out var known))
        {
            row["lag_txns"] = known.Lag;
            row["acked_zxid"] = known.Acked;
            row["lag_source"] = "leader";
        }
        else if (state?.GetValueOrDefault("mode") is "leader" or "standalone")
        {
            row["lag_txns"] = 0L;
            row["lag_source"] = "leader";
        }
        return row;
    }

    /// <summary>Rows the leader said nothing about get their lag from zxids seen directly: behind the newest one.</summary>
    private static void FillLagFromZxids(List<Json> rows)
    {
        var newest = rows.Select(r => r["zxid_value"]).OfType<object>().Select(v => Convert.ToInt64(v, CultureInfo.InvariantCulture)).DefaultIfEmpty(-1).Max();
        if (newest < 0) return;
        foreach (var r in rows)
        {
            if (r["lag_txns"] is not null || r["zxid_value"] is null) continue;
            r["lag_txns"] = Zk.Actors.Server.Metrics.ServerMetrics.Lag(newest, Convert.ToInt64(r["zxid_value"], CultureInfo.InvariantCulture));
            r["lag_source"] = "zxid";
        }
    }

    /// <summary>A peer's JSON as plain dictionaries, lists, strings, longs, doubles, bools and nulls.</summary>
    private static Json ToJson(JsonElement e)
    {
        var json = new Json();
        if (e.ValueKind != JsonValueKind.Object) return json;
        foreach (var p in e.EnumerateObject()) json[p.Name] = Value(p.Value);
        return json;
    }

    private static object? Value(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => ToJson(e),
        JsonValueKind.Array => e.EnumerateArray().Select(Value).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    public void Dispose() => _http.Dispose();
}
