// What a server's `srvr` answer says about its place in the ensemble: the mode (leader, follower, observer,
// standalone) and the last zxid it applied. Pure.
using System.Globalization;
using System.Text.RegularExpressions;

namespace Zk.TestSupport;

public sealed partial record ServerRole(string Mode, long Zxid)
{
    /// <summary>Null when there is no answer, or it lacks a Mode or Zxid line (the server is not serving).</summary>
    public static ServerRole? Parse(string? srvr)
    {
        if (srvr is null) return null;
        var mode = ModeLine().Match(srvr);
        var zxid = ZxidLine().Match(srvr);
        if (!mode.Success || !zxid.Success) return null;
        return new ServerRole(mode.Groups[1].Value, long.Parse(zxid.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^Mode: (\w+)", RegexOptions.Multiline)]
    private static partial Regex ModeLine();

    [GeneratedRegex(@"^Zxid: 0x([0-9a-fA-F]+)", RegexOptions.Multiline)]
    private static partial Regex ZxidLine();
}
