// The server executable: `zkactors [path/to/zoo.cfg]`. With no argument it runs standalone on 127.0.0.1:2181 with
// its data in ./data. Exit codes: 0 after a clean stop, 2 for a bad configuration, 3 when the port is taken,
// 4 when the data directory cannot be recovered.
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Zk.Actors.Server;
using Zk.Host;
using Zk.Core.Storage;

// Socket completions run on the socket engine's epoll thread instead of being queued to the thread pool, one wake-up
// less per client read. Together with Kestrel's inline scheduling (ServerHost) a request's read loop, its session
// and data tree turns and, for a read, the reply's send all run on that thread (1.6-2x fewer µs of server CPU per
// op at 1x1, docs/BENCHMARKS.md). Safe because nothing in the server blocks in a socket continuation. Read once,
// before the first socket exists; an operator's own setting (e.g. 0) wins.
const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
if (Environment.GetEnvironmentVariable(InlineCompletions) is null) Environment.SetEnvironmentVariable(InlineCompletions, "1");

using var loggerFactory = LoggerFactory.Create(b => b
    .AddSimpleConsole(o =>
    {
        o.SingleLine = true;
        o.TimestampFormat = "yyyy-MM-dd HH:mm:ss,fff ";
    })
    .SetMinimumLevel(LogLevel.Information)
    .AddFilter("Microsoft", LogLevel.Warning));
var log = loggerFactory.CreateLogger("zkactors");

HostOptions options;
try
{
    options = HostConfiguration.Load(args.Length > 0 ? args[0] : null, log);
}
catch (HostConfigurationException e)
{
    await Console.Error.WriteLineAsync($"zkactors: invalid configuration: {e.Message}");
    return 2;
}

await using var host = new ServerHost(options, loggerFactory);
try
{
    await host.StartAsync();
}
catch (RecoveryException e)
{
    await Console.Error.WriteLineAsync($"zkactors: {e.Message}");
    return 4;
}
catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
{
    // The quorum or election port of an ensemble member (bound before the client port).
    await Console.Error.WriteLineAsync($"zkactors: cannot listen on the quorum or election port of server.{options.Node.ServerId}: {e.Message}");
    return 3;
}
catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
    || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
{
    await Console.Error.WriteLineAsync($"zkactors: cannot listen on {options.ClientAddress}:{options.ClientPort}: the port is already in use");
    return 3;
}

var stop = new TaskCompletionSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
{
    c.Cancel = true;
    stop.TrySetResult();
});
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c =>
{
    c.Cancel = true;
    stop.TrySetResult();
});
await stop.Task;
await host.StopAsync();
return 0;
