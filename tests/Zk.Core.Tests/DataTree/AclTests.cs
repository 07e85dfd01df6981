// Specifications of authentication providers, permission checks and ACL validation (reference §9).
using Zk.Core.Testing;
using Zk.Protocol;
using Zk.Core.DataTree.Auth;

namespace Zk.Core.Tests.DataTree;

public sealed class AclTests
{
    private static Acl A(Perms p, string scheme, string id) => new(p, new Id(scheme, id));

    [Theory]
    [InlineData("alice:secret", "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=")]
    [InlineData("super:test", "super:D/InIHSb7yEEbrWz8b9l71RjZJU=")]
    [InlineData("nocolon", "nocolon:")]
    public void Digest_hash_is_user_colon_base64_sha1_of_the_whole_credential(string credential, string expectedPrefix)
    {
        var hash = DigestHash.Hash(credential);
        if (expectedPrefix.EndsWith(':')) Assert.StartsWith(expectedPrefix, hash);
        else Assert.Equal(expectedPrefix, hash);
    }

    [Fact]
    public void Addauth_digest_always_succeeds_and_adds_the_hashed_id()
    {
        var added = new List<Id>();
        Assert.Equal(KeeperErrorCode.Ok, AuthProviders.Default.Authenticate("digest", "alice:secret"u8.ToArray(), "10.0.0.1", added));
        Assert.Equal([new Id("digest", "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=")], added);
    }

    [Fact]
    public void Addauth_matching_the_super_digest_adds_super_too()
    {
        var providers = new AuthProviders(superDigest: DigestHash.Hash("super:test"));
        var added = new List<Id>();
        providers.Authenticate("digest", "super:test"u8.ToArray(), null, added);
        Assert.Equal([new Id("super", ""), new Id("digest", DigestHash.Hash("super:test"))], added);
        Assert.True(AuthContext.From(added).IsSuper);
        added.Clear();
        providers.Authenticate("digest", "super:wrong"u8.ToArray(), null, added);
        Assert.False(AuthContext.From(added).IsSuper);
    }

    [Fact]
    public void Addauth_ip_adds_the_connection_own_address()
    {
        var added = new List<Id>();
        Assert.Equal(KeeperErrorCode.Ok, AuthProviders.Default.Authenticate("ip", "whatever"u8.ToArray(), "192.168.1.7", added));
        Assert.Equal([new Id("ip", "192.168.1.7")], added);
    }

    [Theory]
    [InlineData("world")]
    [InlineData("super")]
    [InlineData("auth")]
    [InlineData("sasl")]
    [InlineData(null)]
    public void Addauth_with_a_scheme_without_provider_fails(string? scheme)
    {
        var added = new List<Id>();
        Assert.Equal(KeeperErrorCode.AuthFailed, AuthProviders.Default.Authenticate(scheme, [1], "1.2.3.4", added));
        Assert.Empty(added);
    }

    [Theory]
    [InlineData("10.1.2.3", "10.1.2.3", true)]
    [InlineData("10.1.2.3", "10.1.2.4", false)]
    [InlineData("10.1.2.3", "10.1.0.0/16", true)]
    [InlineData("10.2.2.3", "10.1.0.0/16", false)]
    [InlineData("10.1.2.3", "10.1.2.255/24", true)]
    [InlineData("10.1.3.3", "10.1.2.0/23", true)]
    [InlineData("10.1.4.3", "10.1.2.0/23", false)]
    [InlineData("200.1.2.3", "0.0.0.0/0", true)]
    [InlineData("10.1.2.3", "10.1.2.3/32", true)]
    [InlineData("10.1.2.3", "10.1.2.3/33", false)]
    [InlineData("10.1.2.3", "10.1.2/8", false)]
    [InlineData("::1", "0.0.0.0/0", false)]
    public void Ip_acl_matches_the_first_bits_of_the_address(string caller, string acl, bool matches) =>
        Assert.Equal(matches, AuthProviders.Matches("ip", caller, acl));

    [Theory]
    [InlineData("digest", "u:hash", true)]
    [InlineData("digest", ":hash", true)]
    [InlineData("digest", "u:", false)]
    [InlineData("digest", "u", false)]
    [InlineData("digest", "u:h:x", false)]
    [InlineData("ip", "10.0.0.1", true)]
    [InlineData("ip", "10.0.0.0/8", true)]
    [InlineData("ip", "10.0.0.0/33", false)]
    [InlineData("ip", "10.0.0.0/x", false)]
    [InlineData("ip", "10.0.0.256", false)]
    [InlineData("ip", "10.0.0", false)]
    [InlineData("ip", "+10.0.0.1", true)]
    [InlineData("super", "anything", false)]
    [InlineData("world", "someone", false)]
    public void Acl_ids_are_validated_by_their_provider(string scheme, string id, bool valid) =>
        Assert.Equal(valid, AuthProviders.IsValid(scheme, id));

