// Random but valid request and response records for every opcode, for round-trip and fuzz tests. Test-only;
// deterministic for a given seeded Random, which the caller owns.
using Zk.Protocol.Records;

namespace Zk.Protocol.Tests.Support;

internal static class Samples
{
    /// <summary>Every opcode a client sends with a request body (or an empty one).</summary>
    public static readonly OpCode[] RequestOps =
    [
        OpCode.Create, OpCode.Delete, OpCode.Exists, OpCode.GetData, OpCode.SetData, OpCode.GetAcl, OpCode.SetAcl,
        OpCode.GetChildren, OpCode.Sync, OpCode.Ping, OpCode.GetChildren2, OpCode.Check, OpCode.Multi, OpCode.Create2,
        OpCode.Reconfig, OpCode.CheckWatches, OpCode.RemoveWatches, OpCode.CreateContainer, OpCode.CreateTtl,
        OpCode.MultiRead, OpCode.Auth, OpCode.SetWatches, OpCode.Sasl, OpCode.GetEphemerals,
        OpCode.GetAllChildrenNumber, OpCode.SetWatches2, OpCode.AddWatch, OpCode.WhoAmI, OpCode.CloseSession,
    ];

    /// <summary>Every opcode whose reply has a shape (body or header-only).</summary>
    public static readonly OpCode[] ResponseOps = RequestOps;

