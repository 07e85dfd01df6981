// Small helpers to build and compare byte strings in tests. Test-only; pure.
using Zk.Protocol.Jute;

namespace Zk.Protocol.Tests.Support;

internal static class Bytes
{
    /// <summary>Hex with optional spaces, for readable expected values.</summary>
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    public static byte[] Write(Action<JuteWriter> write)
    {
        using var w = new JuteWriter();
        write(w);
        return w.ToArray();
    }

    public static void Same(byte[] expected, byte[] actual, string context = "")
    {
        if (expected.AsSpan().SequenceEqual(actual)) return;
        var at = 0;
        while (at < expected.Length && at < actual.Length && expected[at] == actual[at]) at++;
        Assert.Fail($"{context} bytes differ at offset {at}\n expected {Convert.ToHexString(expected)}\n actual   {Convert.ToHexString(actual)}");
    }
}
