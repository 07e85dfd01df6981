// The replicated state (znodes, sessions, derived indexes, an incremental digest), changed only by Apply(txn)
// in increasing zxid order. Pure and single-threaded: owned by one actor, never read concurrently.
using System.Diagnostics;
using Zk.Core.DataTree.Auth;
using Zk.Protocol;

namespace Zk.Core.DataTree;

/// <summary>A session as the replicated table records it; timeouts are the negotiated ones.</summary>
public sealed record SessionInfo(long SessionId, int TimeoutMs, byte[] Password);

// Partial files: this one (structure, lookup, counters, digest), DataTree.Apply.cs, DataTree.Read.cs and
// Snapshot/TreeSnapshotReader.cs (loading). The same log gives the same tree and digest on every replica.
public sealed partial class DataTree
{
    private readonly DataTreeOptions _options;
    private readonly AclPolicy _aclPolicy;
    private readonly AclCache _acls = new();
    private readonly DataNode _root;
    private readonly Dictionary<long, SessionInfo> _sessions = [];
    private readonly Dictionary<long, HashSet<string>> _ephemerals = [];
    private readonly HashSet<string> _containers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ttls = new(StringComparer.Ordinal);

    private long _lastProcessedZxid;
    private ulong _digest;
    private int _nodeCount;
    private int _ephemeralCount;
    private long _dataSize;

    /// <summary>A fresh tree: /, /zookeeper, /zookeeper/quota and /zookeeper/config with reference §5's stats.</summary>
    public DataTree(DataTreeOptions? options = null)
        : this(options ?? DataTreeOptions.Default, rootOnly: false)
    {
    }

    private DataTree(DataTreeOptions options, bool rootOnly)
    {
        _options = options;
        _aclPolicy = options.CreateAclPolicy();
        _root = DataNode.Create("", [], _acls.Acquire(Acl.OpenAclUnsafe), 0);
        if (!rootOnly)
        {
            var zookeeper = AttachFresh(_root, "zookeeper", [], Acl.OpenAclUnsafe);
            AttachFresh(zookeeper, "quota", [], Acl.OpenAclUnsafe);
            var config = AttachFresh(zookeeper, "config", options.ConfigData, Acl.ReadAclUnsafe);
            // ZooKeeper installs the config ACL with setACL(version -1), which stores -1 as the aversion.
            config.Aversion = -1;
        }
        RebuildDerivedState();
    }

    public DataTreeOptions Options => _options;

    public AclPolicy AclPolicy => _aclPolicy;

    /// <summary>The zxid of the last applied txn; only grows.</summary>
    public long LastProcessedZxid => _lastProcessedZxid;

    /// <summary>Real znodes, each counted once (a fresh tree has 4).</summary>
    public int NodeCount => _nodeCount;

    /// <summary>ZooKeeper's "Node count" (srvr, znode_count), which counts / twice (a fresh server shows 5).</summary>
    public int ZkNodeCount => _nodeCount + 1;

    /// <summary>ZooKeeper's approximate_data_size: the sum of path lengths and data lengths over all nodes.</summary>
    public long ApproximateDataSize => _dataSize;

    public int EphemeralCount => _ephemeralCount;

    public int SessionCount => _sessions.Count;

    /// <summary>Distinct ACL lists in use.</summary>
    public int AclCount => _acls.Count;

    /// <summary>
    /// Order-independent digest of every node (path, data, stored stat, ACL) and session, kept up to date by
    /// every Apply. Equal digests after the same zxid mean equal trees, with overwhelming probability.
    /// </summary>
    public ulong Digest => _digest;

    /// <summary>
    /// Txn effects that could not apply as written (NodeExists on create, NoNode on delete/setData, a non-empty
    /// delete). Expected only while replaying the log over a fuzzy snapshot; zero in normal operation.
    /// </summary>
    public long ReplayAnomalies { get; private set; }

    public IReadOnlyCollection<long> SessionIds => _sessions.Keys;

