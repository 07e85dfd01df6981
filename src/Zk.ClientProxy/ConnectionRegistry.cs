// The live client connections of this server: admission by maxClientCnxns per IP, and the list behind the
// cons/stat four-letter words. Thread-safe (connection loops add and remove concurrently).
using System.Collections.Concurrent;
using Zk.Actors.Sessions;
using Zk.Core.Sessions;

namespace Zk.ClientProxy;

public sealed class ConnectionRegistry(int maxPerIp)
{
    private readonly ConcurrentDictionary<long, IClientConnection> _connections = new();
    private readonly ConcurrentDictionary<string, int> _perIp = new(StringComparer.Ordinal);
    private long _nextId;

    public int Count => _connections.Count;

    public IEnumerable<IClientConnection> All => _connections.Values.OrderBy(c => c.ConnectionId);

    public long NextId() => Interlocked.Increment(ref _nextId);

    /// <summary>Counts a new connection from <paramref name="ip"/>; false when that IP is at its limit.</summary>
    public bool TryAdmit(string ip)
    {
        while (true)
        {
            var n = _perIp.GetOrAdd(ip, 0);
            if (maxPerIp > 0 && n >= maxPerIp) return false;
            if (_perIp.TryUpdate(ip, n + 1, n)) return true;
        }
    }

    public void Release(string ip)
    {
        while (true)
        {
            if (!_perIp.TryGetValue(ip, out var n)) return;
            if (n <= 1 ? _perIp.TryRemove(new KeyValuePair<string, int>(ip, n)) : _perIp.TryUpdate(ip, n - 1, n)) return;
        }
    }

    public void Add(IClientConnection c) => _connections[c.ConnectionId] = c;

    public void Remove(IClientConnection c) => _connections.TryRemove(c.ConnectionId, out _);

    public void ResetStats()
    {
        foreach (var c in _connections.Values) c.Stats.Reset();
    }
}
