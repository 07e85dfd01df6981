// Everything the admin port reads about its server: options, identity, counters, live connections, metrics and
// the node (with its data tree, asked by message). Built once by ServerHost; the node appears when it started.
// Thread-safe: every member is either immutable or itself thread-safe.
using Zk.Actors.Tree;
using Zk.Actors.Server;
using Zk.Actors.Server.Metrics;
using Zk.Actors.Sessions;
using Zk.ClientProxy;
using Zk.Core.DataTree;
using Zk.Core.Sessions;
using Zk.Core.Storage;

namespace Zk.Host.Admin;

internal sealed class AdminSources(
    HostOptions options,
    ServerIdentity identity,
    ServerStats stats,
    ConnectionRegistry connections,
    ServerMetrics metrics,
    Func<ServerNode?> node)
{
    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    public HostOptions Options => options;

    public ServerIdentity Identity => identity;

    public ServerStats Stats => stats;

    public ConnectionRegistry Connections => connections;

    public ServerMetrics Metrics => metrics;

    public ServerNode? Node => node();

    public ServerState? State => node()?.State;

    public bool IsServing => node()?.State.IsServing ?? false;

    public long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>The data tree's status, or null while the server does not serve (its tree may be mid-sync).</summary>
    public async Task<TreeStatus?> TreeStatusAsync(CancellationToken ct)
    {
        if (node() is not { } n || !n.State.IsServing) return null;
        try
        {
            return await n.GetTreeStatusAsync(AskTimeout, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    public async Task<T?> AskTreeAsync<T>(Func<Zk.Actors.Kernel.ActorRef, object> query, CancellationToken ct)
        where T : class
    {
        if (node() is not { } n) return null;
        try
        {
            return await n.System.Ask<T>(n.DataTree, query, AskTimeout, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    public FourLetterWordInputs FourLetterInputs(ServerNode n, TreeStatus? tree) =>
        new(identity, n.State, stats, connections, tree, NowMs);
}
