// Specifications of the txn model's persisted form: frozen type numbers, exact round trips, determinism,
// and refusal of corrupt records.
using Zk.Protocol;
using Zk.Protocol.Jute;
using Zk.Core.DataTree;

namespace Zk.Core.Tests.DataTree;

public sealed class TxnCodecTests
{
    [Fact]
    public void Txn_type_numbers_are_frozen_to_ZooKeeper_op_numbers()
    {
        var expected = new Dictionary<TxnType, int>
        {
            [TxnType.Error] = -1,
            [TxnType.Create] = 1,
            [TxnType.Delete] = 2,
            [TxnType.SetData] = 5,
            [TxnType.SetAcl] = 7,
            [TxnType.Check] = 13,
            [TxnType.Multi] = 14,
            [TxnType.CreateContainer] = 19,
            [TxnType.DeleteContainer] = 20,
            [TxnType.CreateTtl] = 21,
            [TxnType.CreateSession] = -10,
            [TxnType.CloseSession] = -11,
        };
        Assert.Equal(expected.Count, Enum.GetValues<TxnType>().Length);
        foreach (var (type, number) in expected) Assert.Equal(number, (int)type);
    }

    private static readonly IReadOnlyList<Acl> DigestAcl = [new(Perms.Read | Perms.Admin, new Id("digest", "u:h=")), new(Perms.All, Id.Anyone)];

    public static TheoryData<string, TxnBody> Bodies() => new()
    {
        { "create", new CreateTxn("/a/b0000000003", [1, 2, 3], DigestAcl, CreateMode.PersistentSequential, 0, 4) },
        { "create null data", new CreateTxn("/n", null, Acl.OpenAclUnsafe, CreateMode.Ephemeral, 0, 1) },
        { "create empty data", new CreateTxn("/e", [], Acl.OpenAclUnsafe, CreateMode.Persistent, 0, -7) },
        { "container", new CreateTxn("/c", [], Acl.OpenAclUnsafe, CreateMode.Container, 0, 1) },
        { "ttl", new CreateTxn("/t", [9], Acl.OpenAclUnsafe, CreateMode.PersistentWithTtl, 12345, 1) },
        { "delete", new DeleteTxn("/a") },
        { "deleteContainer", new DeleteContainerTxn("/c") },
        { "setData", new SetDataTxn("/a", [7], int.MinValue) },
        { "setData null", new SetDataTxn("/a", null, 2) },
        { "setAcl", new SetAclTxn("/a", DigestAcl, 3) },
        { "check", new CheckTxn("/a", 5) },
        { "error", new ErrorTxn(KeeperErrorCode.NoNode) },
        { "createSession", new CreateSessionTxn(30000, Enumerable.Range(0, 16).Select(i => (byte)i).ToArray()) },
        { "closeSession", new CloseSessionTxn(["/e1", "/x/e2"]) },
        { "multi", new MultiTxn([new CreateTxn("/m", null, Acl.OpenAclUnsafe, CreateMode.Persistent, 0, 1), new SetDataTxn("/m", [1], 1), new CheckTxn("/m", 1), new DeleteTxn("/m")]) },
        { "failed multi", new MultiTxn([new ErrorTxn(KeeperErrorCode.Ok), new ErrorTxn(KeeperErrorCode.NodeExists), new ErrorTxn(KeeperErrorCode.RuntimeInconsistency)]) },
        { "empty multi", new MultiTxn([]) },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Every_body_round_trips_to_identical_bytes(string name, TxnBody body)
    {
        var txn = new Txn(0x0123_4567_89AB_CDEF, 42, 0x0000_0005_0000_0009, 1_700_000_000_123, body);
        var bytes = TxnCodec.Encode(txn);
        var back = TxnCodec.Decode(bytes);
        Assert.Equal(txn.SessionId, back.SessionId);
        Assert.Equal(txn.Cxid, back.Cxid);
        Assert.Equal(txn.Zxid, back.Zxid);
        Assert.Equal(txn.TimeMs, back.TimeMs);
        Assert.Equal(body.Type, back.Type);
        Assert.Equal(bytes, TxnCodec.Encode(back));
        Assert.True(bytes.Length > 0, name);
    }

    [Fact]
    public void Null_data_and_empty_data_stay_distinct_after_a_round_trip()
    {
        var nul = (CreateTxn)TxnCodec.Decode(TxnCodec.Encode(new Txn(1, 1, 1, 1, new CreateTxn("/n", null, Acl.OpenAclUnsafe, CreateMode.Persistent, 0, 1)))).Body;
        var empty = (CreateTxn)TxnCodec.Decode(TxnCodec.Encode(new Txn(1, 1, 1, 1, new CreateTxn("/n", [], Acl.OpenAclUnsafe, CreateMode.Persistent, 0, 1)))).Body;
        Assert.Null(nul.Data);
        Assert.NotNull(empty.Data);
        Assert.Empty(empty.Data);
    }

    [Fact]
    public void Decoded_fields_equal_the_encoded_ones()
    {
        var body = new CreateTxn("/t0000000001", [4, 5], DigestAcl, CreateMode.PersistentSequentialWithTtl, 999, 2);
        var back = (CreateTxn)TxnCodec.Decode(TxnCodec.Encode(new Txn(5, 6, 7, 8, body))).Body;
        Assert.Equal(body.Path, back.Path);
        Assert.Equal(body.Data, back.Data);
        Assert.Equal(body.Acl, back.Acl);
        Assert.Equal(body.Mode, back.Mode);
        Assert.Equal(body.Ttl, back.Ttl);
        Assert.Equal(body.ParentCreations, back.ParentCreations);
        Assert.Equal(TxnType.CreateTtl, back.Type);
    }

    [Fact]
    public void Header_layout_is_session_cxid_zxid_time_type_big_endian()
    {
        var bytes = TxnCodec.Encode(new Txn(0x0102030405060708, 0x0A0B0C0D, 0x1112131415161718, 0x2122232425262728, new DeleteTxn("/a")));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 0x0A, 0x0B, 0x0C, 0x0D }, bytes[..12]);
        Assert.Equal(new byte[] { 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18 }, bytes[12..20]);
        Assert.Equal(new byte[] { 0, 0, 0, 2 }, bytes[28..32]);
    }

    [Fact]
    public void Unknown_type_is_rejected_as_corruption()
    {
        var bytes = TxnCodec.Encode(new Txn(1, 1, 1, 1, new DeleteTxn("/a")));
        bytes[31] = 99;
        Assert.Throws<InvalidDataException>(() => TxnCodec.Decode(bytes));
    }

    [Fact]
    public void Truncated_record_is_rejected()
    {
        var bytes = TxnCodec.Encode(new Txn(1, 1, 1, 1, new SetDataTxn("/a", [1, 2, 3], 1)));
        Assert.Throws<MalformedFrameException>(() => TxnCodec.Decode(bytes.AsSpan(0, bytes.Length - 2)));
    }

    [Fact]
    public void Trailing_bytes_are_rejected()
    {
        var bytes = TxnCodec.Encode(new Txn(1, 1, 1, 1, new DeleteTxn("/a")));
        Assert.Throws<InvalidDataException>(() => TxnCodec.Decode([.. bytes, 0]));
    }

    [Fact]
    public void Nested_multi_cannot_be_encoded()
    {
        var txn = new Txn(1, 1, 1, 1, new MultiTxn([new MultiTxn([])]));
        Assert.Throws<ArgumentException>(() => TxnCodec.Encode(txn));
    }
}
