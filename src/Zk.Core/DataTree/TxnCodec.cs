// Binary form of a Txn for the journal and the quorum wire: jute primitives, so the same txn always encodes
// to the same bytes. Stateless; safe from any thread.
using Zk.Protocol;
using Zk.Protocol.Jute;

namespace Zk.Core.DataTree;

// A record that does not decode is corruption: the reader throws (MalformedFrameException on overrun,
// InvalidDataException otherwise); nothing is skipped or guessed.
public static class TxnCodec
{
    // Layout: long sessionId, int cxid, long zxid, long timeMs, int type, then the body of that type.
    public static void Write(JuteWriter w, Txn txn)
    {
        w.WriteLong(txn.SessionId);
        w.WriteInt(txn.Cxid);
        w.WriteLong(txn.Zxid);
        w.WriteLong(txn.TimeMs);
        WriteBody(w, txn.Body, nested: false);
    }

    public static Txn Read(ref JuteReader r)
    {
        var sessionId = r.ReadLong();
        var cxid = r.ReadInt();
        var zxid = r.ReadLong();
        var time = r.ReadLong();
        var body = ReadBody(ref r, nested: false);
        return new Txn(sessionId, cxid, zxid, time, body);
    }

    public static byte[] Encode(Txn txn)
    {
        using var w = new JuteWriter(64);
        Write(w, txn);
        return w.ToArray();
    }

    /// <summary>Decodes exactly one txn; trailing bytes are corruption.</summary>
    public static Txn Decode(ReadOnlySpan<byte> bytes)
    {
        var r = new JuteReader(bytes);
        var txn = Read(ref r);
        if (!r.End) throw new InvalidDataException($"{r.Remaining} trailing bytes after txn 0x{txn.Zxid:x}");
        return txn;
    }

    public static void WriteBody(JuteWriter w, TxnBody body, bool nested)
    {
        w.WriteInt((int)body.Type);
        switch (body)
        {
            case CreateTxn c:
                w.WriteString(c.Path);
                w.WriteBuffer(c.Data);
                WriteAcls(w, c.Acl);
                w.WriteInt((int)c.Mode);
                w.WriteLong(c.Ttl);
                w.WriteInt(c.ParentCreations);
                break;
            case DeleteTxn d:
                w.WriteString(d.Path);
                break;
            case DeleteContainerTxn d:
                w.WriteString(d.Path);
                break;
            case SetDataTxn s:
                w.WriteString(s.Path);
                w.WriteBuffer(s.Data);
                w.WriteInt(s.Version);
                break;
            case SetAclTxn s:
                w.WriteString(s.Path);
                WriteAcls(w, s.Acl);
                w.WriteInt(s.Aversion);
                break;
            case CheckTxn c:
                w.WriteString(c.Path);
                w.WriteInt(c.Version);
                break;
            case ErrorTxn e:
                w.WriteInt((int)e.Code);
                break;
            case MultiTxn m:
                if (nested) throw new ArgumentException("a multi cannot contain a multi");
                w.WriteInt(m.Ops.Count);
                foreach (var op in m.Ops) WriteBody(w, op, nested: true);
                break;
            case CreateSessionTxn s:
                w.WriteInt(s.TimeoutMs);
                w.WriteBuffer(s.Password);
                break;
            case CloseSessionTxn s:
                w.WriteInt(s.PathsToDelete.Count);
                foreach (var p in s.PathsToDelete) w.WriteString(p);
                break;
            default:
                throw new ArgumentException($"unknown txn body {body.GetType().Name}");
        }
    }

    public static TxnBody ReadBody(ref JuteReader r, bool nested)
    {
        var type = (TxnType)r.ReadInt();
        switch (type)
        {
            case TxnType.Create:
            case TxnType.CreateContainer:
            case TxnType.CreateTtl:
            {
                var path = ReadPath(ref r);
                var data = r.ReadBuffer();
                var acl = ReadAcls(ref r);
                var mode = (CreateMode)r.ReadInt();
                var ttl = r.ReadLong();
                var creations = r.ReadInt();
                if (!CreateModes.IsValid((int)mode)) throw new InvalidDataException($"bad create mode {(int)mode}");
                var txn = new CreateTxn(path, data, acl, mode, ttl, creations);
                if (txn.Type != type) throw new InvalidDataException($"create type {type} disagrees with mode {mode}");
                return txn;
            }
            case TxnType.Delete:
                return new DeleteTxn(ReadPath(ref r));
            case TxnType.DeleteContainer:
                return new DeleteContainerTxn(ReadPath(ref r));
            case TxnType.SetData:
                return new SetDataTxn(ReadPath(ref r), r.ReadBuffer(), r.ReadInt());
            case TxnType.SetAcl:
                return new SetAclTxn(ReadPath(ref r), ReadAcls(ref r), r.ReadInt());
            case TxnType.Check:
                return new CheckTxn(ReadPath(ref r), r.ReadInt());
            case TxnType.Error:
                return new ErrorTxn((KeeperErrorCode)r.ReadInt());
            case TxnType.Multi:
            {
                if (nested) throw new InvalidDataException("a multi cannot contain a multi");
                var n = ReadCount(ref r);
                var ops = new TxnBody[n];
                for (var i = 0; i < n; i++) ops[i] = ReadBody(ref r, nested: true);
                return new MultiTxn(ops);
            }
            case TxnType.CreateSession:
            {
                var timeout = r.ReadInt();
                var password = r.ReadBuffer() ?? throw new InvalidDataException("null session password");
                return new CreateSessionTxn(timeout, password);
            }
            case TxnType.CloseSession:
            {
                var n = ReadCount(ref r);
                var paths = new string[n];
                for (var i = 0; i < n; i++) paths[i] = ReadPath(ref r);
                return new CloseSessionTxn(paths);
            }
            default:
                throw new InvalidDataException($"unknown txn type {(int)type}");
        }
    }

    internal static void WriteAcls(JuteWriter w, IReadOnlyList<Acl> acl)
    {
        w.WriteInt(acl.Count);
        foreach (var a in acl)
        {
            w.WriteInt((int)a.Perms);
            w.WriteString(a.Id.Scheme);
            w.WriteString(a.Id.Ident);
        }
    }

    internal static Acl[] ReadAcls(ref JuteReader r)
    {
        var n = ReadCount(ref r);
        var acl = new Acl[n];
        for (var i = 0; i < n; i++)
        {
            var perms = (Perms)r.ReadInt();
            var scheme = r.ReadString() ?? "";
            var ident = r.ReadString() ?? "";
            acl[i] = new Acl(perms, scheme == "world" && ident == "anyone" ? Id.Anyone : new Id(scheme, ident));
        }
        return acl;
    }

    private static string ReadPath(ref JuteReader r) =>
        r.ReadString() ?? throw new InvalidDataException("null path in txn");

    private static int ReadCount(ref JuteReader r)
    {
        var n = r.ReadVectorCount();
        if (n < 0) throw new InvalidDataException("null vector in txn");
        return n;
    }
}
