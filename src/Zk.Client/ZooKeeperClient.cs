// The public face of one ZooKeeper session: lifecycle, session state and its events. Every member is thread-safe;
// the operations (ZooKeeperClient.Operations.cs) pipeline over one connection, and callbacks run on the client's
// single event-dispatch task in the order the server sent the events.
using Zk.Client.Internal;

namespace Zk.Client;

public sealed partial class ZooKeeperClient : IAsyncDisposable
{
    private readonly ClientCore _core;
    private readonly TimeSpan _requestTimeout;
    private readonly bool _isView;

    /// <summary>Starts connecting in the background at once; calls made before the session is up wait in the queue.</summary>
    public ZooKeeperClient(ZooKeeperClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _core = new ClientCore(options);
        _requestTimeout = options.RequestTimeout;
    }

    private ZooKeeperClient(ClientCore core, TimeSpan requestTimeout)
    {
        _core = core;
        _requestTimeout = requestTimeout;
        _isView = true;
    }

    /// <summary>Builds a client and waits until its first session is established (or fails).</summary>
    public static Task<ZooKeeperClient> ConnectAsync(string connectString, TimeSpan? sessionTimeout = null,
        CancellationToken cancellationToken = default) =>
        ConnectAsync(new ZooKeeperClientOptions(connectString) { SessionTimeout = sessionTimeout ?? TimeSpan.FromSeconds(30) },
            cancellationToken);

    public static async Task<ZooKeeperClient> ConnectAsync(ZooKeeperClientOptions options, CancellationToken cancellationToken = default)
    {
        var client = new ZooKeeperClient(options);
        try
        {
            await client.WaitForConnectedAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// A view of the same session whose calls time out after <paramref name="requestTimeout"/>
    /// (RequestTimeoutException). Disposing a view does nothing; dispose the client it came from.
    /// </summary>
    public ZooKeeperClient WithRequestTimeout(TimeSpan requestTimeout) => new(_core, requestTimeout);

    public ConnectionState State => _core.State;

    /// <summary>0 until the first session is established.</summary>
    public long SessionId => _core.SessionId;

    public byte[] SessionPassword => _core.SessionPassword;

    /// <summary>The timeout the server granted (the requested one until then).</summary>
    public TimeSpan SessionTimeout => TimeSpan.FromMilliseconds(_core.NegotiatedTimeoutMs);

    /// <summary>The highest zxid seen in a reply; sent on reconnect so no server older than that is used.</summary>
    public long LastZxid => _core.LastZxid;

    /// <summary>"host:port" of the server of the current connection, or null while disconnected.</summary>
    public string? CurrentServer => _core.CurrentServer;

    public ConnectionString ConnectionString => _core.Connection;

    public TimeSpan RequestTimeout => _requestTimeout;

    /// <summary>Raised on the event-dispatch task for every state transition.</summary>
    public event EventHandler<ConnectionStateChange>? StateChanged
    {
        add => _core.StateChanged += value;
        remove => _core.StateChanged -= value;
    }

    /// <summary>The current state first, then each transition; ends after a terminal state.</summary>
    public IAsyncEnumerable<ConnectionStateChange> StateChangesAsync(CancellationToken cancellationToken = default) =>
        _core.StateChangesAsync(cancellationToken);

    /// <summary>What the default watcher receives (watch: true calls and session events); ends with the session.</summary>
    public IAsyncEnumerable<WatchedEvent> DefaultWatcherEventsAsync(CancellationToken cancellationToken = default) =>
        _core.DefaultWatcherEventsAsync(cancellationToken);

    /// <summary>Completes when connected; throws SessionExpired/AuthFailed if the session ends first.</summary>
    public Task WaitForConnectedAsync(CancellationToken cancellationToken = default) =>
        _core.WaitForConnectedAsync(cancellationToken);

    /// <summary>Closes the session (the server deletes its ephemerals) and stops the client. Idempotent.</summary>
    public Task CloseAsync() => _core.CloseAsync(CloseTimeout());

    public async ValueTask DisposeAsync()
    {
        if (_isView) return;
        await CloseAsync().ConfigureAwait(false);
    }

    internal ClientCore Core => _core;

    private TimeSpan CloseTimeout()
    {
        var session = TimeSpan.FromMilliseconds(_core.NegotiatedTimeoutMs);
        return _requestTimeout == Timeout.InfiniteTimeSpan || _requestTimeout > session ? session : _requestTimeout;
    }
}
