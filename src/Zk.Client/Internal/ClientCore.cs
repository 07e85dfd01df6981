// The session behind a ZooKeeperClient: its state, id, password and lastZxid, the queue of outgoing requests, and
// the session loop that connects, primes (auth, SetWatches), runs one ClientConnection at a time and reconnects.
// Thread-safe: callers only enqueue; session fields change under _gate, never across an await.
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Zk.Protocol;
using Zk.Protocol.Records;

namespace Zk.Client.Internal;

internal sealed partial class ClientCore
{
    // ZooKeeper's client splits SetWatches so one frame carries at most this many path characters.
    private const int SetWatchesMaxPathChars = 128 * 1024;

    private readonly object _gate = new();
    private readonly Channel<Packet> _outgoing =
        Channel.CreateUnbounded<Packet>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly HostProvider _hosts;
    private readonly Random _random;
    private readonly ILogger _log;
    private readonly List<(string Scheme, byte[]? Data)> _auth = [];
    private readonly Task _loop;
    private ConnectionState _state = ConnectionState.Connecting;
    private TaskCompletionSource _stateSignal = NewSignal();
    private long _sessionId;
    private byte[] _password = new byte[16];
    private readonly int _requestedTimeoutMs;
    private int _timeoutMs;
    private long _lastZxid;
    private int _xid;
    private bool _closing;
    private string? _server;

    public ClientCore(ZooKeeperClientOptions options)
    {
        Options = options;
        Time = options.TimeProvider;
        Connection = ConnectionString.Parse(options.ConnectString);
        _random = options.Random ?? new Random();
        _hosts = new HostProvider(Connection.Hosts, _random);
        _log = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Zk.Client");
        _requestedTimeoutMs = checked((int)options.SessionTimeout.TotalMilliseconds);
        _timeoutMs = _requestedTimeoutMs;
        Dispatcher = new EventDispatcher(_log);
        DefaultWatcher = DeliverToDefaultWatcher;
        _loop = Task.Run(RunAsync);
    }

    public ZooKeeperClientOptions Options { get; }

    public TimeProvider Time { get; }

    public ConnectionString Connection { get; }

    public WatchRegistry Watches { get; } = new();

    public EventDispatcher Dispatcher { get; }

    /// <summary>One cached delegate, so watch: true registrations compare equal and collapse like Java's.</summary>
    public Action<WatchedEvent> DefaultWatcher { get; }

    public ILogger Log => _log;

    public ConnectionState State
    {
        get { lock (_gate) return _state; }
    }

    public long SessionId => Interlocked.Read(ref _sessionId);

    public byte[] SessionPassword
    {
        get { lock (_gate) return (byte[])_password.Clone(); }
    }

    public int NegotiatedTimeoutMs => Volatile.Read(ref _timeoutMs);

    public long LastZxid => Interlocked.Read(ref _lastZxid);

    public string? CurrentServer
    {
        get { lock (_gate) return _server; }
    }

