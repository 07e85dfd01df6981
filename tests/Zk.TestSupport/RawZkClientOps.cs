// Typed shortcuts over RawZkClient.SendAsync for the requests tests send most; each returns the raw Reply so a
// test can assert on the error code, the header and the body alike.
using System.Text;
using Zk.Protocol;
using Zk.Protocol.Records;

namespace Zk.TestSupport;

public static class RawZkClientOps
{
    public static Task<Reply> CreateAsync(this RawZkClient c, string path, string? data = "", CreateMode mode = CreateMode.Persistent, IReadOnlyList<Acl>? acl = null) =>
        c.SendAsync(OpCode.Create2, new CreateRequest(path, data is null ? null : Encoding.UTF8.GetBytes(data), acl ?? Acl.OpenAclUnsafe, (int)mode));

    public static Task<Reply> DeleteAsync(this RawZkClient c, string path, int version = -1) =>
        c.SendAsync(OpCode.Delete, new DeleteRequest(path, version));

    public static Task<Reply> ExistsAsync(this RawZkClient c, string path, bool watch = false) =>
        c.SendAsync(OpCode.Exists, new ExistsRequest(path, watch));

    public static Task<Reply> GetDataAsync(this RawZkClient c, string path, bool watch = false) =>
        c.SendAsync(OpCode.GetData, new GetDataRequest(path, watch));

    public static Task<Reply> SetDataAsync(this RawZkClient c, string path, string? data, int version = -1) =>
        c.SendAsync(OpCode.SetData, new SetDataRequest(path, data is null ? null : Encoding.UTF8.GetBytes(data), version));

    public static Task<Reply> GetChildrenAsync(this RawZkClient c, string path, bool watch = false) =>
        c.SendAsync(OpCode.GetChildren2, new GetChildrenRequest(path, watch));

    public static Task<Reply> GetAclAsync(this RawZkClient c, string path) =>
        c.SendAsync(OpCode.GetAcl, new GetAclRequest(path));

    public static Task<Reply> SetAclAsync(this RawZkClient c, string path, IReadOnlyList<Acl> acl, int version = -1) =>
        c.SendAsync(OpCode.SetAcl, new SetAclRequest(path, acl, version));

    public static Task<Reply> MultiAsync(this RawZkClient c, params MultiOp[] ops) =>
        c.SendAsync(OpCode.Multi, new MultiRequest(ops));

    public static Task<Reply> AddDigestAuthAsync(this RawZkClient c, string userColonPassword) =>
        c.SendAsync(Xids.Auth, OpCode.Auth, new AuthPacket(0, "digest", Encoding.UTF8.GetBytes(userColonPassword)));

    public static Task<Reply> PingAsync(this RawZkClient c) =>
        c.SendAsync(Xids.Ping, OpCode.Ping, EmptyRequest.Instance);

    public static string DataString(this Reply r) =>
        r.As<GetDataResponse>().Data is { } d ? Encoding.UTF8.GetString(d) : "<null>";

    public static Stat StatOf(this Reply r) => r.Body switch
    {
        StatResponse s => s.Stat,
        GetDataResponse g => g.Stat,
        Create2Response c => c.Stat,
        GetChildren2Response g2 => g2.Stat,
        GetAclResponse a => a.Stat,
        _ => throw new InvalidOperationException($"{r.Op} reply (err {r.Err}) carries no Stat"),
    };

    /// <summary>Asserts a reply's error code, naming the op in the failure.</summary>
    public static Reply Expect(this Reply r, KeeperErrorCode err)
    {
        Assert.True(r.Err == err, $"{r.Op} returned {r.Err}, expected {err}");
        return r;
    }

    public static async Task<Reply> Expect(this Task<Reply> reply, KeeperErrorCode err) => (await reply).Expect(err);

    public static Task<Reply> Ok(this Task<Reply> reply) => reply.Expect(KeeperErrorCode.Ok);
}
