// Byte-level tests of the shared records: Stat, Id, ACL, vectors and headers.
using Zk.Protocol.Jute;
using Zk.Protocol.Records;
using Zk.Protocol.Tests.Support;

namespace Zk.Protocol.Tests;

public sealed class JuteRecordsTests
{
    private static readonly Stat SampleStat = new(
        Czxid: 0x0000000100000002, Mzxid: 0x0000000100000003, Ctime: 0x0000018C5B1A2B3C, Mtime: 0x0000018C5B1A2B3D,
        Version: 1, Cversion: -1, Aversion: 2, EphemeralOwner: 0x01941F297C000000, DataLength: 5, NumChildren: 3,
        Pzxid: 0x0000000100000004);

    private const string SampleStatHex =
        "0000000100000002 0000000100000003 0000018C5B1A2B3C 0000018C5B1A2B3D 00000001 FFFFFFFF 00000002 " +
        "01941F297C000000 00000005 00000003 0000000100000004";

    [Fact]
    public void Stat_is_68_bytes_in_declaration_order()
    {
        var bytes = Bytes.Write(w => w.WriteStat(SampleStat));
        Assert.Equal(Stat.WireSize, bytes.Length);
        Bytes.Same(Bytes.Hex(SampleStatHex), bytes);
    }

    [Fact]
    public void Stat_reads_each_field_from_its_offset()
    {
        var r = new JuteReader(Bytes.Hex(SampleStatHex));
        Assert.Equal(SampleStat, r.ReadStat());
        Assert.True(r.End);
    }

    [Fact]
    public void Id_and_acl_are_perms_then_scheme_then_id()
    {
        var acl = new Acl(Perms.Read | Perms.Admin, new Id("ip", "10.0.0.1"));
        var bytes = Bytes.Write(w => w.WriteAcl(acl));
        Bytes.Same(Bytes.Hex("00000011 00000002 6970 00000008 31302E302E302E31"), bytes);
        var r = new JuteReader(bytes);
        Assert.Equal(acl, r.ReadAcl());
    }

    [Fact]
    public void The_open_acl_decodes_to_the_shared_static_list()
    {
        var bytes = Bytes.Write(w => w.WriteAclVector(Acl.OpenAclUnsafe));
        Bytes.Same(Bytes.Hex("00000001 0000001F 00000005 776F726C64 00000006 616E796F6E65"), bytes);
        var r = new JuteReader(bytes);
        Assert.Same(Acl.OpenAclUnsafe, r.ReadAclVector());
    }

    [Fact]
    public void A_null_ident_as_kazoo_sends_for_an_empty_string_reads_as_empty()
    {
        // perms 31, scheme "auth", id -1
        var r = new JuteReader(Bytes.Hex("0000001F 00000004 61757468 FFFFFFFF"));
        Assert.Equal(new Acl(Perms.All, new Id("auth", "")), r.ReadAcl());
    }

    [Fact]
    public void A_null_vector_reads_as_empty_and_null_writes_as_minus_1()
    {
        var r = new JuteReader(Bytes.Hex("FFFFFFFF FFFFFFFF FFFFFFFF"));
        Assert.Empty(r.ReadStringVector());
        Assert.Empty(r.ReadAclVector());
        Assert.Empty(r.ReadClientInfoVector());
        Bytes.Same(Bytes.Hex("FFFFFFFF"), Bytes.Write(w => w.WriteStringVector(null)));
        Bytes.Same(Bytes.Hex("FFFFFFFF"), Bytes.Write(w => w.WriteAclVector(null)));
    }

    [Fact]
    public void An_empty_list_writes_its_count_0_not_null()
    {
        Bytes.Same(Bytes.Hex("00000000"), Bytes.Write(w => w.WriteStringVector([])));
        Bytes.Same(Bytes.Hex("00000000"), Bytes.Write(w => w.WriteAclVector([])));
    }

    [Fact]
    public void String_vectors_write_count_then_utf8_strings()
    {
        var bytes = Bytes.Write(w => w.WriteStringVector(["a", "é"]));
        Bytes.Same(Bytes.Hex("00000002 00000001 61 00000002 C3A9"), bytes);
        var r = new JuteReader(bytes);
        Assert.Equal(["a", "é"], r.ReadStringVector());
    }

    [Fact]
    public void A_vector_count_below_minus_1_or_beyond_the_frame_is_malformed()
    {
        Assert.Throws<MalformedFrameException>(() =>
        {
            var r = new JuteReader(Bytes.Hex("FFFFFFFE"));
            r.ReadStringVector();
        });
        Assert.Throws<MalformedFrameException>(() =>
        {
            var r = new JuteReader(Bytes.Hex("7FFFFFFF 00"));
            r.ReadAclVector();
        });
    }

    [Fact]
    public void Headers_have_their_documented_sizes_and_order()
    {
        var request = Bytes.Write(w => w.WriteRequestHeader(new RequestHeader(7, OpCode.GetData)));
        Bytes.Same(Bytes.Hex("00000007 00000004"), request);
        Assert.Equal(RequestHeader.WireSize, request.Length);

        var reply = Bytes.Write(w => w.WriteReplyHeader(new ReplyHeader(7, 0x1C, KeeperErrorCode.NoNode)));
        Bytes.Same(Bytes.Hex("00000007 000000000000001C FFFFFF9B"), reply);
        Assert.Equal(ReplyHeader.WireSize, reply.Length);
        var r = new JuteReader(reply);
        Assert.Equal(new ReplyHeader(7, 0x1C, KeeperErrorCode.NoNode), r.ReadReplyHeader());

        var multi = Bytes.Write(w => w.WriteMultiHeader(MultiHeader.Terminator));
        Bytes.Same(Bytes.Hex("FFFFFFFF 01 FFFFFFFF"), multi);
        Assert.Equal(MultiHeader.WireSize, multi.Length);
    }

    [Fact]
    public void Any_non_zero_boolean_byte_reads_as_true()
    {
        var r = new JuteReader(Bytes.Hex("00000005 02 FFFFFFFF"));
        Assert.Equal(new MultiHeader(5, true, -1), r.ReadMultiHeader());
    }
}
