// The dashboard's JSON API under /api/: this server (self), one znode (node), a path-prefix search (search), the
// sessions with their ephemerals and watches (sessions) and the ensemble (ensemble). Tree reads are messages to the
// DataTreeActor; nothing here touches actor state directly. Called concurrently from request threads.
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Zk.Actors.Tree;
using Zk.Actors.Server;

namespace Zk.Host.Admin;

using Json = Dictionary<string, object?>;
using Zk.Core.DataTree;
using Zk.Core.Storage;

internal sealed class DashboardApi(AdminSources sources) : IDisposable
{
    public const int MaxChildrenShown = 1000;
    public const int MaxSearchResults = 500;

    private readonly EnsembleView _ensemble = new(sources);

    public async Task<(int Status, object Body)> HandleAsync(string path, IQueryCollection query, CancellationToken ct)
    {
        switch (path)
        {
            case "/api/self":
                return (200, await SelfAsync(ct).ConfigureAwait(false));
            case "/api/node":
                return await NodeAsync(query["path"].FirstOrDefault() ?? "/", ct).ConfigureAwait(false);
            case "/api/search":
                var limit = int.TryParse(query["limit"].FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var l)
                    ? Math.Clamp(l, 1, 10_000) : MaxSearchResults;
                return await SearchAsync(query["prefix"].FirstOrDefault() ?? "/", limit, ct).ConfigureAwait(false);
            case "/api/sessions":
                return await SessionsAsync(ct).ConfigureAwait(false);
            case "/api/ensemble":
                return (200, await _ensemble.GetAsync(await SelfAsync(ct).ConfigureAwait(false), ct).ConfigureAwait(false));
            default:
                return (404, new Json { ["error"] = $"no such API: {path}" });
        }
    }

    /// <summary>What this server says about itself; peers' dashboards read it too.</summary>
    public async Task<Json> SelfAsync(CancellationToken ct)
    {
        var state = sources.State;
        var tree = await sources.TreeStatusAsync(ct).ConfigureAwait(false);
        var c = sources.Options.Config;
        return new Json
        {
            ["server_id"] = sources.Options.Node.ServerId,
            ["version"] = sources.Identity.Version,
            ["mode"] = state?.ModeName ?? "starting",
            ["serving"] = state?.IsServing ?? false,
            ["epoch"] = state?.Epoch ?? 0,
            ["leader_id"] = state?.Mode == ServerMode.Standalone ? sources.Options.Node.ServerId : state?.LeaderId ?? -1,
            ["zxid"] = tree is null ? null : AdminCommands.Hex(tree.LastZxid),
            ["zxid_value"] = tree?.LastZxid,
            ["node_count"] = tree?.ZkNodeCount,
            ["sessions"] = tree?.SessionCount,
            ["connections"] = sources.Connections.Count,
            ["election_count"] = state?.ElectionCount ?? 0,
            ["last_election_ms"] = state?.LastElectionMs ?? 0,
            ["uptime_ms"] = sources.NowMs - sources.Identity.StartedMs,
            ["client_port"] = sources.Options.ClientPort,
            ["secure_client_port"] = c.SecureClientAddress?.Port,
            ["followers"] = sources.Metrics.Followers().Select(f => new Json
            {
                ["server_id"] = f.ServerId,
                ["acked_zxid"] = AdminCommands.Hex(f.AckedZxid),
                ["lag_txns"] = f.LagTxns,
            }).ToList(),
        };
    }

