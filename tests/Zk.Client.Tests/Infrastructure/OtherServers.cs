// A server that is already running somewhere (ZK_TEST_SERVER=external, ZK_TEST_CONNECT=host:port). Nothing is
// started or stopped here.
namespace Zk.Client.Tests.Infrastructure;

public sealed class ExternalServer(string connectString) : ITestServer
{
    public string Name => "external";

    public string ConnectString { get; } = connectString;

    // Unknown: ZooKeeper's sample defaults (tickTime 2000, TTL off, reaper every minute) unless told otherwise.
    public TimeSpan TickTime { get; } = TimeSpan.FromMilliseconds(
        int.TryParse(Environment.GetEnvironmentVariable("ZK_TEST_TICK_MS"), out var ms) ? ms : 2000);

    public bool SupportsTtl { get; } = Environment.GetEnvironmentVariable("ZK_TEST_TTL") == "1";

    public TimeSpan? ReaperInterval { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("ZK_TEST_REAPER_MS"), out var reaper) ? TimeSpan.FromMilliseconds(reaper) : null;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
