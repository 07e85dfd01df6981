// Loads a snapshot written by TreeSnapshotWriter into a new DataTree. Pure; the new tree is the caller's.
// Its LastProcessedZxid is the snapshot's start: replaying every later logged txn makes it exact.
using Zk.Core.DataTree.Snapshot;
using Zk.Protocol;
using Zk.Protocol.Jute;

namespace Zk.Core.DataTree;

public sealed partial class DataTree
{
    /// <summary>Throws InvalidDataException (or MalformedFrameException on truncation) for anything but a well-formed snapshot.</summary>
    public static DataTree Load(ReadOnlySpan<byte> snapshot, DataTreeOptions? options = null)
    {
        var r = new JuteReader(snapshot);
        if (r.ReadInt() != TreeSnapshotWriter.Magic) throw new InvalidDataException("not a data tree snapshot (bad magic)");
        var version = r.ReadInt();
        if (version != TreeSnapshotWriter.FormatVersion) throw new InvalidDataException($"unsupported snapshot format version {version}");
        var tree = new DataTree(options ?? DataTreeOptions.Default, rootOnly: true);
        var startZxid = r.ReadLong();
        tree.LoadSessions(ref r);
        var nodes = tree.LoadNodes(ref r);
        if (r.ReadInt() != nodes) throw new InvalidDataException($"snapshot ends after {nodes} nodes but announces a different count");
        if (!r.End) throw new InvalidDataException($"{r.Remaining} bytes after the snapshot's end marker");
        if (tree.Find("/zookeeper") is null) throw new InvalidDataException("snapshot lacks /zookeeper");
        tree._lastProcessedZxid = startZxid;
        // A fuzzy snapshot may have caught a stats node and its subtree at different moments: recount, as ZooKeeper does.
        tree.RebuildQuotas();
        tree.RebuildDerivedState();
        return tree;
    }

    private void LoadSessions(ref JuteReader r)
    {
        var count = r.ReadInt();
        if (count < 0) throw new InvalidDataException($"negative session count {count}");
        for (var i = 0; i < count; i++)
        {
            var sid = r.ReadLong();
            var timeout = r.ReadInt();
            var password = r.ReadBuffer() ?? throw new InvalidDataException($"session 0x{sid:x} has no password");
            if (!_sessions.TryAdd(sid, new SessionInfo(sid, timeout, password)))
                throw new InvalidDataException($"session 0x{sid:x} appears twice");
        }
    }

    private int LoadNodes(ref JuteReader r)
    {
        var acls = new List<Acl[]>();
        var nodes = 0;
        var sawRoot = false;
        while (true)
        {
            var tag = r.ReadInt();
            switch (tag)
            {
                case TreeSnapshotWriter.TagEnd:
                    if (!sawRoot) throw new InvalidDataException("snapshot has no root node");
                    return nodes;
                case TreeSnapshotWriter.TagAcl:
                    if (r.ReadInt() != acls.Count) throw new InvalidDataException("ACL lists out of order");
                    acls.Add(TxnCodec.ReadAcls(ref r));
                    break;
                case TreeSnapshotWriter.TagNode:
                    sawRoot |= LoadNode(ref r, acls, first: nodes == 0);
                    nodes++;
                    break;
                default:
                    throw new InvalidDataException($"unknown snapshot record tag {tag}");
            }
        }
    }

    /// <summary>Returns true for the root record, which must come first and overwrites the empty root.</summary>
    private bool LoadNode(ref JuteReader r, List<Acl[]> acls, bool first)
    {
        var path = r.ReadString() ?? throw new InvalidDataException("node without a path");
        var data = r.ReadBuffer();
        var aclIndex = r.ReadInt();
        if ((uint)aclIndex >= (uint)acls.Count) throw new InvalidDataException($"{path}: unknown ACL list {aclIndex}");
        var isRoot = path == TreePath.Root;
        if (isRoot != first) throw new InvalidDataException($"{path}: the root must be the first node, and only the first");
        var (czxid, mzxid, pzxid) = (r.ReadLong(), r.ReadLong(), r.ReadLong());
        var (ctime, mtime, owner) = (r.ReadLong(), r.ReadLong(), r.ReadLong());
        var (version, aversion, creations) = (r.ReadInt(), r.ReadInt(), r.ReadInt());
        DataNode node;
        if (isRoot)
        {
            if (owner != 0) throw new InvalidDataException("the root cannot have an ephemeral owner");
            node = _root;
            _acls.Release(node.Acl);
            node.Data = data;
            node.Acl = _acls.Acquire(acls[aclIndex]);
        }
        else
        {
            var parent = path.LastIndexOf('/') < 0 ? null : Find(TreePath.ParentSpan(path));
            if (parent is null) throw new InvalidDataException($"{path}: parent not in the snapshot before it");
            var name = TreePath.ChildName(path);
            if (name.Length == 0 || parent.GetChild(name) is not null) throw new InvalidDataException($"{path}: bad or duplicate node");
            node = DataNode.Create(name, data, _acls.Acquire(acls[aclIndex]), owner);
            parent.AddChild(node);
        }
        // Czxid before Pzxid: a pzxid equal to the czxid is the default and needs no NodeExtras.
        (node.Czxid, node.Mzxid, node.Ctime, node.Mtime) = (czxid, mzxid, ctime, mtime);
        node.Pzxid = pzxid;
        (node.Version, node.Aversion, node.ChildCreations) = (version, aversion, creations);
        return isRoot;
    }
}
