// The preparer's view of txns prepared but not yet applied (ZooKeeper's outstandingChanges): per path, the
// latest pending state of that node. Owned by one TxnPreparer; single-threaded.
using Zk.Protocol;

namespace Zk.Core.DataTree;

/// <summary>
/// A node's state as the pending txns leave it. Exists=false records a pending delete. ChildCount is the
/// number of children after pending creates and deletes; ChildCreations is the stored C used for sequence numbers.
/// </summary>
internal sealed record ChangeRecord(
    long Zxid,
    string Path,
    bool Exists,
    int Version,
    int Aversion,
    int ChildCreations,
    int ChildCount,
    long EphemeralOwner,
    IReadOnlyList<Acl> Acl)
{
    public static ChangeRecord Deleted(long zxid, string path) => new(zxid, path, false, 0, 0, 0, 0, 0, []);
}

// A savepoint lets a multi whose op k fails undo what ops 0..k-1 recorded, exactly.
internal sealed class PendingChanges
{
    private readonly Dictionary<string, ChangeRecord> _byPath = new(StringComparer.Ordinal);
    private readonly List<ChangeRecord> _inOrder = [];
    private readonly List<(string Path, ChangeRecord? Previous)> _undo = [];
    private int _head;
    private bool _savepoint;
    private int _savepointCount;

    public int Count => _inOrder.Count - _head;

    public bool TryGet(string path, out ChangeRecord record) => _byPath.TryGetValue(path, out record!);

    public void Add(ChangeRecord record)
    {
        if (_savepoint) _undo.Add((record.Path, _byPath.GetValueOrDefault(record.Path)));
        _byPath[record.Path] = record;
        _inOrder.Add(record);
    }

    /// <summary>Pending records oldest first, for closeSession's scan of in-flight ephemerals.</summary>
    public IEnumerable<ChangeRecord> InOrder()
    {
        for (var i = _head; i < _inOrder.Count; i++) yield return _inOrder[i];
    }

    public void BeginSavepoint()
    {
        _savepoint = true;
        _savepointCount = _inOrder.Count;
        _undo.Clear();
    }

    public void CommitSavepoint()
    {
        _savepoint = false;
        _undo.Clear();
    }

    /// <summary>Restores the exact state of BeginSavepoint: newest records first, previous values put back.</summary>
    public void RollbackSavepoint()
    {
        for (var i = _undo.Count - 1; i >= 0; i--)
        {
            var (path, previous) = _undo[i];
            if (previous is null) _byPath.Remove(path);
            else _byPath[path] = previous;
        }
        _inOrder.RemoveRange(_savepointCount, _inOrder.Count - _savepointCount);
        _savepoint = false;
        _undo.Clear();
    }

    /// <summary>Forgets records of txns up to zxid; the tree now shows their effect. A newer record for the same path stays.</summary>
    public void Applied(long zxid)
    {
        while (_head < _inOrder.Count && _inOrder[_head].Zxid <= zxid)
        {
            var record = _inOrder[_head];
            if (_byPath.TryGetValue(record.Path, out var current) && ReferenceEquals(current, record))
                _byPath.Remove(record.Path);
            _inOrder[_head++] = null!;
        }
        if (_head == _inOrder.Count)
        {
            _inOrder.Clear();
            _head = 0;
        }
        else if (_head > 1024 && _head * 2 > _inOrder.Count)
        {
            _inOrder.RemoveRange(0, _head);
            _head = 0;
        }
    }

    public void Clear()
    {
        _byPath.Clear();
        _inOrder.Clear();
        _undo.Clear();
        _head = 0;
        _savepoint = false;
    }
}
