// Four-letter-word detection from the first 4 bytes of a connection.
using System.Buffers.Binary;
using System.Text;
using Zk.Protocol.Framing;

namespace Zk.Protocol.Tests;

public sealed class FourLetterWordsTests
{
    public static TheoryData<string> Commands => new(
        "ruok", "srvr", "stat", "mntr", "conf", "cons", "crst", "srst", "wchs", "wchc", "wchp", "dirs", "isro", "envi",
        "dump", "gtmk", "stmk", "hash");

    [Theory]
    [MemberData(nameof(Commands))]
    public void Each_command_is_detected_from_its_ascii_bytes_read_as_a_big_endian_int(string name)
    {
        var code = BinaryPrimitives.ReadInt32BigEndian(Encoding.ASCII.GetBytes(name));
        Assert.True(FourLetterWords.TryParse(code, out var word));
        Assert.Equal(code, (int)word);
        Assert.Equal(name, word.Name());
        Assert.True(FourLetterWords.TryFromName(name, out var byName));
        Assert.Equal(word, byName);
        Assert.Contains(word, FourLetterWords.All);
    }

    [Fact]
    public void Ruok_is_0x72756F6B()
    {
        Assert.True(FourLetterWords.TryParse(0x72756F6B, out var word));
        Assert.Equal(FourLetterWord.Ruok, word);
    }

    [Fact]
    public void The_telnet_interrupt_sequence_is_a_command_too()
    {
        Assert.True(FourLetterWords.TryParse(unchecked((int)0xFFF4FFFD), out var word));
        Assert.Equal(FourLetterWord.TelnetClose, word);
    }

    [Theory]
    [InlineData(45)]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(0x61626364)]
    [InlineData(0x52554F4B)]
    public void Other_values_are_frame_lengths(int value)
    {
        Assert.False(FourLetterWords.TryParse(value, out _));
    }

    [Fact]
    public void All_lists_every_command_once_and_only_stmk_takes_an_argument()
    {
        Assert.Equal(19, FourLetterWords.All.Distinct().Count());
        Assert.Equal(Enum.GetValues<FourLetterWord>().Order(), FourLetterWords.All.Order());
        Assert.Equal([FourLetterWord.Stmk], FourLetterWords.All.Where(w => w.HasArgument()));
    }

    [Fact]
    public void Unknown_names_are_not_commands()
    {
        Assert.False(FourLetterWords.TryFromName("RUOK", out _));
        Assert.False(FourLetterWords.TryFromName("nope", out _));
    }
}
