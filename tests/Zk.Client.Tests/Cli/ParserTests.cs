// The shell's word splitting, commons-cli option rules and Java formatting, without a server.
using Zk.Cli;
using Zk.Protocol;

namespace Zk.Client.Tests.Cli;

public sealed class ParserTests
{
    private static readonly OptionSpec[] SetOptions = [new('s', false, "stats"), new('v', true, "version")];

    [Fact]
    public void Words_split_on_blanks_and_quoted_words_lose_their_quotes()
    {
        Assert.Equal(["create", "/a", "hello world", "x'y"], CommandParser.Split("  create /a \"hello world\" x'y  "));
        // As in zkCli: a quote ends the quoted word even inside it.
        Assert.Equal(["set", "/a", "it", "s'"], CommandParser.Split("set /a 'it's'"));
        Assert.Equal(["get", "unclosed"], CommandParser.Split("get \"unclosed"));
    }

    [Fact]
    public void Options_follow_commons_cli_rules()
    {
        var grouped = CommandParser.Parse(SetOptions, ["set", "-sv3", "/a", "d"]);
        Assert.True(grouped.Has('s'));
        Assert.Equal("3", grouped.Value('v'));
        Assert.Equal(["set", "/a", "d"], grouped.Args);

        Assert.Equal("-1", CommandParser.Parse(SetOptions, ["set", "-v", "-1", "/a", "d"]).Value('v'));
        Assert.Equal(["set", "-s", "/a"], CommandParser.Parse(SetOptions, ["set", "--", "-s", "/a"]).Args);
        Assert.Equal("org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -1",
            Assert.Throws<CliException>(() => CommandParser.Parse(SetOptions, ["set", "/a", "-1"])).Message);
        Assert.Equal("org.apache.commons.cli.MissingArgumentException: Missing argument for option: v",
            Assert.Throws<CliException>(() => CommandParser.Parse(SetOptions, ["set", "-v"])).Message);
    }

    [Fact]
    public void Dates_ids_and_stats_print_as_Java_prints_them()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        Assert.Equal("Thu Jan 01 00:00:00 UTC 1970", JavaText.Date(0, TimeZoneInfo.Utc));
        Assert.Equal("Wed Jul 03 11:46:40 CEST 2024", JavaText.Date(1720000000000, berlin));
        Assert.Equal("'digest,'a:b%2Cc\n", JavaText.IdRecord(new Id("digest", "a:b,c")));
        Assert.Equal("ffffffffffffffff", JavaText.Hex(-1));

        var text = new StringWriter();
        JavaText.PrintStat(text, new Stat(1, 2, 0, 0, 3, -1, 0, 0x1234, 5, 1, 7), TimeZoneInfo.Utc);
        Assert.StartsWith("cZxid = 0x1\nctime = Thu Jan 01 00:00:00 UTC 1970\nmZxid = 0x2\n", text.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("ephemeralOwner = 0x1234\ndataLength = 5\nnumChildren = 1\n", text.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Acl_text_is_parsed_like_zkCli_and_reports_bad_entries()
    {
        var err = new StringWriter();
        var acls = Zk.Cli.AclText.Parse("world:anyone:rx,foo,digest:u:h=:cd,", err);

        Assert.Equal([new Acl(Perms.Read, Id.Anyone), new Acl(Perms.Create | Perms.Delete, new Id("digest", "u:h="))], acls);
        Assert.Equal("Unknown perm type: x\nfoo does not have the form scheme:id:perm\n", err.ToString());
    }
}
