// Request bodies by opcode: Decode is the server's side, Encode the client's. Stateless and thread-safe; decoding
// reads a caller-owned JuteReader and allocates only the record, its strings, buffers and lists.
using Zk.Protocol.Jute;

namespace Zk.Protocol.Records;

public static class RequestCodec
{
    /// <summary>
    /// Decodes the body that follows a RequestHeader of type <paramref name="op"/>.
    /// Returns null when <paramref name="op"/> is not a request a client sends (0, 20, -10, -1 or an unassigned
    /// number): the server answers Unimplemented (-6) and closes. Check (13) decodes; refusing it outside a
    /// multi is the server's rule, not the codec's. Multi and multiRead with a disallowed op set come back as a
    /// <see cref="BadMultiRequest"/>. Bytes that do not decode throw <see cref="MalformedFrameException"/>.
    /// Trailing bytes after the record are ignored, as ZooKeeper does.
    /// </summary>
    public static Request? Decode(OpCode op, ref JuteReader r)
    {
        switch (op)
        {
            case OpCode.Create or OpCode.Create2 or OpCode.CreateContainer:
                return ReadCreate(ref r, withTtl: false);
            case OpCode.CreateTtl:
                return ReadCreate(ref r, withTtl: true);
            case OpCode.Delete:
                return new DeleteRequest(r.ReadStringOrEmpty(), r.ReadInt());
            case OpCode.Exists:
                return new ExistsRequest(r.ReadStringOrEmpty(), r.ReadBool());
            case OpCode.GetData:
                return new GetDataRequest(r.ReadStringOrEmpty(), r.ReadBool());
            case OpCode.SetData:
                return new SetDataRequest(r.ReadStringOrEmpty(), r.ReadBuffer(), r.ReadInt());
            case OpCode.GetAcl:
                return new GetAclRequest(r.ReadStringOrEmpty());
            case OpCode.SetAcl:
                return new SetAclRequest(r.ReadStringOrEmpty(), r.ReadAclVector(), r.ReadInt());
            case OpCode.GetChildren or OpCode.GetChildren2:
                return new GetChildrenRequest(r.ReadStringOrEmpty(), r.ReadBool());
            case OpCode.Sync:
                return new SyncRequest(r.ReadStringOrEmpty());
            case OpCode.Check:
                return new CheckVersionRequest(r.ReadStringOrEmpty(), r.ReadInt());
            case OpCode.Multi or OpCode.MultiRead:
                return ReadMulti(op, ref r);
            case OpCode.Reconfig:
                return new ReconfigRequest(r.ReadString(), r.ReadString(), r.ReadString(), r.ReadLong());
            case OpCode.CheckWatches or OpCode.RemoveWatches:
                return new WatchesRequest(r.ReadStringOrEmpty(), r.ReadInt());
            case OpCode.Auth:
                return new AuthPacket(r.ReadInt(), r.ReadString(), r.ReadBuffer());
            case OpCode.SetWatches:
                return ReadSetWatches(ref r, withPersistent: false);
            case OpCode.SetWatches2:
                return ReadSetWatches(ref r, withPersistent: true);
            case OpCode.Sasl:
                return new SaslRequest(r.ReadBuffer());
            case OpCode.GetEphemerals:
                return new GetEphemeralsRequest(r.ReadString());
            case OpCode.GetAllChildrenNumber:
                return new GetAllChildrenNumberRequest(r.ReadStringOrEmpty());
            case OpCode.AddWatch:
                return new AddWatchRequest(r.ReadStringOrEmpty(), r.ReadInt());
            case OpCode.Ping or OpCode.WhoAmI or OpCode.CloseSession:
                return EmptyRequest.Instance;
            default:
                return null;
        }
    }