    /// <summary>Queues a request; it is sent on the current connection or the next one the session makes.</summary>
    public async Task<Response> SubmitAsync(Packet p, TimeSpan timeout, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (Rejection(p.ClientPath) is { } rejection) throw rejection;
        // The writer completes only when the session ends, so a failed write means it just ended.
        if (!_outgoing.Writer.TryWrite(p)) throw Rejection(p.ClientPath) ?? new SessionExpiredException(p.ClientPath);
        try
        {
            return await p.Completion.Task.WaitAsync(timeout, Time, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            p.TryAbandon();
            throw new RequestTimeoutException(p.ClientPath);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            p.TryAbandon();
            throw;
        }
    }

    /// <summary>
    /// Remembers the credential for every later connection. When connected it is sent now and the task ends with
    /// the server's answer; otherwise it goes out with the next handshake.
    /// </summary>
    public Task AddAuthAsync(string scheme, byte[]? data, TimeSpan timeout, CancellationToken ct)
    {
        lock (_gate)
        {
            if (Rejection(null) is { } rejected) throw rejected;
            _auth.Add((scheme, data));
            if (!_state.IsConnected()) return Task.CompletedTask;
        }
        var p = new Packet(OpCode.Auth, new AuthPacket(0, scheme, data), null, kind: PacketKind.Auth);
        return SubmitAsync(p, timeout, ct);
    }

    public async Task WaitForConnectedAsync(CancellationToken ct)
    {
        while (true)
        {
            Task signal;
            lock (_gate)
            {
                if (_state.IsConnected()) return;
                if (_state.IsTerminal()) throw TerminalException(_state, null);
                signal = _stateSignal.Task;
            }
            await signal.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Sends closeSession when connected (bounded by <paramref name="timeout"/>), then ends the session.</summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        bool connected;
        lock (_gate)
        {
            if (_state.IsTerminal() || _closing)
            {
                connected = false;
            }
            else
            {
                connected = _state.IsConnected();
                _closing = true;
            }
        }
        if (connected)
        {
            var close = new Packet(OpCode.CloseSession, EmptyRequest.Instance, null);
            if (_outgoing.Writer.TryWrite(close))
            {
                try
                {
                    await close.Completion.Task.WaitAsync(timeout, Time).ConfigureAwait(false);
                }
                catch (Exception e) when (e is KeeperException or TimeoutException)
                {
                    // The server forgets the session on its own when the reply is lost; closing goes on regardless.
                    ClientLog.ConnectionLost(_log, null, SessionId, e.Message);
                }
            }
        }
        Terminate(ConnectionState.Closed, CurrentServer);
        await _loop.ConfigureAwait(false);
        await Dispatcher.StopAsync().ConfigureAwait(false);
    }

    internal int NextXid() => _xid = _xid == int.MaxValue ? 1 : _xid + 1;

    internal void OnZxid(long zxid) => Interlocked.Exchange(ref _lastZxid, zxid);

    internal void CompletePacket(Packet p, Response response) => Dispatcher.Complete(p, response);

    internal void FailPacket(Packet p, Exception error)
    {
        // A local removal succeeds even when the server could not be asked (ZooKeeper's -l flag).
        if (p.Removal is { Local: true } && error is KeeperException ke)
        {
            OnWatchRemovalReply(p, ke.Code);
            return;
        }
        Dispatcher.Fail(p, error);
    }

    internal void OnAuthFailed(ClientConnection connection)
    {
        ClientLog.AuthFailed(_log, connection.Endpoint, SessionId);
        Terminate(ConnectionState.AuthFailed, connection.Endpoint.ToString());
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private KeeperException? Rejection(string? path)
    {
        lock (_gate)
        {
            if (_state.IsTerminal()) return TerminalException(_state, path);
            return _closing ? new ConnectionLossException(path) : null;
        }
    }

    // What ZooKeeper's client answers to requests of a dead session (ClientCnxn.conLossPacket).
    private static KeeperException TerminalException(ConnectionState state, string? path) =>
        state == ConnectionState.AuthFailed ? new AuthFailedException(path) : new SessionExpiredException(path);

    private Exception LossException(Packet p)
    {
        lock (_gate) return _state.IsTerminal() ? TerminalException(_state, p.ClientPath) : new ConnectionLossException(p.ClientPath);
    }

    private void DrainOutgoing()
    {
        while (_outgoing.Reader.TryRead(out var p))
        {
            if (p.TryMarkSent()) FailPacket(p, LossException(p));
        }
    }

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        var first = true;
        while (!ct.IsCancellationRequested && !IsClosing())
        {
            var (host, cycled) = _hosts.Next();
            try
            {
                if (cycled) await Task.Delay(Options.HostListSpinDelay, Time, ct).ConfigureAwait(false);
                else if (!first) await Task.Delay(ReconnectDelay(), Time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            first = false;
            await RunConnectionAsync(host, ct).ConfigureAwait(false);
        }
        DrainOutgoing();
    }

    private bool IsClosing()
    {
        lock (_gate) return _closing;
    }

    private TimeSpan ReconnectDelay()
    {
        var maxMs = (int)Options.ReconnectDelayMax.TotalMilliseconds;
        return maxMs <= 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(_random.Next(maxMs));
    }
}
