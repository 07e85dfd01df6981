// Test harness: a DataTree with its TxnPreparer, driven like the leader pipeline would (prepare with the next
// zxid, apply, then tell the preparer). Sessions S1 and S2 exist from the start.
using Zk.Protocol;
using Zk.Protocol.Records;
using Tree = Zk.Core.DataTree.DataTree;
using Zk.Core.DataTree;
using Zk.Core.DataTree.Auth;

namespace Zk.Core.Testing;

public sealed class TreeHarness
{
    public const long S1 = 0x0100_0000_0000_0001;
    public const long S2 = 0x0100_0000_0000_0002;

    public TreeHarness(DataTreeOptions? options = null, bool withSessions = true)
    {
        Tree = new Tree(options);
        Preparer = new TxnPreparer(Tree);
        if (!withSessions) return;
        CreateSession(S1);
        CreateSession(S2);
    }

    public Tree Tree { get; }

    public TxnPreparer Preparer { get; }

    public long Zxid { get; private set; }

    public long TimeMs { get; set; } = 1_700_000_000_000;

    public List<TreeChange> Changes { get; } = [];

    public long NextZxid => Zxid + 1;

    public Txn Prepare(OpCode op, Request body, long session = S1, AuthContext? auth = null)
    {
        Zxid++;
        TimeMs += 7;
        return Preparer.Prepare(new PrepareContext(session, (int)Zxid, Zxid, TimeMs, auth ?? AuthContext.Anonymous), op, body);
    }

    public ApplyResult Apply(Txn txn)
    {
        Changes.Clear();
        var r = Tree.Apply(txn, Changes);
        Preparer.Applied(txn.Zxid);
        return r;
    }

    /// <summary>Applies a hand-made body at the next zxid, as a replayed or foreign txn would arrive.</summary>
    public ApplyResult ApplyBody(TxnBody body, long session = S1)
    {
        Zxid++;
        return Apply(new Txn(session, 0, Zxid, TimeMs, body));
    }

    public ApplyResult Run(OpCode op, Request body, long session = S1, AuthContext? auth = null) =>
        Apply(Prepare(op, body, session, auth));

    public KeeperErrorCode Err(OpCode op, Request body, long session = S1, AuthContext? auth = null) =>
        Run(op, body, session, auth).Err;

    public void CreateSession(long sid, int timeoutMs = 30_000) =>
        Run(OpCode.CreateSession, new CreateSessionRequest(timeoutMs, Password(sid)), sid);

    public static byte[] Password(long sid)
    {
        var p = new byte[16];
        BitConverter.TryWriteBytes(p, sid);
        return p;
    }

    public ApplyResult Create(string path, byte[]? data = null, CreateMode mode = CreateMode.Persistent,
        IReadOnlyList<Acl>? acl = null, long session = S1, AuthContext? auth = null) =>
        Run(OpCode.Create2, new CreateRequest(path, data, acl ?? Acl.OpenAclUnsafe, (int)mode), session, auth);

    public string CreatePath(string path, byte[]? data = null, CreateMode mode = CreateMode.Persistent, long session = S1)
    {
        var r = Create(path, data, mode, session: session);
        Assert.Equal(KeeperErrorCode.Ok, r.Err);
        return r.Path!;
    }

    public KeeperErrorCode Delete(string path, int version = -1, long session = S1, AuthContext? auth = null) =>
        Err(OpCode.Delete, new DeleteRequest(path, version), session, auth);

    public ApplyResult SetData(string path, byte[]? data, int version = -1, long session = S1, AuthContext? auth = null) =>
        Run(OpCode.SetData, new SetDataRequest(path, data, version), session, auth);

    public ApplyResult CloseSession(long sid) => Run(OpCode.CloseSession, EmptyRequest.Instance, sid);

    public Stat Stat(string path)
    {
        Assert.True(Tree.TryGetStat(path, out var s), $"{path} should exist");
        return s;
    }

    public ReadResult Read(OpCode op, Request body, AuthContext? auth = null, long session = S1) =>
        Tree.Read(op, body, auth ?? AuthContext.Anonymous, session);

    public static AuthContext Digest(string user, string password) =>
        AuthContext.From([new Id("digest", DigestHash.Hash(user + ":" + password))]);

    public static byte[] Bytes(string s) => System.Text.Encoding.UTF8.GetBytes(s);
}
