// The composition root of one server process: storage (SQLite journal, snapshot files), recovery, the actor
// system and its server node, the TCP quorum transport of an ensemble member, and Kestrel listening on the client
// port. Start and stop are the only entry points; a stop flushes the journal before returning.
using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Zk.Actors.Kernel;
using Zk.Actors.Server;
using Zk.Actors.Sessions;
using Zk.ClientProxy;
using Zk.Host.Quorum;
using Zk.Host.Storage;
using Zk.Protocol.Framing;
using Zk.Protocol.Records;
using Zk.Core.Sessions;
using Zk.Core.Storage;

namespace Zk.Host;

public sealed partial class ServerHost : IClientPortServer, IAsyncDisposable
{
    public const string Version = "3.8.0-zkactors, built on 2026-11-22 00:00 UTC";

    private readonly HostOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _log;
    private readonly ServerStats _stats = new();
    private readonly ConnectionRegistry _connections;
    private readonly ServerIdentity _identity;
    private ActorSystem? _system;
    private ServerNode? _node;
    private WebApplication? _web;
    private TcpQuorumNetwork? _quorum;
    private readonly Zk.Actors.Server.Metrics.ServerMetrics _metrics = new();
    private Admin.AdminServer? _admin;

    public ServerHost(HostOptions options, ILoggerFactory loggerFactory)
    {
        _options = options;
        _loggerFactory = loggerFactory;
        _log = loggerFactory.CreateLogger("Zk.Host");
        _connections = new ConnectionRegistry(options.ClientPortOptions.MaxConnectionsPerIp);
        _identity = new ServerIdentity(Version, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), options.ConfLines, options.DataDir, options.DataLogDir);
    }

    public ServerNode Node => _node ?? throw new InvalidOperationException("the server is not started");

    public bool IsServing => _node?.State.IsServing ?? false;

    public async Task StartAsync(CancellationToken ct = default)
    {
        Directory.CreateDirectory(_options.DataDir);
        Directory.CreateDirectory(_options.DataLogDir);
        SqliteJournal journal;
        try
        {
            journal = SqliteJournal.Open(_options.DataLogDir, _options.ForceSync);
        }
        catch (Zk.Core.Storage.JournalCorruptException e)
        {
            // A journal file that is not one (or is damaged beyond reading) is unrecoverable data, as a bad record is.
            throw new RecoveryException($"refusing to start: {e.Message}", e);
        }
        var snapshots = new FileSnapshotStore(_options.DataDir);
        RecoveredState recovered;
        try
        {
            recovered = Recovery.Load(snapshots, journal, _options.Node.Tree, applyLog: _options.Node.Standalone, _loggerFactory.CreateLogger("Zk.Recovery"));
        }
        catch
        {
            journal.Dispose();
            throw;
        }
        if (!_options.Node.Standalone)
        {
            // Bound before any actor exists, so a taken port stops start-up here with a clear error.
            _quorum = CreateQuorumNetwork(_options, _loggerFactory);
            try
            {
                _quorum.Start();
            }
            catch
            {
                await _quorum.DisposeAsync().ConfigureAwait(false);
                _quorum = null;
                journal.Dispose();
                throw;
            }
        }
        _system = ActorSystem.Create($"zk-{_options.Node.ServerId}", _loggerFactory);
        _node = ServerNode.Start(_system, _options.Node with { Metrics = _metrics }, journal, snapshots, recovered, new Random(), _quorum);

        // The content root is the install directory, not the working directory: the default configuration
        // watches the content root for changes, and the working directory may hold the data directory, whose
        // every journal write would wake that watcher.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(_loggerFactory);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.Services.AddSingleton<IClientPortServer>(this);
        builder.Services.AddSingleton(_connections);
        builder.Services.AddSingleton(_options.ClientPortOptions);
        builder.Services.AddSingleton(_stats);
        builder.Services.AddSingleton(TimeProvider.System);
        // Inline scheduling: the read loop runs on the thread that completed the socket read, and a reply's socket send
        // runs on the thread that flushes it (the session actor's), instead of one more thread-pool hop each way. Safe
        // because the connection handler never blocks: it awaits, and the actors it talks to never block it.
        builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(new IPEndPoint(_options.ClientAddress, _options.ClientPort), l => l.UseConnectionHandler<ZkConnectionHandler>());
            // secureClientPort: the same handler behind TLS; a plain-text client fails the handshake and is closed.
            if (_options is { SecureClientEndpoint: { } tlsAt, ClientTls: { } tls })
                k.Listen(tlsAt, l => l.UseHttps(tls).UseConnectionHandler<ZkConnectionHandler>());
        });
        _web = builder.Build();
        await _web.StartAsync(ct).ConfigureAwait(false);
        LogListening(_log, _options.Node.ServerId, _options.ClientAddress, _options.ClientPort, _options.DataDir);
        await StartAdminAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The quorum transport of an ensemble member: this server's line and its peers', from zoo.cfg.</summary>
    private static TcpQuorumNetwork CreateQuorumNetwork(HostOptions options, ILoggerFactory loggers)
    {
        var servers = options.Config.Servers.Select(s =>
        {
            var address = HostConfiguration.Resolve(s.Host);
            return new QuorumPeerAddress((int)s.Id, new IPEndPoint(address, s.QuorumPort), new IPEndPoint(address, s.ElectionPort));
        });
        return TcpQuorumNetwork.Create(options.Node.ServerId, servers, new QuorumTransportOptions(), loggers);
    }

    public ActorRef SpawnSession(IClientConnection connection, ConnectRequest request) => Node.SpawnSession(connection, request);

    public async Task<string> RunFourLetterWordAsync(FourLetterWord word, ConnectionRegistry connections, CancellationToken ct)
    {
        var node = Node;
        Zk.Actors.Tree.TreeStatus? tree = null;
        if (FourLetterWordFormatter.NeedsTree(word) && node.State.IsServing)
        {
            try
            {
                tree = await node.GetTreeStatusAsync(TimeSpan.FromSeconds(5), ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                tree = null;
            }
        }
        return FourLetterWordFormatter.Format(word, new FourLetterWordInputs(_identity, node.State, _stats, connections, tree,
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
    }

    public async Task StopAsync()
    {
        if (_admin is not null) await _admin.StopAsync().ConfigureAwait(false);
        if (_web is not null)
        {
            // Like ZooKeeper, a stopping server closes its client connections at once; the clients reconnect to
            // another member. Kestrel would otherwise wait out its 30 s shutdown timeout for connections that a
            // ZooKeeper client never closes by itself (`docker stop` sends SIGKILL after 10 s). A cancelled token
            // makes Kestrel abort the open connections instead of waiting for them.
            using var closeNow = new CancellationTokenSource();
            await closeNow.CancelAsync().ConfigureAwait(false);
            await _web.StopAsync(closeNow.Token).ConfigureAwait(false);
        }
        if (_node is not null) await _node.StopAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        if (_quorum is not null) await _quorum.DisposeAsync().ConfigureAwait(false);
        _system?.Dispose();
        LogStopped(_log, _options.Node.ServerId);
    }

    public async ValueTask DisposeAsync()
    {
        if (_admin is not null) await _admin.DisposeAsync().ConfigureAwait(false);
        if (_web is not null) await _web.DisposeAsync().ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "[myid:{ServerId}] listening for clients on {Address}:{Port}, data in {DataDir}")]
    private static partial void LogListening(ILogger log, int serverId, IPAddress address, int port, string dataDir);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Information, Message = "[myid:{ServerId}] stopped; journal flushed")]
    private static partial void LogStopped(ILogger log, int serverId);
}
