// Settings of one ZooKeeperClient. Read once when the client is built; do not change them afterwards.
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Zk.Protocol.Framing;

namespace Zk.Client;

public sealed class ZooKeeperClientOptions
{
    public ZooKeeperClientOptions(string connectString) => ConnectString = connectString;

    /// <summary>"host:port,host:port/chroot".</summary>
    public string ConnectString { get; set; }

    /// <summary>Asked of the server, which clamps it to [minSessionTimeout, maxSessionTimeout].</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one call may wait for its reply before failing with RequestTimeoutException (the request may
    /// still be applied). Infinite by default, as in ZooKeeper; the CancellationToken of each call also applies.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = Timeout.InfiniteTimeSpan;

    /// <summary>jute.maxbuffer: a reply frame larger than this drops the connection (ConnectionLoss).</summary>
    public int MaxFrameBytes { get; set; } = FrameDecoder.DefaultMaxFrameBytes;

    /// <summary>Accept a read-only server (the readOnly flag of the ConnectRequest).</summary>
    public bool CanBeReadOnly { get; set; }

    /// <summary>Upper bound of the random pause before each reconnect attempt (ZooKeeper uses up to 1 s).</summary>
    public TimeSpan ReconnectDelayMax { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Pause after every host of the list has been tried without success.</summary>
    public TimeSpan HostListSpinDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Do not re-register watches with SetWatches after a reconnect (zookeeper.disableAutoWatchReset).</summary>
    public bool DisableAutoWatchReset { get; set; }

    /// <summary>Receives the events of calls made with watch: true, and every session state event.</summary>
    public Action<WatchedEvent>? DefaultWatcher { get; set; }

    /// <summary>Seeds the host order and reconnect jitter; a fixed seed makes both reproducible.</summary>
    public Random? Random { get; set; }

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Opens the TCP socket for an endpoint; tests replace it to inject faults.</summary>
    public Func<HostEndpoint, CancellationToken, ValueTask<Socket>>? SocketFactory { get; set; }
}
