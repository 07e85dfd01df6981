// The digest id format used by addauth and digest ACLs.
namespace Zk.Protocol.Tests;

public sealed class DigestAuthTests
{
    [Theory]
    [InlineData("alice:secret", "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=")]
    [InlineData("bob:pa:ss", "bob:ZLnpyJBWh1VZxyRoQkI2cRg/9PM=")]
    [InlineData("super:test", "super:D/InIHSb7yEEbrWz8b9l71RjZJU=")]
    [InlineData("x:", "x:klkAALJ94iTJT/Sb0xMaO8xNka8=")]
    public void Hash_is_the_user_then_base64_of_sha1_of_the_whole_credential(string credential, string expected)
    {
        Assert.Equal(expected, DigestAuth.Hash(credential));
    }

    [Fact]
    public void User_is_the_text_before_the_first_colon()
    {
        Assert.Equal("alice", DigestAuth.User("alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E="));
        Assert.Equal("nocolon", DigestAuth.User("nocolon"));
    }
}
