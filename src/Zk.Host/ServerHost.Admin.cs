// The admin side of the composition root: the admin HTTP server (commands, metrics, dashboard) on admin.serverPort
// when admin.enableServer is on. Started after the client port; a bind failure there is only a warning.
using Zk.Host.Admin;

namespace Zk.Host;

public sealed partial class ServerHost
{
    /// <summary>Where the admin server listens, or null when it is off or could not bind.</summary>
    public System.Net.IPEndPoint? AdminEndpoint => _admin?.Endpoint;

    public Zk.Actors.Server.Metrics.ServerMetrics Metrics => _metrics;

    private async Task StartAdminAsync(CancellationToken ct)
    {
        var c = _options.Config;
        if (!c.AdminEnableServer) return;
        var sources = new AdminSources(_options, _identity, _stats, _connections, _metrics, () => _node);
        _admin = new AdminServer(sources, _loggerFactory);
        await _admin.StartAsync(HostConfiguration.Resolve(c.AdminServerAddress), c.AdminServerPort, ct).ConfigureAwait(false);
    }
}