    /// <summary>
    /// Writes the body for <paramref name="op"/> (no header, no frame). A body of the wrong record type for the
    /// opcode is a caller bug and throws <see cref="ArgumentException"/>.
    /// </summary>
    public static void Encode(OpCode op, Request body, JuteWriter w)
    {
        switch (op)
        {
            case OpCode.Create or OpCode.Create2 or OpCode.CreateContainer:
                WriteCreate(w, As<CreateRequest>(op, body), withTtl: false);
                break;
            case OpCode.CreateTtl:
                WriteCreate(w, As<CreateRequest>(op, body), withTtl: true);
                break;
            case OpCode.Delete:
                var delete = As<DeleteRequest>(op, body);
                w.WriteString(delete.Path);
                w.WriteInt(delete.Version);
                break;
            case OpCode.Exists:
                var exists = As<ExistsRequest>(op, body);
                w.WriteString(exists.Path);
                w.WriteBool(exists.Watch);
                break;
            case OpCode.GetData:
                var getData = As<GetDataRequest>(op, body);
                w.WriteString(getData.Path);
                w.WriteBool(getData.Watch);
                break;
            case OpCode.SetData:
                var setData = As<SetDataRequest>(op, body);
                w.WriteString(setData.Path);
                w.WriteBuffer(setData.Data);
                w.WriteInt(setData.Version);
                break;
            case OpCode.GetAcl:
                w.WriteString(As<GetAclRequest>(op, body).Path);
                break;
            case OpCode.SetAcl:
                var setAcl = As<SetAclRequest>(op, body);
                w.WriteString(setAcl.Path);
                w.WriteAclVector(setAcl.Acl);
                w.WriteInt(setAcl.Version);
                break;
            case OpCode.GetChildren or OpCode.GetChildren2:
                var getChildren = As<GetChildrenRequest>(op, body);
                w.WriteString(getChildren.Path);
                w.WriteBool(getChildren.Watch);
                break;
            case OpCode.Sync:
                w.WriteString(As<SyncRequest>(op, body).Path);
                break;
            case OpCode.Check:
                var check = As<CheckVersionRequest>(op, body);
                w.WriteString(check.Path);
                w.WriteInt(check.Version);
                break;
            case OpCode.Multi or OpCode.MultiRead:
                WriteMulti(w, op, As<MultiRequest>(op, body));
                break;
            case OpCode.Reconfig:
                var reconfig = As<ReconfigRequest>(op, body);
                w.WriteString(reconfig.JoiningServers);
                w.WriteString(reconfig.LeavingServers);
                w.WriteString(reconfig.NewMembers);
                w.WriteLong(reconfig.CurConfigId);
                break;
            case OpCode.CheckWatches or OpCode.RemoveWatches:
                var watches = As<WatchesRequest>(op, body);
                w.WriteString(watches.Path);
                w.WriteInt(watches.Type);
                break;
            case OpCode.Auth:
                var auth = As<AuthPacket>(op, body);
                w.WriteInt(auth.Type);
                w.WriteString(auth.Scheme);
                w.WriteBuffer(auth.Auth);
                break;
            case OpCode.SetWatches or OpCode.SetWatches2:
                WriteSetWatches(w, op, As<SetWatchesRequest>(op, body));
                break;
            case OpCode.Sasl:
                w.WriteBuffer(As<SaslRequest>(op, body).Token);
                break;
            case OpCode.GetEphemerals:
                w.WriteString(As<GetEphemeralsRequest>(op, body).PrefixPath);
                break;
            case OpCode.GetAllChildrenNumber:
                w.WriteString(As<GetAllChildrenNumberRequest>(op, body).Path);
                break;
            case OpCode.AddWatch:
                var addWatch = As<AddWatchRequest>(op, body);
                w.WriteString(addWatch.Path);
                w.WriteInt(addWatch.Mode);
                break;
            case OpCode.Ping or OpCode.WhoAmI or OpCode.CloseSession:
                As<EmptyRequest>(op, body);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op, "not a request opcode a client sends");
        }
    }

    /// <summary>Writes a whole request frame: length, RequestHeader, body.</summary>
    public static void WriteFrame(JuteWriter w, RequestHeader header, Request body)
    {
        var mark = w.BeginFrame();
        w.WriteRequestHeader(header);
        Encode(header.Type, body, w);
        w.EndFrame(mark);
    }

    /// <summary>The op types a multi (14) or multiRead (22) may carry (§11).</summary>
    public static bool IsAllowedIn(OpCode container, OpCode op) => container switch
    {
        OpCode.Multi => op is OpCode.Create or OpCode.Create2 or OpCode.CreateContainer or OpCode.CreateTtl
            or OpCode.Delete or OpCode.SetData or OpCode.Check,
        OpCode.MultiRead => op is OpCode.GetChildren or OpCode.GetData,
        _ => false,
    };

    private static CreateRequest ReadCreate(ref JuteReader r, bool withTtl)
    {
        var path = r.ReadStringOrEmpty();
        var data = r.ReadBuffer();
        var acl = r.ReadAclVector();
        var flags = r.ReadInt();
        var ttl = withTtl ? r.ReadLong() : 0;
        return new CreateRequest(path, data, acl, flags, ttl);
    }

    private static void WriteCreate(JuteWriter w, CreateRequest c, bool withTtl)
    {
        w.WriteString(c.Path);
        w.WriteBuffer(c.Data);
        w.WriteAclVector(c.Acl);
        w.WriteInt(c.Flags);
        if (withTtl) w.WriteLong(c.Ttl);
    }

    private static SetWatchesRequest ReadSetWatches(ref JuteReader r, bool withPersistent)
    {
        var relativeZxid = r.ReadLong();
        var data = r.ReadStringVector();
        var exist = r.ReadStringVector();
        var child = r.ReadStringVector();
        var persistent = withPersistent ? r.ReadStringVector() : [];
        var recursive = withPersistent ? r.ReadStringVector() : [];
        return new SetWatchesRequest(relativeZxid, data, exist, child, persistent, recursive);
    }

    private static void WriteSetWatches(JuteWriter w, OpCode op, SetWatchesRequest s)
    {
        var withPersistent = op == OpCode.SetWatches2;
        if (!withPersistent && (s.PersistentWatches.Count > 0 || s.PersistentRecursiveWatches.Count > 0))
            throw new ArgumentException("setWatches (101) cannot carry persistent watches; use setWatches2", nameof(s));
        w.WriteLong(s.RelativeZxid);
        w.WriteStringVector(s.DataWatches);
        w.WriteStringVector(s.ExistWatches);
        w.WriteStringVector(s.ChildWatches);
        if (!withPersistent) return;
        w.WriteStringVector(s.PersistentWatches);
        w.WriteStringVector(s.PersistentRecursiveWatches);
    }

    // The list ends at the first header with Done set, whatever its type, as ZooKeeper's reader does. Each
    // header takes 9 bytes, so a frame without a terminator runs out of bytes and throws: no endless loop.
    private static Request ReadMulti(OpCode op, ref JuteReader r)
    {
        var ops = new List<MultiOp>();
        while (true)
        {
            var h = r.ReadMultiHeader();
            if (h.Done) return new MultiRequest(ops);
            var type = (OpCode)h.Type;
            if (!IsAllowedIn(op, type)) return new BadMultiRequest(op, $"op type {h.Type} is not allowed in {op}");
            var body = Decode(type, ref r)!;
            // createTTL keeps its flags for the preparer (which answers -8), as ZooKeeper's multi reader does.
            if (body is CreateRequest c && type != OpCode.CreateTtl && !CreateModes.IsValid(c.Flags))
                return new BadMultiRequest(op, $"invalid flag {c.Flags} for create mode");
            ops.Add(new MultiOp(type, body));
        }
    }

    private static void WriteMulti(JuteWriter w, OpCode op, MultiRequest m)
    {
        for (var i = 0; i < m.Ops.Count; i++)
        {
            var item = m.Ops[i];
            if (!IsAllowedIn(op, item.Op))
                throw new ArgumentException($"op {item.Op} is not allowed in {op}", nameof(m));
            w.WriteMultiHeader(new MultiHeader((int)item.Op, false, -1));
            Encode(item.Op, item.Body, w);
        }
        w.WriteMultiHeader(MultiHeader.Terminator);
    }

    private static T As<T>(OpCode op, Request body) where T : Request =>
        body as T ?? throw new ArgumentException($"{op} needs a {typeof(T).Name}, not {body.GetType().Name}", nameof(body));
}
