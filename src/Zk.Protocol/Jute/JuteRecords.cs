// Jute encodings of the records many messages share: Stat, Id, ACL, ClientInfo, vectors and the three headers.
// Stateless extension methods over a caller-owned JuteReader/JuteWriter; safe to call from any thread.
using System.Text;
using Zk.Protocol.Records;

namespace Zk.Protocol.Jute;

public static class JuteRecords
{
    // Arguments are evaluated left to right in C#, so this reads the fields in wire order.
    public static Stat ReadStat(this ref JuteReader r) => new(
        Czxid: r.ReadLong(),
        Mzxid: r.ReadLong(),
        Ctime: r.ReadLong(),
        Mtime: r.ReadLong(),
        Version: r.ReadInt(),
        Cversion: r.ReadInt(),
        Aversion: r.ReadInt(),
        EphemeralOwner: r.ReadLong(),
        DataLength: r.ReadInt(),
        NumChildren: r.ReadInt(),
        Pzxid: r.ReadLong());

    public static void WriteStat(this JuteWriter w, in Stat s)
    {
        w.WriteLong(s.Czxid);
        w.WriteLong(s.Mzxid);
        w.WriteLong(s.Ctime);
        w.WriteLong(s.Mtime);
        w.WriteInt(s.Version);
        w.WriteInt(s.Cversion);
        w.WriteInt(s.Aversion);
        w.WriteLong(s.EphemeralOwner);
        w.WriteInt(s.DataLength);
        w.WriteInt(s.NumChildren);
        w.WriteLong(s.Pzxid);
    }

    /// <summary>A ustring where the record needs a non-null value: null (-1, which kazoo sends for "") reads as "".</summary>
    public static string ReadStringOrEmpty(this ref JuteReader r) => r.ReadString() ?? "";

    /// <summary>world:anyone comes back as the shared <see cref="Id.Anyone"/>, so open ACLs allocate nothing.</summary>
    public static Id ReadId(this ref JuteReader r)
    {
        var scheme = r.ReadUtf8(out var schemeNull);
        var ident = r.ReadUtf8(out var identNull);
        if (scheme.SequenceEqual("world"u8) && ident.SequenceEqual("anyone"u8)) return Id.Anyone;
        return new Id(
            schemeNull ? "" : Encoding.UTF8.GetString(scheme),
            identNull ? "" : Encoding.UTF8.GetString(ident));
    }

    public static void WriteId(this JuteWriter w, Id id)
    {
        w.WriteString(id.Scheme);
        w.WriteString(id.Ident);
    }

    public static Acl ReadAcl(this ref JuteReader r)
    {
        var perms = (Perms)r.ReadInt();
        var id = r.ReadId();
        if (ReferenceEquals(id, Id.Anyone))
        {
            if (perms == Perms.All) return Acl.OpenAclUnsafe[0];
            if (perms == Perms.Read) return Acl.ReadAclUnsafe[0];
        }
        return new Acl(perms, id);
    }

    public static void WriteAcl(this JuteWriter w, Acl acl)
    {
        w.WriteInt((int)acl.Perms);
        w.WriteId(acl.Id);
    }

    /// <summary>A null vector (-1) reads as empty; the lone world:anyone ALL list is the shared static one.</summary>
    public static IReadOnlyList<Acl> ReadAclVector(this ref JuteReader r)
    {
        var n = r.ReadVectorCount();
        if (n <= 0) return [];
        var first = r.ReadAcl();
        if (n == 1 && ReferenceEquals(first, Acl.OpenAclUnsafe[0])) return Acl.OpenAclUnsafe;
        var items = new Acl[n];
        items[0] = first;
        for (var i = 1; i < n; i++) items[i] = r.ReadAcl();
        return items;
    }

    /// <summary>Writes the count then each entry; null is written as the null vector (-1).</summary>
    public static void WriteAclVector(this JuteWriter w, IReadOnlyList<Acl>? acl)
    {
        if (acl is null)
        {
            w.WriteInt(-1);
            return;
        }
        w.WriteInt(acl.Count);
        for (var i = 0; i < acl.Count; i++) w.WriteAcl(acl[i]);
    }

    /// <summary>A null vector (-1) reads as empty, and a null element as "".</summary>
    public static IReadOnlyList<string> ReadStringVector(this ref JuteReader r)
    {
        var n = r.ReadVectorCount();
        if (n <= 0) return [];
        var items = new string[n];
        for (var i = 0; i < n; i++) items[i] = r.ReadStringOrEmpty();
        return items;
    }

    /// <summary>Writes the count then each entry; null is written as the null vector (-1).</summary>
    public static void WriteStringVector(this JuteWriter w, IReadOnlyList<string>? items)
    {
        if (items is null)
        {
            w.WriteInt(-1);
            return;
        }
        w.WriteInt(items.Count);
        for (var i = 0; i < items.Count; i++) w.WriteString(items[i]);
    }

    public static IReadOnlyList<ClientInfo> ReadClientInfoVector(this ref JuteReader r)
    {
        var n = r.ReadVectorCount();
        if (n <= 0) return [];
        var items = new ClientInfo[n];
        for (var i = 0; i < n; i++) items[i] = new ClientInfo(r.ReadString(), r.ReadString());
        return items;
    }

    public static void WriteClientInfoVector(this JuteWriter w, IReadOnlyList<ClientInfo>? items)
    {
        if (items is null)
        {
            w.WriteInt(-1);
            return;
        }
        w.WriteInt(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            w.WriteString(items[i].AuthScheme);
            w.WriteString(items[i].User);
        }
    }

    public static RequestHeader ReadRequestHeader(this ref JuteReader r) => new(r.ReadInt(), (OpCode)r.ReadInt());

    public static void WriteRequestHeader(this JuteWriter w, in RequestHeader h)
    {
        w.WriteInt(h.Xid);
        w.WriteInt((int)h.Type);
    }

    public static ReplyHeader ReadReplyHeader(this ref JuteReader r) =>
        new(r.ReadInt(), r.ReadLong(), (KeeperErrorCode)r.ReadInt());

    public static void WriteReplyHeader(this JuteWriter w, in ReplyHeader h)
    {
        w.WriteInt(h.Xid);
        w.WriteLong(h.Zxid);
        w.WriteInt((int)h.Err);
    }

    public static MultiHeader ReadMultiHeader(this ref JuteReader r) => new(r.ReadInt(), r.ReadBool(), r.ReadInt());

    public static void WriteMultiHeader(this JuteWriter w, in MultiHeader h)
    {
        w.WriteInt(h.Type);
        w.WriteBool(h.Done);
        w.WriteInt(h.Err);
    }
}