    private async Task<(int, object)> NodeAsync(string path, CancellationToken ct)
    {
        if (path.Length == 0 || path[0] != '/') return (400, new Json { ["error"] = "path must start with /" });
        var view = await sources.AskTreeAsync<NodeView>(r => new BrowseNode(path, MaxChildrenShown, r), ct).ConfigureAwait(false);
        if (view is null) return (503, new Json { ["error"] = "the data tree did not answer" });
        if (!view.Exists) return (404, new Json { ["path"] = path, ["exists"] = false, ["error"] = $"no node {path}" });
        var s = view.Stat;
        return (200, new Json
        {
            ["path"] = view.Path,
            ["exists"] = true,
            ["kind"] = view.Kind.ToString().ToLowerInvariant(),
            ["data_base64"] = view.Data is null ? null : Convert.ToBase64String(view.Data),
            ["data_is_null"] = view.Data is null,
            ["data_utf8"] = view.Data is null ? null : Utf8OrNull(view.Data),
            ["stat"] = new Json
            {
                ["czxid"] = AdminCommands.Hex(s.Czxid),
                ["mzxid"] = AdminCommands.Hex(s.Mzxid),
                ["pzxid"] = AdminCommands.Hex(s.Pzxid),
                ["ctime"] = s.Ctime,
                ["mtime"] = s.Mtime,
                ["version"] = s.Version,
                ["cversion"] = s.Cversion,
                ["aversion"] = s.Aversion,
                ["ephemeralOwner"] = AdminCommands.Hex(s.EphemeralOwner),
                ["dataLength"] = s.DataLength,
                ["numChildren"] = s.NumChildren,
            },
            ["acl"] = view.Acl.Select(a => new Json
            {
                ["scheme"] = a.Id.Scheme,
                ["id"] = a.Id.Ident,
                ["perms"] = Zk.Protocol.Acl.PermString(a.Perms),
            }).ToList(),
            ["children"] = view.Children,
            ["children_truncated"] = view.ChildrenTruncated,
            ["num_children"] = s.NumChildren,
            ["zxid"] = AdminCommands.Hex(view.Zxid),
        });
    }

    private async Task<(int, object)> SearchAsync(string prefix, int limit, CancellationToken ct)
    {
        var found = await sources.AskTreeAsync<NodeSearchResult>(r => new SearchNodes(prefix, limit, r), ct).ConfigureAwait(false);
        if (found is null) return (503, new Json { ["error"] = "the data tree did not answer" });
        return (200, new Json { ["prefix"] = prefix, ["paths"] = found.Paths, ["truncated"] = found.Truncated });
    }

    private async Task<(int, object)> SessionsAsync(CancellationToken ct)
    {
        var tree = await sources.TreeStatusAsync(ct).ConfigureAwait(false);
        if (tree is null) return (503, new Json { ["error"] = "This ZooKeeper instance is not currently serving requests" });
        var ephemerals = tree.Ephemerals.ToDictionary(e => e.SessionId, e => e.Paths);
        var watches = tree.WatchesBySession.GroupBy(w => w.SessionId).ToDictionary(g => g.Key, g => g.SelectMany(w => w.Paths).ToList());
        var local = sources.Connections.All.Where(c => c.Stats.SessionId != 0).GroupBy(c => c.Stats.SessionId).ToDictionary(g => g.Key, g => g.First());
        var list = tree.Sessions.OrderBy(s => s.SessionId).Select(s =>
        {
            local.TryGetValue(s.SessionId, out var conn);
            return new Json
            {
                ["session_id"] = AdminCommands.Hex(s.SessionId),
                ["timeout_ms"] = s.TimeoutMs,
                ["ephemerals"] = ephemerals.GetValueOrDefault(s.SessionId) ?? [],
                ["watches"] = watches.GetValueOrDefault(s.SessionId) ?? [],
                ["connected_here"] = conn is not null,
                ["client"] = conn is null ? null : $"{conn.RemoteAddress}:{conn.RemotePort}",
                ["last_operation"] = conn?.Stats.LastOp,
                ["packets_received"] = conn?.Stats.Received,
                ["avg_latency_ms"] = conn?.Stats.AvgLatencyMs,
            };
        }).ToList();
        return (200, new Json { ["sessions"] = list, ["count"] = list.Count });
    }

    private static string? Utf8OrNull(byte[] data)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(data);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    public void Dispose() => _ensemble.Dispose();
}
