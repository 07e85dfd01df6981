// A ZooKeeper-protocol server the suite runs against, whatever it is: Apache ZooKeeper started here, another
// server started as a process, or one already running. Owned by one fixture; disposed once.
namespace Zk.Client.Tests.Infrastructure;

public interface ITestServer : IAsyncDisposable
{
    /// <summary>"apache", "zkactors", "external", …: shown in failures.</summary>
    string Name { get; }

    /// <summary>host:port, without a chroot.</summary>
    string ConnectString { get; }

    /// <summary>
    /// The server's tickTime: session expiry is detected at this granularity, so tests that wait for expiry
    /// ask for short sessions and allow a few ticks.
    /// </summary>
    TimeSpan TickTime { get; }

    /// <summary>Whether TTL nodes are enabled (zookeeper.extendedTypesEnabled).</summary>
    bool SupportsTtl { get; }

    /// <summary>How often the container/TTL reaper runs, or null when it is too slow for a test to wait on.</summary>
    TimeSpan? ReaperInterval { get; }
}