    [Fact]
    public void Check_grants_on_empty_acl_super_world_or_a_matching_id_sharing_a_bit()
    {
        var policy = AclPolicy.Default;
        var alice = TreeHarness.Digest("alice", "secret");
        var aliceAcl = new[] { A(Perms.Read | Perms.Write, "digest", DigestHash.Hash("alice:secret")) };
        Assert.True(policy.Check([], Perms.Admin, AuthContext.Anonymous));
        Assert.True(policy.Check(aliceAcl, Perms.Read, alice));
        Assert.False(policy.Check(aliceAcl, Perms.Admin, alice));
        Assert.False(policy.Check(aliceAcl, Perms.Read, AuthContext.Anonymous));
        Assert.True(policy.Check(aliceAcl, Perms.Admin, AuthContext.From([new Id("super", "")])));
        Assert.True(policy.Check(aliceAcl, Perms.Read | Perms.Admin, alice));
        Assert.True(policy.Check([A(Perms.Create, "world", "anyone")], Perms.Create, AuthContext.Anonymous));
        Assert.False(policy.Check([A(Perms.Create, "world", "someone")], Perms.Create, AuthContext.Anonymous));
        Assert.True(policy.Check([A(Perms.Read, "ip", "10.0.0.0/8")], Perms.Read, AuthContext.From([new Id("ip", "10.9.9.9")])));
        Assert.False(policy.Check([A(Perms.Read, "ip", "10.0.0.0/8")], Perms.Read, AuthContext.From([new Id("digest", "10.9.9.9")])));
        Assert.True(new AclPolicy(skipAcl: true).Check(aliceAcl, Perms.Admin, AuthContext.Anonymous));
    }

    [Fact]
    public void Fixup_removes_duplicates_keeping_the_first()
    {
        Assert.Equal(KeeperErrorCode.Ok, AclPolicy.Fixup([A(Perms.All, "world", "anyone"), A(Perms.All, "world", "anyone"), A(Perms.Read, "ip", "1.2.3.4")],
            AuthContext.Anonymous, out var acl));
        Assert.Equal([A(Perms.All, "world", "anyone"), A(Perms.Read, "ip", "1.2.3.4")], acl);
    }

    [Fact]
    public void Fixup_expands_auth_to_authenticated_caller_ids_only()
    {
        var caller = AuthContext.From([new Id("ip", "1.2.3.4"), new Id("digest", "alice:h1"), new Id("super", ""), new Id("digest", "bob:h2")]);
        Assert.Equal(KeeperErrorCode.Ok, AclPolicy.Fixup([A(Perms.Read | Perms.Write, "auth", "")], caller, out var acl));
        Assert.Equal([A(Perms.Read | Perms.Write, "digest", "alice:h1"), A(Perms.Read | Perms.Write, "digest", "bob:h2")], acl);
    }

    public static TheoryData<string, Acl[], KeeperErrorCode> InvalidAcls() => new()
    {
        { "empty list", [], KeeperErrorCode.InvalidAcl },
        { "auth without authenticated ids", [A(Perms.All, "auth", "")], KeeperErrorCode.InvalidAcl },
        { "world other than anyone", [A(Perms.All, "world", "bob")], KeeperErrorCode.InvalidAcl },
        { "super in an ACL", [A(Perms.All, "super", "x")], KeeperErrorCode.InvalidAcl },
        { "unknown scheme", [A(Perms.All, "x509", "CN=a")], KeeperErrorCode.InvalidAcl },
        { "malformed digest", [A(Perms.All, "digest", "nohash")], KeeperErrorCode.InvalidAcl },
        { "malformed ip", [A(Perms.All, "ip", "1.2.3")], KeeperErrorCode.InvalidAcl },
        { "one bad entry spoils the list", [A(Perms.All, "world", "anyone"), A(Perms.All, "ip", "nope")], KeeperErrorCode.InvalidAcl },
    };

    [Theory]
    [MemberData(nameof(InvalidAcls))]
    public void Fixup_rejects_invalid_acls(string rule, Acl[] acl, KeeperErrorCode expected)
    {
        var ipOnly = AuthContext.From([new Id("ip", "1.2.3.4")]);
        Assert.True(expected == AclPolicy.Fixup(acl, ipOnly, out _), rule);
    }

    [Fact]
    public void Create_with_auth_acl_stores_the_creator_digest()
    {
        var h = new TreeHarness();
        var alice = TreeHarness.Digest("alice", "secret");
        Assert.Equal(KeeperErrorCode.InvalidAcl, h.Create("/x", acl: Acl.CreatorAllAcl).Err);
        Assert.Equal(KeeperErrorCode.Ok, h.Create("/x", acl: Acl.CreatorAllAcl, auth: alice).Err);
        Assert.Equal([new Acl(Perms.All, alice.Ids[0])], h.Tree.Find("/x")!.Acl);
        Assert.Equal(KeeperErrorCode.NoAuth, h.SetData("/x", [1]).Err);
        Assert.Equal(KeeperErrorCode.Ok, h.SetData("/x", [1], auth: alice).Err);
    }
}
