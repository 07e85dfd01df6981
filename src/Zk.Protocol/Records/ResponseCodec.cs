// Reply bodies by the opcode of the request they answer: Encode is the server's side, Decode the client's.
// Stateless and thread-safe. Only successful replies carry a body; a reply with err != 0 is header-only.
using Zk.Protocol.Jute;

namespace Zk.Protocol.Records;

public static class ResponseCodec
{
    /// <summary>
    /// Writes the success body for a reply to <paramref name="op"/> (no header, no frame). A body of the wrong
    /// record type for the opcode is a server bug and throws <see cref="ArgumentException"/>; so does a multi
    /// result type a client cannot parse (anything but 1, 15, 2, 13, 5, 4, 8 and -1).
    /// </summary>
    public static void Encode(OpCode op, Response body, JuteWriter w)
    {
        switch (op)
        {
            case OpCode.Create:
                w.WriteString(As<CreateResponse>(op, body).Path);
                break;
            case OpCode.Create2 or OpCode.CreateContainer or OpCode.CreateTtl:
                var create2 = As<Create2Response>(op, body);
                w.WriteString(create2.Path);
                w.WriteStat(create2.Stat);
                break;
            case OpCode.Exists or OpCode.SetData or OpCode.SetAcl:
                w.WriteStat(As<StatResponse>(op, body).Stat);
                break;
            case OpCode.GetData or OpCode.Reconfig:
                var getData = As<GetDataResponse>(op, body);
                w.WriteBuffer(getData.Data);
                w.WriteStat(getData.Stat);
                break;
            case OpCode.GetAcl:
                var getAcl = As<GetAclResponse>(op, body);
                w.WriteAclVector(getAcl.Acl);
                w.WriteStat(getAcl.Stat);
                break;
            case OpCode.GetChildren:
                w.WriteStringVector(As<GetChildrenResponse>(op, body).Children);
                break;
            case OpCode.GetChildren2:
                var getChildren2 = As<GetChildren2Response>(op, body);
                w.WriteStringVector(getChildren2.Children);
                w.WriteStat(getChildren2.Stat);
                break;
            case OpCode.Sync:
                w.WriteString(As<SyncResponse>(op, body).Path);
                break;
            case OpCode.Multi or OpCode.MultiRead:
                WriteMulti(w, As<MultiResponse>(op, body));
                break;
            case OpCode.Sasl:
                w.WriteBuffer(As<SaslResponse>(op, body).Token);
                break;
            case OpCode.GetEphemerals:
                w.WriteStringVector(As<GetEphemeralsResponse>(op, body).Ephemerals);
                break;
            case OpCode.GetAllChildrenNumber:
                w.WriteInt(As<GetAllChildrenNumberResponse>(op, body).TotalNumber);
                break;
            case OpCode.AddWatch:
                w.WriteInt((int)As<ErrorResponse>(op, body).Err);
                break;
            case OpCode.WhoAmI:
                w.WriteClientInfoVector(As<WhoAmIResponse>(op, body).ClientInfo);
                break;
            default:
                if (!HasNoBody(op)) throw new ArgumentOutOfRangeException(nameof(op), op, "no reply shape for this opcode");
                As<EmptyResponse>(op, body);
                break;
        }
    }

    /// <summary>
    /// Decodes the success body of a reply to <paramref name="op"/>; ops without a body give
    /// <see cref="EmptyResponse.Instance"/>. Bytes that do not decode throw <see cref="MalformedFrameException"/>;
    /// an opcode the client cannot have sent throws <see cref="ArgumentOutOfRangeException"/>.
    /// </summary>
    public static Response Decode(OpCode op, ref JuteReader r)
    {
        switch (op)
        {
            case OpCode.Create:
                return new CreateResponse(r.ReadStringOrEmpty());
            case OpCode.Create2 or OpCode.CreateContainer or OpCode.CreateTtl:
                return new Create2Response(r.ReadStringOrEmpty(), r.ReadStat());
            case OpCode.Exists or OpCode.SetData or OpCode.SetAcl:
                return new StatResponse(r.ReadStat());
            case OpCode.GetData or OpCode.Reconfig:
                return new GetDataResponse(r.ReadBuffer(), r.ReadStat());
            case OpCode.GetAcl:
                return new GetAclResponse(r.ReadAclVector(), r.ReadStat());
            case OpCode.GetChildren:
                return new GetChildrenResponse(r.ReadStringVector());
            case OpCode.GetChildren2:
                return new GetChildren2Response(r.ReadStringVector(), r.ReadStat());
            case OpCode.Sync:
                return new SyncResponse(r.ReadStringOrEmpty());
            case OpCode.Multi or OpCode.MultiRead:
                return ReadMulti(ref r);
            case OpCode.Sasl:
                return new SaslResponse(r.ReadBuffer());
            case OpCode.GetEphemerals:
                return new GetEphemeralsResponse(r.ReadStringVector());
            case OpCode.GetAllChildrenNumber:
                return new GetAllChildrenNumberResponse(r.ReadInt());
            case OpCode.AddWatch:
                return ReadError(ref r);
            case OpCode.WhoAmI:
                return new WhoAmIResponse(r.ReadClientInfoVector());
            default:
                if (!HasNoBody(op)) throw new ArgumentOutOfRangeException(nameof(op), op, "no reply shape for this opcode");
                return EmptyResponse.Instance;
        }
    }

