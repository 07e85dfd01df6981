// A loopback TCP proxy in front of a server, for faults a real network has: drop every connection (RST), refuse
// new ones, or go silent while keeping sockets open. Thread-safe; every pump runs on its own task.
using System.Net;
using System.Net.Sockets;

namespace Zk.TestSupport;

public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly List<(Socket Client, Socket Server)> _links = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private volatile bool _refusing;
    private TaskCompletionSource _flowing = Open();

    public TcpFaultProxy(string target)
    {
        var colon = target.LastIndexOf(':');
        _targetHost = target[..colon];
        _targetPort = int.Parse(target[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Endpoint => $"127.0.0.1:{Port}";

    public int AcceptedConnections { get; private set; }

    /// <summary>Resets every open connection; new ones are still accepted unless refusing.</summary>
    public void DropConnections()
    {
        List<(Socket Client, Socket Server)> links;
        lock (_links)
        {
            links = [.. _links];
            _links.Clear();
        }
        foreach (var (client, server) in links)
        {
            Abort(client);
            Abort(server);
        }
    }

    /// <summary>New connections are reset at once (as if nothing listened); existing ones are dropped.</summary>
    public void Refuse()
    {
        _refusing = true;
        DropConnections();
    }

    public void Accept() => _refusing = false;

    /// <summary>Stops forwarding bytes in both directions while keeping the sockets open (a silent network).</summary>
    public void Pause()
    {
        lock (_links)
        {
            if (_flowing.Task.IsCompleted) _flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Resume()
    {
        lock (_links) _flowing.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        DropConnections();
        Resume();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
            // Stopped on purpose.
        }
        _stop.Dispose();
    }

    private static TaskCompletionSource Open()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tcs.SetResult();
        return tcs;
    }

    private static void Abort(Socket s)
    {
        try
        {
            s.LingerState = new LingerOption(true, 0);
            s.Close();
        }
        catch (ObjectDisposedException)
        {
            // Already closed by its pump.
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            if (_refusing)
            {
                Abort(client);
                continue;
            }
            var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await server.ConnectAsync(_targetHost, _targetPort, _stop.Token);
            }
            catch (SocketException)
            {
                Abort(client);
                server.Dispose();
                continue;
            }
            client.NoDelay = true;
            lock (_links)
            {
                _links.Add((client, server));
                AcceptedConnections++;
            }
            _ = PumpAsync(client, server);
            _ = PumpAsync(server, client);
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (n == 0) break;
                Task gate;
                lock (_links) gate = _flowing.Task;
                await gate;
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None);
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // One side went away; the other pump notices on its own.
        }
    }
}