    public bool TryGetSession(long sessionId, out SessionInfo session) => _sessions.TryGetValue(sessionId, out session!);

    public bool HasSession(long sessionId) => _sessions.ContainsKey(sessionId);

    public bool Exists(string path) => Find(path) is not null;

    public bool TryGetStat(string path, out Stat stat)
    {
        var n = Find(path);
        stat = n?.ToStat(_options.ExtendedTypesEnabled) ?? default;
        return n is not null;
    }

    /// <summary>The session's ephemeral paths, sorted ordinally (empty when it has none).</summary>
    public IReadOnlyList<string> GetEphemerals(long sessionId)
    {
        if (!_ephemerals.TryGetValue(sessionId, out var set)) return [];
        var list = set.ToArray();
        Array.Sort(list, StringComparer.Ordinal);
        return list;
    }

    /// <summary>Every session that owns ephemerals, for the dump four-letter word; sorted by session id.</summary>
    public IReadOnlyList<(long SessionId, IReadOnlyList<string> Paths)> EphemeralsBySession() =>
        _ephemerals.Keys.Order().Select(sid => (sid, GetEphemerals(sid))).ToList();

    /// <summary>
    /// Looks a path up by walking its segments from the root. "" is the root, as in ZooKeeper's node map;
    /// anything else not shaped like a path ("a", "/a/", "//a") is simply not found.
    /// </summary>
    internal DataNode? Find(ReadOnlySpan<char> path)
    {
        if (path.Length == 0) return _root;
        if (path[0] != '/') return null;
        var node = _root;
        var rest = path[1..];
        if (rest.Length == 0) return node;
        while (true)
        {
            var slash = rest.IndexOf('/');
            var segment = slash < 0 ? rest : rest[..slash];
            if (segment.Length == 0) return null;
            node = node.GetChild(segment);
            if (node is null || slash < 0) return node;
            rest = rest[(slash + 1)..];
        }
    }

    internal DataNode Root => _root;

    /// <summary>Recomputes the digest from scratch by walking every node; slow, for tests and checks.</summary>
    public ulong ComputeDigest()
    {
        ulong digest = 0;
        foreach (var (path, node) in Walk()) digest += NodeDigest(TreeHash.Path(path), node);
        foreach (var s in _sessions.Values) digest += SessionDigest(s);
        return digest;
    }

    /// <summary>Every node with its full path, parents before children.</summary>
    internal IEnumerable<(string Path, DataNode Node)> Walk()
    {
        var stack = new Stack<(string, DataNode)>();
        stack.Push((TreePath.Root, _root));
        while (stack.Count > 0)
        {
            var (path, node) = stack.Pop();
            yield return (path, node);
            foreach (var child in node.Children) stack.Push((TreePath.Combine(path, child.Name), child));
        }
    }

    // A node's digest is split in two parts so a parent's stat can change (child created or deleted) without
    // rehashing its data: StatPart covers the stored stat, child count and ACL; DataPart covers the data.
    private static ulong StatPart(ulong pathHash, DataNode n)
    {
        var h = TreeHash.Mix(pathHash, (ulong)n.Czxid);
        h = TreeHash.Mix(h, (ulong)n.Mzxid);
        h = TreeHash.Mix(h, (ulong)n.Pzxid);
        h = TreeHash.Mix(h, (ulong)n.Ctime);
        h = TreeHash.Mix(h, (ulong)n.Mtime);
        h = TreeHash.Mix(h, (ulong)n.EphemeralOwner);
        h = TreeHash.Mix(h, (uint)n.Version | ((ulong)(uint)n.Aversion << 32));
        h = TreeHash.Mix(h, (uint)n.ChildCreations | ((ulong)(uint)n.ChildCount << 32));
        h = TreeHash.Mix(h, n.Acl.ContentHash);
        return TreeHash.Final(h);
    }

    private static ulong DataPart(ulong pathHash, byte[]? data) =>
        TreeHash.Final(TreeHash.Mix(pathHash ^ 0xD47A_D47A_D47A_D47AUL, TreeHash.Data(data)));