    /// <summary>
    /// Writes a whole reply frame: length, ReplyHeader and, only when header.Err is Ok, the body. A null body
    /// means header-only (exists' NoNode, any error, and ops whose reply has no body).
    /// </summary>
    public static void WriteFrame(JuteWriter w, ReplyHeader header, OpCode op, Response? body)
    {
        var mark = w.BeginFrame();
        w.WriteReplyHeader(header);
        if (header.Err == KeeperErrorCode.Ok && body is not null) Encode(op, body, w);
        w.EndFrame(mark);
    }

    /// <summary>Replies that are header-only even on success.</summary>
    public static bool HasNoBody(OpCode op) => op is OpCode.Delete or OpCode.Ping or OpCode.Check
        or OpCode.CheckWatches or OpCode.RemoveWatches or OpCode.Auth or OpCode.SetWatches or OpCode.SetWatches2
        or OpCode.CloseSession;

    private static ErrorResponse ReadError(ref JuteReader r)
    {
        var err = r.ReadInt();
        return err == 0 ? ErrorResponse.Ok : new ErrorResponse((KeeperErrorCode)err);
    }

    // Results end at the first header with Done set, as ZooKeeper's reader does; every header takes 9 bytes,
    // so a list without a terminator runs out of bytes and throws.
    private static MultiResponse ReadMulti(ref JuteReader r)
    {
        var results = new List<MultiResult>();
        while (true)
        {
            var h = r.ReadMultiHeader();
            if (h.Done) return new MultiResponse(results);
            var type = (OpCode)h.Type;
            Response? body = type switch
            {
                OpCode.Create => new CreateResponse(r.ReadStringOrEmpty()),
                OpCode.Create2 => new Create2Response(r.ReadStringOrEmpty(), r.ReadStat()),
                OpCode.Delete or OpCode.Check => null,
                OpCode.SetData => new StatResponse(r.ReadStat()),
                OpCode.GetChildren => new GetChildrenResponse(r.ReadStringVector()),
                OpCode.GetData => new GetDataResponse(r.ReadBuffer(), r.ReadStat()),
                OpCode.Error => ReadError(ref r),
                _ => throw new MalformedFrameException($"invalid result type {h.Type} in a multi response"),
            };
            results.Add(new MultiResult(type, (KeeperErrorCode)h.Err, body));
        }
    }

    private static void WriteMulti(JuteWriter w, MultiResponse m)
    {
        for (var i = 0; i < m.Results.Count; i++)
        {
            var result = m.Results[i];
            w.WriteMultiHeader(new MultiHeader((int)result.Op, false, (int)result.Err));
            switch (result.Op)
            {
                case OpCode.Create:
                    w.WriteString(As<CreateResponse>(result.Op, result.Body).Path);
                    break;
                case OpCode.Create2:
                    var create2 = As<Create2Response>(result.Op, result.Body);
                    w.WriteString(create2.Path);
                    w.WriteStat(create2.Stat);
                    break;
                case OpCode.Delete or OpCode.Check:
                    break;
                case OpCode.SetData:
                    w.WriteStat(As<StatResponse>(result.Op, result.Body).Stat);
                    break;
                case OpCode.GetChildren:
                    w.WriteStringVector(As<GetChildrenResponse>(result.Op, result.Body).Children);
                    break;
                case OpCode.GetData:
                    var getData = As<GetDataResponse>(result.Op, result.Body);
                    w.WriteBuffer(getData.Data);
                    w.WriteStat(getData.Stat);
                    break;
                case OpCode.Error:
                    // The body repeats the code; a result built without a body uses the header's.
                    w.WriteInt((int)((result.Body as ErrorResponse)?.Err ?? result.Err));
                    break;
                default:
                    throw new ArgumentException($"result type {result.Op} cannot appear in a multi response", nameof(m));
            }
        }
        w.WriteMultiHeader(MultiHeader.Terminator);
    }

    private static T As<T>(OpCode op, Response? body) where T : Response =>
        body as T ?? throw new ArgumentException(
            $"{op} needs a {typeof(T).Name}, not {body?.GetType().Name ?? "null"}", nameof(body));
}
