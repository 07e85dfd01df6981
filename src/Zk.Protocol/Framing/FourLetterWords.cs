// The four-letter-word commands (§12): the first 4 bytes of a connection, read as a big-endian int, that name a
// command instead of a frame length. Pure functions and constants; thread-safe.
namespace Zk.Protocol.Framing;

/// <summary>Each value is its ASCII name read as a big-endian int (ruok = 0x72756F6B). Frozen: on the wire.</summary>
public enum FourLetterWord
{
    Conf = 0x636F6E66,
    Cons = 0x636F6E73,
    Crst = 0x63727374,
    Dirs = 0x64697273,
    Dump = 0x64756D70,
    Envi = 0x656E7669,
    Gtmk = 0x67746D6B,
    Hash = 0x68617368,
    Isro = 0x6973726F,
    Mntr = 0x6D6E7472,
    Ruok = 0x72756F6B,
    Srst = 0x73727374,
    Srvr = 0x73727672,
    Stat = 0x73746174,
    Stmk = 0x73746D6B,
    Wchc = 0x77636863,
    Wchp = 0x77636870,
    Wchs = 0x77636873,

    /// <summary>A telnet IAC IP sequence; ZooKeeper treats it as a command that just closes the connection.</summary>
    TelnetClose = unchecked((int)0xFFF4FFFD),
}

public static class FourLetterWords
{
    public static readonly IReadOnlyList<FourLetterWord> All =
    [
        FourLetterWord.Conf, FourLetterWord.Cons, FourLetterWord.Crst, FourLetterWord.Dirs, FourLetterWord.Dump,
        FourLetterWord.Envi, FourLetterWord.Gtmk, FourLetterWord.Hash, FourLetterWord.Isro, FourLetterWord.Mntr,
        FourLetterWord.Ruok, FourLetterWord.Srst, FourLetterWord.Srvr, FourLetterWord.Stat, FourLetterWord.Stmk,
        FourLetterWord.Wchc, FourLetterWord.Wchp, FourLetterWord.Wchs, FourLetterWord.TelnetClose,
    ];

    /// <summary>True when the connection's first 4 bytes name a command; any other value is a frame length.</summary>
    public static bool TryParse(int firstFourBytes, out FourLetterWord word)
    {
        word = (FourLetterWord)firstFourBytes;
        switch (word)
        {
            case FourLetterWord.Conf or FourLetterWord.Cons or FourLetterWord.Crst or FourLetterWord.Dirs
                or FourLetterWord.Dump or FourLetterWord.Envi or FourLetterWord.Gtmk or FourLetterWord.Hash
                or FourLetterWord.Isro or FourLetterWord.Mntr or FourLetterWord.Ruok or FourLetterWord.Srst
                or FourLetterWord.Srvr or FourLetterWord.Stat or FourLetterWord.Stmk or FourLetterWord.Wchc
                or FourLetterWord.Wchp or FourLetterWord.Wchs or FourLetterWord.TelnetClose:
                return true;
            default:
                word = default;
                return false;
        }
    }

    /// <summary>The command as ZooKeeper names it (lower case; "telnet close" for the telnet sequence).</summary>
    public static string Name(this FourLetterWord word) => word switch
    {
        FourLetterWord.Conf => "conf",
        FourLetterWord.Cons => "cons",
        FourLetterWord.Crst => "crst",
        FourLetterWord.Dirs => "dirs",
        FourLetterWord.Dump => "dump",
        FourLetterWord.Envi => "envi",
        FourLetterWord.Gtmk => "gtmk",
        FourLetterWord.Hash => "hash",
        FourLetterWord.Isro => "isro",
        FourLetterWord.Mntr => "mntr",
        FourLetterWord.Ruok => "ruok",
        FourLetterWord.Srst => "srst",
        FourLetterWord.Srvr => "srvr",
        FourLetterWord.Stat => "stat",
        FourLetterWord.Stmk => "stmk",
        FourLetterWord.Wchc => "wchc",
        FourLetterWord.Wchp => "wchp",
        FourLetterWord.Wchs => "wchs",
        FourLetterWord.TelnetClose => "telnet close",
        _ => throw new ArgumentOutOfRangeException(nameof(word), word, "not a four-letter word"),
    };

    /// <summary>Looks a command up by name (as used in 4lw.commands.whitelist); case-sensitive like ZooKeeper.</summary>
    public static bool TryFromName(string name, out FourLetterWord word)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (All[i].Name() != name) continue;
            word = All[i];
            return true;
        }
        word = default;
        return false;
    }

    /// <summary>stmk is followed by an 8-byte trace mask before the server answers.</summary>
    public static bool HasArgument(this FourLetterWord word) => word == FourLetterWord.Stmk;
}
