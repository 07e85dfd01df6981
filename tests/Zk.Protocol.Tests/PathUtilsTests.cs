// Path validation exactly as ZooKeeper's PathUtils.validatePath reports it (reference §10), and the helpers.
namespace Zk.Protocol.Tests;

public sealed class PathUtilsTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/a")]
    [InlineData("/a/b/c")]
    [InlineData("/zookeeper/config")]
    [InlineData("/a.b")]
    [InlineData("/.a")]
    [InlineData("/a.")]
    [InlineData("/..a")]
    [InlineData("/a..")]
    [InlineData("/...")]
    [InlineData("/a/.b/..c")]
    [InlineData("/with space")]
    [InlineData("/\u00a0\u00e9\u4e2d")]
    [InlineData("/\uf900\uffef")]
    public void Valid_paths_give_null(string path)
    {
        Assert.Null(PathUtils.Validate(path));
    }

    [Theory]
    [InlineData("", "Path length must be > 0")]
    [InlineData("a", "Path must start with / character")]
    [InlineData("a/b", "Path must start with / character")]
    [InlineData("/a/", "Path must not end with / character")]
    [InlineData("//", "Path must not end with / character")]
    [InlineData("/a//b", "Invalid path string \"/a//b\" caused by empty node name specified @3")]
    [InlineData("//a", "Invalid path string \"//a\" caused by empty node name specified @1")]
    [InlineData("/.", "Invalid path string \"/.\" caused by relative paths not allowed @1")]
    [InlineData("/..", "Invalid path string \"/..\" caused by relative paths not allowed @2")]
    [InlineData("/a/./b", "Invalid path string \"/a/./b\" caused by relative paths not allowed @3")]
    [InlineData("/a/../b", "Invalid path string \"/a/../b\" caused by relative paths not allowed @4")]
    [InlineData("/a/..", "Invalid path string \"/a/..\" caused by relative paths not allowed @4")]
    [InlineData("/a\0b", "Invalid path string \"/a\0b\" caused by null character not allowed @2")]
    [InlineData("/a\u0001", "Invalid path string \"/a\u0001\" caused by invalid character @2")]
    [InlineData("/\u001f", "Invalid path string \"/\u001f\" caused by invalid character @1")]
    [InlineData("/\u007f", "Invalid path string \"/\u007f\" caused by invalid character @1")]
    [InlineData("/\u009f", "Invalid path string \"/\u009f\" caused by invalid character @1")]
    [InlineData("/x\ud800", "Invalid path string \"/x\ud800\" caused by invalid character @2")]
    [InlineData("/\uf8ff", "Invalid path string \"/\uf8ff\" caused by invalid character @1")]
    [InlineData("/\ufff0", "Invalid path string \"/\ufff0\" caused by invalid character @1")]
    [InlineData("/\uffff", "Invalid path string \"/\uffff\" caused by invalid character @1")]
    [InlineData("/\U0001F600", "Invalid path string \"/\U0001F600\" caused by invalid character @1")]
    [InlineData("/a//\0", "Invalid path string \"/a//\0\" caused by empty node name specified @3")]
    public void Invalid_paths_give_ZooKeepers_message_for_the_first_broken_rule(string path, string reason)
    {
        Assert.Equal(reason, PathUtils.Validate(path));
    }

    [Fact]
    public void A_null_path_cannot_be_null()
    {
        Assert.Equal("Path cannot be null", PathUtils.Validate(null));
    }

    [Theory]
    [InlineData("/a/", null)]
    [InlineData("/", null)]
    [InlineData("/a/b-", null)]
    [InlineData("/.", null)]
    [InlineData("/a/..", null)]
    [InlineData("", "Path must start with / character")]
    [InlineData(null, "Path must start with / character")]
    [InlineData("/a//", "Invalid path string \"/a//1\" caused by empty node name specified @3")]
    [InlineData("/a/./", "Invalid path string \"/a/./1\" caused by relative paths not allowed @3")]
    [InlineData("/\u0001", "Invalid path string \"/\u00011\" caused by invalid character @1")]
    public void Sequential_paths_are_checked_as_if_a_digit_followed(string? path, string? reason)
    {
        Assert.Equal(reason, PathUtils.Validate(path, isSequential: true));
    }

    [Theory]
    [InlineData("/a/b/c", "/a/b", "c")]
    [InlineData("/a", "/", "a")]
    [InlineData("/", "/", "")]
    [InlineData("/a/", "/a", "")]
    [InlineData("/zookeeper/quota", "/zookeeper", "quota")]
    public void Parent_and_last_segment_split_at_the_last_slash(string path, string parent, string last)
    {
        Assert.Equal(parent, PathUtils.Parent(path));
        Assert.Equal(last, PathUtils.LastSegment(path));
    }

    [Fact]
    public void Parent_of_a_path_without_a_slash_is_an_argument_error()
    {
        Assert.Throws<ArgumentException>(() => PathUtils.Parent("abc"));
    }

    [Theory]
    [InlineData("/", "a", "/a")]
    [InlineData("/a", "b", "/a/b")]
    public void Child_joins_with_exactly_one_slash(string parent, string name, string expected)
    {
        Assert.Equal(expected, PathUtils.Child(parent, name));
        Assert.Equal(parent, PathUtils.Parent(expected));
    }
}
