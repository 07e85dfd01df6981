// Chooses the next server to try, as ZooKeeper's StaticHostProvider does: the list is shuffled once, then walked
// round-robin; after a full cycle without a successful connect the caller pauses. Used only by the session loop.
namespace Zk.Client.Internal;

internal sealed class HostProvider
{
    private readonly HostEndpoint[] _hosts;
    private int _current = -1;
    private int _lastConnected = -1;

    public HostProvider(IReadOnlyList<HostEndpoint> hosts, Random random)
    {
        _hosts = [.. hosts];
        random.Shuffle(_hosts);
    }

    public int Count => _hosts.Length;

    /// <summary>The next host, and whether the walk is back where the last successful connect was.</summary>
    public (HostEndpoint Host, bool CycleCompleted) Next()
    {
        _current = (_current + 1) % _hosts.Length;
        var cycled = _current == _lastConnected;
        // Before any success the first host of the shuffled list marks the start of a cycle.
        if (_lastConnected < 0) _lastConnected = 0;
        return (_hosts[_current], cycled);
    }

    public void OnConnected() => _lastConnected = _current;
}
