// The admin port (admin.serverPort on admin.serverAddress): ZooKeeper's /commands, /health, /ready, Prometheus
// /metrics, the dashboard's JSON API and its static files. Its own Kestrel host, so that a taken admin port only
// costs a warning (as in ZooKeeper) and never the client port. Requests run concurrently on Kestrel's threads; the
// data tree's gauges of /metrics are sampled by one background task while the port is open.
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Zk.Host.Admin;

internal sealed partial class AdminServer : IAsyncDisposable
{
    internal static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    internal static readonly JsonSerializerOptions Compact = new();

    private readonly AdminSources _sources;
    private readonly DashboardApi _api;
    private readonly MetricsEndpoint _metrics;
    private readonly TreeGaugeSampler _treeGauges;
    private readonly TimeSpan _treeSampleInterval;
    private readonly ILogger _log;
    private WebApplication? _web;

    public AdminServer(AdminSources sources, ILoggerFactory loggers, TimeSpan? treeSampleInterval = null)
    {
        _sources = sources;
        _log = loggers.CreateLogger("Zk.Admin");
        _api = new DashboardApi(sources);
        _metrics = new MetricsEndpoint(sources);
        _treeGauges = new TreeGaugeSampler(sources.Metrics, sources.TreeStatusAsync, TimeProvider.System);
        _treeSampleInterval = treeSampleInterval ?? TreeGaugeSampler.DefaultInterval;
    }

    /// <summary>The bound endpoint, or null when the admin server is off or could not bind.</summary>
    public IPEndPoint? Endpoint { get; private set; }

    public async Task StartAsync(IPAddress address, int port, CancellationToken ct)
    {
        // Content root = install directory: the default one (the working directory) is watched for config changes,
        // and it may hold the data directory, whose every journal write would wake that watcher.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(address, port));
        var web = builder.Build();
        web.Run(HandleAsync);
        try
        {
            await web.StartAsync(ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            LogBindFailed(_log, address, port, e.Message);
            await web.DisposeAsync().ConfigureAwait(false);
            return;
        }
        _web = web;
        Endpoint = new IPEndPoint(address, port);
        _treeGauges.Start(_treeSampleInterval);
        LogListening(_log, address, port);
    }

    /// <summary>Stops sampling before the port: the node stops after this, and a sample must not ask a stopped tree.</summary>
    public async Task StopAsync()
    {
        await _treeGauges.DisposeAsync().ConfigureAwait(false);
        if (_web is not null) await _web.StopAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _treeGauges.DisposeAsync().ConfigureAwait(false);
        if (_web is not null) await _web.DisposeAsync().ConfigureAwait(false);
        _api.Dispose();
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        var ct = ctx.RequestAborted;
        if (!HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method) && !path.StartsWith("/commands", StringComparison.Ordinal))
        {
            await WriteJsonAsync(ctx, 405, new Dictionary<string, object?> { ["error"] = "only GET is supported" }, Compact).ConfigureAwait(false);
            return;
        }
        switch (path)
        {
            case "/" or "/dashboard":
                ctx.Response.Redirect("/dashboard/");
                return;
            case "/health":
                await WriteJsonAsync(ctx, 200, new Dictionary<string, object?> { ["status"] = "ok" }, Compact).ConfigureAwait(false);
                return;
            case "/ready":
                var ready = _sources.IsServing;
                await WriteJsonAsync(ctx, ready ? 200 : 503, new Dictionary<string, object?>
                {
                    ["ready"] = ready,
                    ["mode"] = _sources.State?.ModeName ?? "starting",
                }, Compact).ConfigureAwait(false);
                return;
            case "/metrics":
                await _metrics.ServeAsync(ctx).ConfigureAwait(false);
                return;
            case "/commands" or "/commands/":
                await WriteJsonAsync(ctx, 200, new Dictionary<string, object?>
                {
                    ["commands"] = AdminCommands.All.Select(c => new Dictionary<string, object?> { ["name"] = c.Name, ["aliases"] = c.Aliases, ["url"] = $"/commands/{c.Name}" }).ToList(),
                }, Indented).ConfigureAwait(false);
                return;
        }
        if (path.StartsWith("/commands/", StringComparison.Ordinal))
        {
            await RunCommandAsync(ctx, path["/commands/".Length..].TrimEnd('/'), ct).ConfigureAwait(false);
            return;
        }
        if (path.StartsWith("/api/", StringComparison.Ordinal))
        {
            var (status, body) = await _api.HandleAsync(path, ctx.Request.Query, ct).ConfigureAwait(false);
            await WriteJsonAsync(ctx, status, body, Compact).ConfigureAwait(false);
            return;
        }
        if (path.StartsWith("/dashboard/", StringComparison.Ordinal) && await StaticAssets.TryServeAsync(ctx, path["/dashboard/".Length..], ct).ConfigureAwait(false))
            return;
        await WriteJsonAsync(ctx, 404, new Dictionary<string, object?> { ["error"] = $"no such page: {path}" }, Compact).ConfigureAwait(false);
    }

    private async Task RunCommandAsync(HttpContext ctx, string name, CancellationToken ct)
    {
        var command = AdminCommands.Find(name);
        if (command is null)
        {
            await WriteJsonAsync(ctx, 404, new Dictionary<string, object?> { ["command"] = name, ["error"] = $"Unknown command: {name}" }, Indented).ConfigureAwait(false);
            return;
        }
        var node = _sources.Node;
        var tree = command.NeedsTree ? await _sources.TreeStatusAsync(ct).ConfigureAwait(false) : null;
        if (node is null || (command.NeedsTree && tree is null))
        {
            await WriteJsonAsync(ctx, 503, new Dictionary<string, object?>
            {
                ["command"] = command.Name,
                ["error"] = "This ZooKeeper instance is not currently serving requests",
            }, Indented).ConfigureAwait(false);
            return;
        }
        var json = command.Run(new AdminInputs(_sources, node, tree, _sources.NowMs));
        json["command"] = command.Name;
        json["error"] = null;
        LogCommand(_log, command.Name);
        await WriteJsonAsync(ctx, 200, json, Indented).ConfigureAwait(false);
    }

    internal static async Task WriteJsonAsync(HttpContext ctx, int status, object body, JsonSerializerOptions options)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        ctx.Response.Headers.CacheControl = "no-store";
        await JsonSerializer.SerializeAsync(ctx.Response.Body, body, body.GetType(), options, ctx.RequestAborted).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 9101, Level = LogLevel.Information, Message = "admin server listening on http://{Address}:{Port}/ (commands, metrics, dashboard)")]
    private static partial void LogListening(ILogger log, IPAddress address, int port);

    [LoggerMessage(EventId = 9102, Level = LogLevel.Warning, Message = "admin server not started: cannot listen on {Address}:{Port}: {Reason}; the server runs without it")]
    private static partial void LogBindFailed(ILogger log, IPAddress address, int port, string reason);

    [LoggerMessage(EventId = 9103, Level = LogLevel.Debug, Message = "admin command {Command}")]
    private static partial void LogCommand(ILogger log, string command);
}