    public static Request RandomRequest(OpCode op, Random rng) => op switch
    {
        OpCode.Create or OpCode.Create2 or OpCode.CreateContainer =>
            new CreateRequest(Path(rng), Data(rng), Acls(rng), rng.Next(0, 7)),
        OpCode.CreateTtl => new CreateRequest(Path(rng), Data(rng), Acls(rng), rng.Next(5, 7), rng.NextInt64(1, 1L << 40)),
        OpCode.Delete => new DeleteRequest(Path(rng), Version(rng)),
        OpCode.Exists => new ExistsRequest(Path(rng), rng.Next(2) == 1),
        OpCode.GetData => new GetDataRequest(Path(rng), rng.Next(2) == 1),
        OpCode.SetData => new SetDataRequest(Path(rng), Data(rng), Version(rng)),
        OpCode.GetAcl => new GetAclRequest(Path(rng)),
        OpCode.SetAcl => new SetAclRequest(Path(rng), Acls(rng), Version(rng)),
        OpCode.GetChildren or OpCode.GetChildren2 => new GetChildrenRequest(Path(rng), rng.Next(2) == 1),
        OpCode.Sync => new SyncRequest(Path(rng)),
        OpCode.Check => new CheckVersionRequest(Path(rng), Version(rng)),
        OpCode.Multi => new MultiRequest(MultiOps(rng, [OpCode.Create, OpCode.Create2, OpCode.CreateContainer,
            OpCode.CreateTtl, OpCode.Delete, OpCode.SetData, OpCode.Check])),
        OpCode.MultiRead => new MultiRequest(MultiOps(rng, [OpCode.GetChildren, OpCode.GetData])),
        OpCode.Reconfig => new ReconfigRequest(MaybeText(rng), MaybeText(rng), MaybeText(rng), rng.NextInt64()),
        OpCode.CheckWatches or OpCode.RemoveWatches => new WatchesRequest(Path(rng), rng.Next(1, 4)),
        OpCode.Auth => new AuthPacket(0, MaybeText(rng), Data(rng)),
        OpCode.SetWatches => new SetWatchesRequest(rng.NextInt64(), Paths(rng), Paths(rng), Paths(rng), [], []),
        OpCode.SetWatches2 => new SetWatchesRequest(rng.NextInt64(), Paths(rng), Paths(rng), Paths(rng), Paths(rng), Paths(rng)),
        OpCode.Sasl => new SaslRequest(Data(rng)),
        OpCode.GetEphemerals => new GetEphemeralsRequest(rng.Next(4) == 0 ? null : Path(rng)),
        OpCode.GetAllChildrenNumber => new GetAllChildrenNumberRequest(Path(rng)),
        OpCode.AddWatch => new AddWatchRequest(Path(rng), rng.Next(0, 2)),
        OpCode.Ping or OpCode.WhoAmI or OpCode.CloseSession => EmptyRequest.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    public static Response RandomResponse(OpCode op, Random rng) => op switch
    {
        OpCode.Create => new CreateResponse(Path(rng)),
        OpCode.Create2 or OpCode.CreateContainer or OpCode.CreateTtl => new Create2Response(Path(rng), Stat(rng)),
        OpCode.Exists or OpCode.SetData or OpCode.SetAcl => new StatResponse(Stat(rng)),
        OpCode.GetData or OpCode.Reconfig => new GetDataResponse(Data(rng), Stat(rng)),
        OpCode.GetAcl => new GetAclResponse(Acls(rng), Stat(rng)),
        OpCode.GetChildren => new GetChildrenResponse(Names(rng)),
        OpCode.GetChildren2 => new GetChildren2Response(Names(rng), Stat(rng)),
        OpCode.Sync => new SyncResponse(Path(rng)),
        OpCode.Multi or OpCode.MultiRead => new MultiResponse(MultiResults(rng)),
        OpCode.Sasl => new SaslResponse(Data(rng)),
        OpCode.GetEphemerals => new GetEphemeralsResponse(Paths(rng)),
        OpCode.GetAllChildrenNumber => new GetAllChildrenNumberResponse(rng.Next()),
        OpCode.AddWatch => new ErrorResponse(KeeperErrorCode.Ok),
        OpCode.WhoAmI => new WhoAmIResponse(ClientInfos(rng)),
        _ => EmptyResponse.Instance,
    };

    public static Stat Stat(Random rng) => new(
        rng.NextInt64(long.MinValue, long.MaxValue), rng.NextInt64(), rng.NextInt64(), rng.NextInt64(),
        rng.Next(int.MinValue, int.MaxValue), rng.Next(int.MinValue, int.MaxValue), rng.Next(),
        rng.NextInt64(long.MinValue, long.MaxValue), rng.Next(), rng.Next(), rng.NextInt64());

    public static string Path(Random rng)
    {
        var segments = rng.Next(0, 4);
        if (segments == 0) return "/";
        var parts = new string[segments];
        for (var i = 0; i < segments; i++) parts[i] = Text(rng, 1, 12);
        return "/" + string.Join('/', parts);
    }

    /// <summary>ASCII, Latin-1, CJK and a non-BMP pair, so multi-byte UTF-8 is exercised.</summary>
    public static string Text(Random rng, int min, int max)
    {
        var length = rng.Next(min, max + 1);
        var chars = new List<char>(length + 1);
        for (var i = 0; i < length; i++)
        {
            switch (rng.Next(10))
            {
                case 0: chars.Add((char)rng.Next(0xA0, 0x100)); break;
                case 1: chars.Add((char)rng.Next(0x4E00, 0x9FA0)); break;
                case 2: chars.AddRange("\U0001F600"); break;
                default: chars.Add((char)rng.Next('a', 'z' + 1)); break;
            }
        }
        return new string(chars.ToArray());
    }

    private static string? MaybeText(Random rng) => rng.Next(3) == 0 ? null : Text(rng, 0, 20);

    private static int Version(Random rng) => rng.Next(3) == 0 ? -1 : rng.Next();

    private static byte[]? Data(Random rng)
    {
        var kind = rng.Next(6);
        if (kind == 0) return null;
        if (kind == 1) return [];
        var data = new byte[rng.Next(1, 200)];
        rng.NextBytes(data);
        return data;
    }

    private static IReadOnlyList<Acl> Acls(Random rng)
    {
        if (rng.Next(3) == 0) return Acl.OpenAclUnsafe;
        var n = rng.Next(0, 4);
        var acls = new Acl[n];
        for (var i = 0; i < n; i++)
        {
            var id = rng.Next(3) switch
            {
                0 => Id.Anyone,
                1 => new Id("digest", Text(rng, 1, 8) + ":" + Text(rng, 28, 28)),
                _ => new Id("ip", $"10.0.{rng.Next(256)}.{rng.Next(256)}/{rng.Next(33)}"),
            };
            acls[i] = new Acl((Perms)rng.Next(0, 32), id);
        }
        return acls;
    }

    private static IReadOnlyList<string> Paths(Random rng)
    {
        var n = rng.Next(0, 5);
        var items = new string[n];
        for (var i = 0; i < n; i++) items[i] = Path(rng);
        return items;
    }

    private static IReadOnlyList<string> Names(Random rng)
    {
        var n = rng.Next(0, 5);
        var items = new string[n];
        for (var i = 0; i < n; i++) items[i] = Text(rng, 1, 10);
        return items;
    }

    private static IReadOnlyList<ClientInfo> ClientInfos(Random rng)
    {
        var n = rng.Next(0, 4);
        var items = new ClientInfo[n];
        for (var i = 0; i < n; i++) items[i] = new ClientInfo(MaybeText(rng), MaybeText(rng));
        return items;
    }

    private static IReadOnlyList<MultiOp> MultiOps(Random rng, OpCode[] allowed)
    {
        var n = rng.Next(0, 6);
        var ops = new MultiOp[n];
        for (var i = 0; i < n; i++)
        {
            var op = allowed[rng.Next(allowed.Length)];
            ops[i] = new MultiOp(op, RandomRequest(op, rng));
        }
        return ops;
    }

    private static IReadOnlyList<MultiResult> MultiResults(Random rng)
    {
        var n = rng.Next(0, 6);
        var results = new MultiResult[n];
        for (var i = 0; i < n; i++)
        {
            results[i] = rng.Next(8) switch
            {
                0 => new MultiResult(OpCode.Create, KeeperErrorCode.Ok, new CreateResponse(Path(rng))),
                1 => new MultiResult(OpCode.Create2, KeeperErrorCode.Ok, new Create2Response(Path(rng), Stat(rng))),
                2 => new MultiResult(OpCode.Delete, KeeperErrorCode.Ok, null),
                3 => new MultiResult(OpCode.Check, KeeperErrorCode.Ok, null),
                4 => new MultiResult(OpCode.SetData, KeeperErrorCode.Ok, new StatResponse(Stat(rng))),
                5 => new MultiResult(OpCode.GetData, KeeperErrorCode.Ok, new GetDataResponse(Data(rng), Stat(rng))),
                6 => new MultiResult(OpCode.GetChildren, KeeperErrorCode.Ok, new GetChildrenResponse(Names(rng))),
                _ => Error(rng.Next(3) switch
                {
                    0 => KeeperErrorCode.Ok,
                    1 => KeeperErrorCode.NoNode,
                    _ => KeeperErrorCode.RuntimeInconsistency,
                }),
            };
        }
        return results;
    }

    private static MultiResult Error(KeeperErrorCode err) => new(OpCode.Error, err, new ErrorResponse(err));
}
