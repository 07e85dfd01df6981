// The zoo.cfg line format: java.util.Properties as ZooKeeper reads it, with the line number of each entry.
using Zk.Host.Config;

namespace Zk.Host.Tests.Config;

public sealed class ZooCfgReaderTests
{
    private static ConfigEntry Single(string text) => Assert.Single(ZooCfgReader.Read(text, "zoo.cfg"));

    [Theory]
    [InlineData("tickTime=2000", "tickTime", "2000")]
    [InlineData("  tickTime = 2000  ", "tickTime", "2000")]
    [InlineData("tickTime\t=\t2000", "tickTime", "2000")]
    [InlineData("tickTime:2000", "tickTime", "2000")]
    [InlineData("tickTime 2000", "tickTime", "2000")]
    [InlineData("server.1=zk1:2888:3888", "server.1", "zk1:2888:3888")]
    [InlineData("server.1 = [::1]:2888:3888;2181", "server.1", "[::1]:2888:3888;2181")]
    [InlineData("dataDir=", "dataDir", "")]
    [InlineData("key\\=with\\:separators=v", "key=with:separators", "v")]
    [InlineData("path=C:\\\\zk\\\\data", "path", "C:\\zk\\data")]
    [InlineData("unicode=caf\\u00e9", "unicode", "café")]
    public void A_line_splits_into_trimmed_key_and_value(string line, string key, string value)
    {
        var entry = Single(line);
        Assert.Equal(key, entry.Key);
        Assert.Equal(value, entry.Value);
    }

    [Theory]
    [InlineData("# a comment")]
    [InlineData("   # an indented comment")]
    [InlineData("! a Java properties comment")]
    [InlineData("")]
    [InlineData("   \t  ")]
    public void Comments_and_blank_lines_yield_nothing(string line)
    {
        Assert.Empty(ZooCfgReader.Read(line, "zoo.cfg"));
    }

    [Fact]
    public void Entries_carry_the_line_they_start_on()
    {
        var entries = ZooCfgReader.Read("# header\n\ntickTime=2000\r\ninitLimit=10\rsyncLimit=5\n", "zoo.cfg");
        Assert.Equal([3, 4, 5], entries.Select(e => e.Line));
        Assert.Equal("zoo.cfg line 4", entries[1].Where);
    }

    [Fact]
    public void A_trailing_backslash_continues_the_value_on_the_next_line()
    {
        var entries = ZooCfgReader.Read("4lw.commands.whitelist=stat, \\\n    ruok, \\\n    conf\nnext=1", "zoo.cfg");
        Assert.Equal("stat, ruok, conf", entries[0].Value);
        Assert.Equal(1, entries[0].Line);
        Assert.Equal(4, entries[1].Line);
    }

    [Fact]
    public void An_escaped_backslash_at_the_end_does_not_continue()
    {
        var entries = ZooCfgReader.Read("a=x\\\\\nb=y", "zoo.cfg");
        Assert.Equal(["x\\", "y"], entries.Select(e => e.Value));
    }

    [Fact]
    public void A_hash_after_a_value_is_part_of_the_value_as_in_ZooKeeper()
    {
        Assert.Equal("2000 # two seconds", Single("tickTime=2000 # two seconds").Value);
    }

    [Fact]
    public void A_malformed_unicode_escape_names_the_line()
    {
        var error = Assert.Throws<ConfigException>(() => ZooCfgReader.Read("a=1\nb=\\u12", "zoo.cfg"));
        Assert.StartsWith("zoo.cfg line 2:", error.Message, StringComparison.Ordinal);
    }
}
