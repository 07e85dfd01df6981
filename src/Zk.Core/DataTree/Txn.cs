// The transaction model: every change to the tree is one Txn with a zxid, prepared by TxnPreparer on the
// leader and applied by DataTree.Apply on every replica. Immutable records, safe to share between threads.
using Zk.Protocol;

namespace Zk.Core.DataTree;

/// <summary>
/// The persisted kind of a txn body. Frozen: these numbers are in the journal and in snapshots. They reuse
/// ZooKeeper's op numbers so a log reads the same as ZooKeeper's.
/// </summary>
public enum TxnType
{
    Error = -1,
    Create = 1,
    Delete = 2,
    SetData = 5,
    SetAcl = 7,
    Check = 13,
    Multi = 14,
    CreateContainer = 19,
    DeleteContainer = 20,
    CreateTtl = 21,
    CreateSession = -10,
    CloseSession = -11,
}

/// <summary>TimeMs is stamped by the leader; replicas never read their own clock to apply a txn.</summary>
public sealed record Txn(long SessionId, int Cxid, long Zxid, long TimeMs, TxnBody Body)
{
    public TxnType Type => Body.Type;
}

// Bodies carry resulting values (versions, the parent's creation count), never deltas, so that applying a
// txn to a fuzzy snapshot that may already reflect it converges to the same tree.
public abstract record TxnBody
{
    public abstract TxnType Type { get; }
}

/// <summary>
/// Path is final (sequence suffix included). Mode is the effective node kind: Container for createContainer,
/// a TTL mode for createTTL, otherwise what the flags said. ParentCreations is the parent's stored child
/// creation count C after this create (what ZooKeeper calls parentCVersion), so replay sets it absolutely.
/// </summary>
public sealed record CreateTxn(
    string Path,
    byte[]? Data,
    IReadOnlyList<Acl> Acl,
    CreateMode Mode,
    long Ttl,
    int ParentCreations) : TxnBody
{
    public override TxnType Type => Mode switch
    {
        CreateMode.Container => TxnType.CreateContainer,
        CreateMode.PersistentWithTtl or CreateMode.PersistentSequentialWithTtl => TxnType.CreateTtl,
        _ => TxnType.Create,
    };
}

public sealed record DeleteTxn(string Path) : TxnBody
{
    public override TxnType Type => TxnType.Delete;
}

/// <summary>Issued by the container/TTL reaper; applied exactly like a delete.</summary>
public sealed record DeleteContainerTxn(string Path) : TxnBody
{
    public override TxnType Type => TxnType.DeleteContainer;
}

/// <summary>Version is the node's version after the change.</summary>
public sealed record SetDataTxn(string Path, byte[]? Data, int Version) : TxnBody
{
    public override TxnType Type => TxnType.SetData;
}

/// <summary>Aversion is the node's ACL version after the change.</summary>
public sealed record SetAclTxn(string Path, IReadOnlyList<Acl> Acl, int Aversion) : TxnBody
{
    public override TxnType Type => TxnType.SetAcl;
}

/// <summary>Only inside a multi; changes nothing. Version is the version that was checked.</summary>
public sealed record CheckTxn(string Path, int Version) : TxnBody
{
    public override TxnType Type => TxnType.Check;
}

/// <summary>
/// All ops share the txn's zxid. A failed multi is a MultiTxn whose every op is an ErrorTxn: 0 for the ops
/// before the failing one, its code, then RuntimeInconsistency; applying it changes nothing.
/// </summary>
public sealed record MultiTxn(IReadOnlyList<TxnBody> Ops) : TxnBody
{
    public override TxnType Type => TxnType.Multi;

    public bool Failed
    {
        get
        {
            foreach (var op in Ops)
                if (op is ErrorTxn) return true;
            return false;
        }
    }
}

/// <summary>A request that failed validation; it still consumes its zxid.</summary>
public sealed record ErrorTxn(KeeperErrorCode Code) : TxnBody
{
    public override TxnType Type => TxnType.Error;
}

/// <summary>The session id is the txn's SessionId. Password is the 16 bytes the client must present to resume.</summary>
public sealed record CreateSessionTxn(int TimeoutMs, byte[] Password) : TxnBody
{
    public override TxnType Type => TxnType.CreateSession;
}

/// <summary>
/// PathsToDelete are the session's ephemerals as the leader saw them at prepare time, including ephemerals
/// still in flight, sorted ordinally so that every replica and every replay deletes the same set in the same order.
/// </summary>
public sealed record CloseSessionTxn(IReadOnlyList<string> PathsToDelete) : TxnBody
{
    public override TxnType Type => TxnType.CloseSession;
}