    private static ulong NodeDigest(ulong pathHash, DataNode n) => StatPart(pathHash, n) + DataPart(pathHash, n.Data);

    private static ulong SessionDigest(SessionInfo s)
    {
        var h = TreeHash.Mix(0x5E55_1095_5E55_1095UL, (ulong)s.SessionId);
        h = TreeHash.Mix(h, (ulong)s.TimeoutMs);
        h = TreeHash.Mix(h, TreeHash.Bytes(s.Password, TreeHash.DataSeed));
        return TreeHash.Final(h);
    }

    private DataNode AttachFresh(DataNode parent, string name, byte[]? data, IReadOnlyList<Acl> acl)
    {
        var node = DataNode.Create(name, data, _acls.Acquire(acl), 0);
        parent.AddChild(node);
        return node;
    }

    /// <summary>Recomputes digest, counters and the ephemeral/container/TTL indexes from the nodes and sessions.</summary>
    private void RebuildDerivedState()
    {
        _digest = 0;
        _nodeCount = 0;
        _dataSize = 0;
        _ephemeralCount = 0;
        _ephemerals.Clear();
        _containers.Clear();
        _ttls.Clear();
        foreach (var (path, node) in Walk())
        {
            _digest += NodeDigest(TreeHash.Path(path), node);
            _nodeCount++;
            _dataSize += path.Length + node.DataLength;
            Index(path, node.EphemeralOwner);
        }
        foreach (var s in _sessions.Values) _digest += SessionDigest(s);
    }

    private void Index(string path, long owner)
    {
        switch (NodeKinds.Classify(owner, _options.ExtendedTypesEnabled))
        {
            case NodeKind.Ephemeral:
                if (!_ephemerals.TryGetValue(owner, out var set))
                    _ephemerals[owner] = set = new HashSet<string>(StringComparer.Ordinal);
                if (set.Add(path)) _ephemeralCount++;
                break;
            case NodeKind.Container:
                _containers.Add(path);
                break;
            case NodeKind.Ttl:
                _ttls.Add(path);
                break;
        }
    }

    private void Unindex(string path, long owner)
    {
        switch (NodeKinds.Classify(owner, _options.ExtendedTypesEnabled))
        {
            case NodeKind.Ephemeral:
                if (_ephemerals.TryGetValue(owner, out var set) && set.Remove(path))
                {
                    _ephemeralCount--;
                    if (set.Count == 0) _ephemerals.Remove(owner);
                }
                break;
            case NodeKind.Container:
                _containers.Remove(path);
                break;
            case NodeKind.Ttl:
                _ttls.Remove(path);
                break;
        }
    }

    /// <summary>
    /// Paths the container/TTL reaper should try to delete (reference §8): containers with no children that
    /// once had one (C &gt; 0), or that never had one and are older than maxNeverUsedIntervalMs when that is
    /// positive; TTL nodes with no children whose nowMs − mtime exceeds their ttl. Sorted ordinally.
    /// </summary>
    public void GetReapCandidates(long nowMs, long maxNeverUsedIntervalMs, List<string> output)
    {
        var start = output.Count;
        foreach (var path in _containers)
        {
            var n = Find(path);
            Debug.Assert(n is not null, "container index points at a missing node");
            if (n is null || n.ChildCount > 0) continue;
            if (n.ChildCreations > 0 || (maxNeverUsedIntervalMs > 0 && nowMs - n.Mtime > maxNeverUsedIntervalMs))
                output.Add(path);
        }
        foreach (var path in _ttls)
        {
            var n = Find(path);
            Debug.Assert(n is not null, "TTL index points at a missing node");
            if (n is null || n.ChildCount > 0) continue;
            var ttl = NodeKinds.TtlOf(n.EphemeralOwner);
            if (ttl != 0 && nowMs - n.Mtime > ttl) output.Add(path);
        }
        output.Sort(start, output.Count - start, StringComparer.Ordinal);
    }
}
