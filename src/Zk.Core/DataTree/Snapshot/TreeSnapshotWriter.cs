// Writes a fuzzy snapshot of a DataTree in chunks, so the owner can keep applying txns between chunks.
// Runs on the tree's owner (it reads the live tree); not thread-safe.
//
// The content is deterministic for a given tree history and chunk/apply interleaving; the journal's snapshot
// store wraps it with its checksum. Format (version 1), jute primitives:
//   int magic 'ZKTS', int version, long startZxid (LastProcessedZxid when the writer was created),
//   int sessionCount, sessionCount × (long id, int timeoutMs, buffer password),
//   records: int tag 1 = ACL list (int index, vector<ACL>) | 2 = node (ustring path, buffer data, int aclIndex,
//   long czxid, mzxid, pzxid, ctime, mtime, ephemeralOwner, int version, aversion, childCreations),
//   then int tag 0, int nodeCount.
// Nodes come in pre-order (a parent before its children). Each node is written with its state when it is
// reached; children created after their parent was written are not included: replaying every txn after
// startZxid re-creates them (see DataTree.Apply.cs for why that replay converges).
using Zk.Protocol.Jute;

namespace Zk.Core.DataTree.Snapshot;

public sealed class TreeSnapshotWriter
{
    public const int Magic = 0x5A4B5453; // "ZKTS"
    public const int FormatVersion = 1;
    internal const int TagEnd = 0;
    internal const int TagAcl = 1;
    internal const int TagNode = 2;

    private readonly DataTree _tree;
    private readonly Dictionary<AclList, int> _aclIndex = new(ReferenceEqualityComparer.Instance);
    private readonly Stack<Frame> _stack = new();
    private bool _started;
    private bool _done;
    private int _nodes;

    public TreeSnapshotWriter(DataTree tree)
    {
        _tree = tree;
        StartZxid = tree.LastProcessedZxid;
    }

    /// <summary>Loading this snapshot must be followed by replaying every txn with a larger zxid.</summary>
    public long StartZxid { get; }

    public int NodesWritten => _nodes;

    /// <summary>
    /// Appends up to maxNodes nodes (the header and the session table come with the first call). Returns true
    /// once the end marker has been written; further calls write nothing.
    /// </summary>
    public bool WriteSome(JuteWriter w, int maxNodes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxNodes);
        if (_done) return true;
        if (!_started)
        {
            _started = true;
            WriteHeader(w);
            _stack.Push(new Frame(TreePath.Root, [""]));
        }
        var written = 0;
        while (written < maxNodes && _stack.Count > 0)
        {
            var frame = _stack.Peek();
            if (frame.Next == frame.Names.Length)
            {
                _stack.Pop();
                continue;
            }
            var name = frame.Names[frame.Next++];
            var path = name.Length == 0 ? TreePath.Root : TreePath.Combine(frame.ParentPath, name);
            // Looked up again now: the node may have gone (or been re-created) since its parent was written.
            var node = _tree.Find(path);
            if (node is null) continue;
            WriteNode(w, path, node);
            written++;
            if (node.ChildCount > 0) _stack.Push(new Frame(path, node.ChildNames()));
        }
        if (_stack.Count > 0) return false;
        w.WriteInt(TagEnd);
        w.WriteInt(_nodes);
        _done = true;
        return true;
    }

    private void WriteHeader(JuteWriter w)
    {
        w.WriteInt(Magic);
        w.WriteInt(FormatVersion);
        w.WriteLong(StartZxid);
        var sessions = _tree.SessionIds.Order().ToArray();
        w.WriteInt(sessions.Length);
        foreach (var sid in sessions)
        {
            _tree.TryGetSession(sid, out var s);
            w.WriteLong(s.SessionId);
            w.WriteInt(s.TimeoutMs);
            w.WriteBuffer(s.Password);
        }
    }

    private void WriteNode(JuteWriter w, string path, DataNode node)
    {
        if (!_aclIndex.TryGetValue(node.Acl, out var aclIndex))
        {
            aclIndex = _aclIndex.Count;
            _aclIndex.Add(node.Acl, aclIndex);
            w.WriteInt(TagAcl);
            w.WriteInt(aclIndex);
            TxnCodec.WriteAcls(w, node.Acl);
        }
        w.WriteInt(TagNode);
        w.WriteString(path);
        w.WriteBuffer(node.Data);
        w.WriteInt(aclIndex);
        w.WriteLong(node.Czxid);
        w.WriteLong(node.Mzxid);
        w.WriteLong(node.Pzxid);
        w.WriteLong(node.Ctime);
        w.WriteLong(node.Mtime);
        w.WriteLong(node.EphemeralOwner);
        w.WriteInt(node.Version);
        w.WriteInt(node.Aversion);
        w.WriteInt(node.ChildCreations);
        _nodes++;
    }

    private sealed class Frame(string parentPath, string[] names)
    {
        public string ParentPath { get; } = parentPath;
        public string[] Names { get; } = names;
        public int Next { get; set; }
    }
}
