// Every error code a server can send has its own exception type, named after ZooKeeper's (NoNode →
// NoNodeException), carrying its code and path, with ZooKeeper's message wording.
using Zk.Protocol;

namespace Zk.Client.Tests.Client;

public sealed class KeeperExceptionTests
{
    private static IEnumerable<KeeperErrorCode> Codes => Enum.GetValues<KeeperErrorCode>().Where(c => c != KeeperErrorCode.Ok);

    public static TheoryData<KeeperErrorCode> ErrorCodes() => [.. Codes];

    [Theory]
    [MemberData(nameof(ErrorCodes))]
    public void Each_error_code_maps_to_its_own_exception_type_with_code_and_path(KeeperErrorCode code)
    {
        var e = KeeperException.Create(code, "/some/path");

        Assert.Equal(code.ToString() + "Exception", e.GetType().Name);
        Assert.Equal(code, e.Code);
        Assert.Equal("/some/path", e.Path);
        Assert.StartsWith("KeeperErrorCode = ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith(" for /some/path", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_exception_type_is_reachable_from_its_code()
    {
        var types = typeof(KeeperException).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(KeeperException)) && !t.IsAbstract)
            .ToHashSet();
        var created = Codes.Select(c => KeeperException.Create(c).GetType()).ToHashSet();
        Assert.Empty(types.Except(created).Select(t => t.Name));
    }

    [Theory]
    [InlineData(KeeperErrorCode.NoNode, "/x", "KeeperErrorCode = NoNode for /x")]
    [InlineData(KeeperErrorCode.NotEmpty, "/x", "KeeperErrorCode = Directory not empty for /x")]
    [InlineData(KeeperErrorCode.NoWatcher, "/w", "KeeperErrorCode = No such watcher for /w")]
    [InlineData(KeeperErrorCode.ConnectionLoss, null, "KeeperErrorCode = ConnectionLoss")]
    [InlineData(KeeperErrorCode.InvalidAcl, "/a", "KeeperErrorCode = InvalidACL for /a")]
    public void Messages_use_ZooKeepers_wording(KeeperErrorCode code, string? path, string message) =>
        Assert.Equal(message, KeeperException.Create(code, path).Message);

    [Fact]
    public void An_unknown_code_still_gives_a_keeper_exception_naming_the_number()
    {
        var e = KeeperException.Create((KeeperErrorCode)(-4242));
        Assert.Equal(typeof(KeeperException), e.GetType());
        Assert.Equal("KeeperErrorCode = Unknown error -4242", e.Message);
    }
}
