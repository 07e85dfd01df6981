// The session loop's per-connection work (connect, handshake, priming, run, clean up) and what the reader loop
// reports back (notifications, watch removals). Runs on the session loop task and the connection's reader loop.
using Zk.Protocol;
using Zk.Protocol.Jute;
using Zk.Protocol.Records;
using System.Net.Sockets;

namespace Zk.Client.Internal;

internal sealed partial class ClientCore
{
    private async Task RunConnectionAsync(HostEndpoint host, CancellationToken ct)
    {
        ClientConnection? connection = null;
        var established = false;
        Exception? reason = null;
        ClientLog.Connecting(_log, host, SessionId);
        try
        {
            ConnectResponse response;
            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                // As in ZooKeeper: the connect budget is the session timeout shared among the hosts.
                connectTimeout.CancelAfter(TimeSpan.FromMilliseconds(Math.Max(1, NegotiatedTimeoutMs / _hosts.Count)));
                connection = await ClientConnection.OpenAsync(host, this, connectTimeout.Token).ConfigureAwait(false);
                response = await connection.HandshakeAsync(BuildConnectRequest(), connectTimeout.Token).ConfigureAwait(false);
            }
            if (response.TimeoutMs <= 0)
            {
                ClientLog.SessionExpired(_log, SessionId, host);
                Terminate(ConnectionState.Expired, host.ToString());
                return;
            }
            OnSessionEstablished(response, host);
            await connection.PrimeAsync(BuildPrimingPackets(), ct).ConfigureAwait(false);
            established = true;
            SetState(response.ReadOnly ? ConnectionState.ConnectedReadOnly : ConnectionState.Connected, host.ToString());
            var t = TimeSpan.FromMilliseconds(response.TimeoutMs);
            // Ping after T/3 of silence on our side (at least every 10 s); give up after 2T/3 of silence from the server.
            var pingInterval = TimeSpan.FromTicks(Math.Min(t.Ticks / 3, TimeSpan.FromSeconds(10).Ticks));
            reason = await connection.RunAsync(_outgoing.Reader, pingInterval, t * 2 / 3, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The session is ending; Terminate has already said why.
        }
        catch (Exception e) when (e is SocketException or IOException or ConnectionDroppedException
                                      or MalformedFrameException or OperationCanceledException)
        {
            reason = e is OperationCanceledException ? new TimeoutException("connect timed out") : e;
        }
        finally
        {
            if (reason is not null) ClientLog.ConnectionLost(_log, host, SessionId, reason.Message);
            lock (_gate)
            {
                if (_server == host.ToString()) _server = null;
            }
            // The state changes first, so a caller whose request fails with ConnectionLoss below already sees
            // Disconnected and can wait for the reconnect.
            if (established && !IsClosing()) SetState(ConnectionState.Disconnected, host.ToString());
            if (connection is not null)
            {
                connection.FailPending(LossException);
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            // Requests queued while this connection was coming up fail with it, as in ZooKeeper's client.
            DrainOutgoing();
        }
    }

    private ConnectRequest BuildConnectRequest()
    {
        lock (_gate)
        {
            return new ConnectRequest(0, LastZxid, _requestedTimeoutMs, _sessionId, (byte[])_password.Clone(), Options.CanBeReadOnly);
        }
    }

    private void OnSessionEstablished(ConnectResponse response, HostEndpoint host)
    {
        lock (_gate)
        {
            Interlocked.Exchange(ref _sessionId, response.SessionId);
            _password = [.. response.Password];
            Volatile.Write(ref _timeoutMs, response.TimeoutMs);
            _server = host.ToString();
        }
        _hosts.OnConnected();
        ClientLog.SessionEstablished(_log, response.SessionId, host, response.TimeoutMs);
    }

    // Auth first, then the watches this client holds, so no request of the new connection can miss either.
    private List<Packet> BuildPrimingPackets()
    {
        var packets = new List<Packet>();
        lock (_gate)
        {
            foreach (var (scheme, credential) in _auth)
                packets.Add(Internal(new Packet(OpCode.Auth, new AuthPacket(0, scheme, credential), null, kind: PacketKind.Auth)));
        }
        if (Options.DisableAutoWatchReset || Watches.IsEmpty) return packets;

        // In SetWatches2's field order: data, exist, child, persistent, persistent-recursive.
        var (data, exist, child, persistent, recursive) = Watches.Snapshot();
        var lists = new[] { data, exist, child, persistent, recursive };
        var batch = NewBatch();
        var chars = 0;
        for (var kind = 0; kind < lists.Length; kind++)
        {
            foreach (var clientPath in lists[kind])
            {
                var serverPath = Connection.ToServerPath(clientPath);
                batch[kind].Add(serverPath);
                chars += serverPath.Length;
                if (chars < SetWatchesMaxPathChars) continue;
                packets.Add(SetWatchesPacket(batch));
                batch = NewBatch();
                chars = 0;
            }
        }
        if (batch.Any(b => b.Count > 0)) packets.Add(SetWatchesPacket(batch));
        return packets;

        static List<string>[] NewBatch() => [[], [], [], [], []];
    }

    // setWatches2 only when persistent watches are involved: older servers know only setWatches.
    private Packet SetWatchesPacket(List<string>[] b)
    {
        var withPersistent = b[3].Count > 0 || b[4].Count > 0;
        var request = new SetWatchesRequest(LastZxid, b[0], b[1], b[2], b[3], b[4]);
        return Internal(new Packet(withPersistent ? OpCode.SetWatches2 : OpCode.SetWatches, request, null));
    }

    // Nobody awaits a priming packet; its failure is reported through the session state instead.
    private static Packet Internal(Packet p)
    {
        _ = p.Completion.Task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return p;
    }

    internal void OnNotification(WatcherEvent e)
    {
        var path = Connection.ToClientPath(e.Path);
        var watchers = Watches.Materialize(e.Type, path);
        if (watchers.Count == 0) return;
        var evt = new WatchedEvent(e.Type, e.State, path);
        Dispatcher.Post(() => Deliver(watchers, evt));
    }

    internal void OnWatchRemovalReply(Packet p, KeeperErrorCode err)
    {
        var removal = p.Removal!;
        List<(EventType Type, List<Action<WatchedEvent>> Watchers)> removed;
        try
        {
            removed = Watches.Remove(removal, err);
        }
        catch (KeeperException e)
        {
            Dispatcher.Fail(p, e);
            return;
        }
        var state = err == KeeperErrorCode.Ok ? KeeperState.SyncConnected : KeeperState.Disconnected;
        foreach (var (type, watchers) in removed)
        {
            if (watchers.Count == 0) continue;
            var evt = new WatchedEvent(type, state, removal.ClientPath);
            Dispatcher.Post(() => Deliver(watchers, evt));
        }
        Dispatcher.Complete(p, EmptyResponse.Instance);
    }

    private void Deliver(List<Action<WatchedEvent>> watchers, WatchedEvent evt)
    {
        foreach (var watcher in watchers)
        {
            try
            {
                watcher(evt);
            }
            catch (Exception e)
            {
                ClientLog.CallbackFailed(_log, e);
            }
        }
    }
}
