// Turns the result of an applied txn into the reply the client expects for the op it sent: create answers a
// path, create2 a path and Stat, a multi one result per op typed after the op that was sent. Pure.
using Zk.Core.DataTree;
using Zk.Protocol;
using Zk.Protocol.Records;

namespace Zk.Core.Sessions;

public static class WriteResponses
{
    public static (ReplyHeader Header, Response? Body) Build(ClientRequest request, WriteReply reply)
    {
        if (request.Op == OpCode.Multi)
        {
            // The reply header of a multi says Ok even when an op failed; the results carry the codes.
            if (reply.Result is { Multi: { } results } && request.Body is MultiRequest multi)
                return (new ReplyHeader(request.Xid, reply.Zxid, KeeperErrorCode.Ok), BuildMulti(multi, results));
            return (new ReplyHeader(request.Xid, reply.Zxid, reply.Err), null);
        }
        if (request.Op == OpCode.Sync && reply.Err == KeeperErrorCode.Ok)
            return (new ReplyHeader(request.Xid, reply.Zxid, KeeperErrorCode.Ok), new SyncResponse(((SyncRequest)request.Body!).Path));
        var err = reply.Result?.Err ?? reply.Err;
        var header = new ReplyHeader(request.Xid, reply.Zxid, err);
        if (err != KeeperErrorCode.Ok || reply.Result is not { } r) return (header, null);
        Response? body = request.Op switch
        {
            OpCode.Create => new CreateResponse(r.Path!),
            OpCode.Create2 or OpCode.CreateContainer or OpCode.CreateTtl => new Create2Response(r.Path!, r.Stat!.Value),
            OpCode.SetData or OpCode.SetAcl => new StatResponse(r.Stat!.Value),
            _ => null,
        };
        return (header, body);
    }

    private static MultiResponse BuildMulti(MultiRequest request, IReadOnlyList<OpResult> results)
    {
        var failed = false;
        foreach (var r in results)
            if (r.Err != KeeperErrorCode.Ok) failed = true;
        var list = new List<MultiResult>(results.Count);
        for (var i = 0; i < results.Count; i++)
        {
            var r = results[i];
            if (failed)
            {
                list.Add(new MultiResult(OpCode.Error, r.Err, new ErrorResponse(r.Err)));
                continue;
            }
            var sent = i < request.Ops.Count ? request.Ops[i].Op : OpCode.Error;
            list.Add(sent switch
            {
                OpCode.Create => new MultiResult(OpCode.Create, KeeperErrorCode.Ok, new CreateResponse(r.Path!)),
                OpCode.Create2 or OpCode.CreateContainer or OpCode.CreateTtl =>
                    new MultiResult(OpCode.Create2, KeeperErrorCode.Ok, new Create2Response(r.Path!, r.Stat!.Value)),
                OpCode.Delete => new MultiResult(OpCode.Delete, KeeperErrorCode.Ok, null),
                OpCode.SetData => new MultiResult(OpCode.SetData, KeeperErrorCode.Ok, new StatResponse(r.Stat!.Value)),
                OpCode.Check => new MultiResult(OpCode.Check, KeeperErrorCode.Ok, null),
                _ => new MultiResult(OpCode.Error, KeeperErrorCode.RuntimeInconsistency, new ErrorResponse(KeeperErrorCode.RuntimeInconsistency)),
            });
        }
        return new MultiResponse(list);
    }
}
