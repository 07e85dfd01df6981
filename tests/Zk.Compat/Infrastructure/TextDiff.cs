// Line-by-line comparison of two outputs, reporting the first difference with some context on both sides.
using System.Text;

namespace Zk.Compat.Infrastructure;

public static class TextDiff
{
    /// <summary>Null when the two line lists are equal; else a readable report of where they first differ.</summary>
    public static string? FirstDifference(IReadOnlyList<string> expected, IReadOnlyList<string> actual, string expectedName, string actualName, int context = 6)
    {
        var n = Math.Min(expected.Count, actual.Count);
        var at = 0;
        while (at < n && expected[at] == actual[at]) at++;
        if (at == n && expected.Count == actual.Count) return null;
        var sb = new StringBuilder();
        sb.Append("outputs differ at line ").Append(at + 1).Append('\n');
        var from = Math.Max(0, at - context);
        void Side(string name, IReadOnlyList<string> lines)
        {
            sb.Append("--- ").Append(name).Append('\n');
            for (var i = from; i < Math.Min(lines.Count, at + context); i++)
                sb.Append(i == at ? ">> " : "   ").Append(lines[i]).Append('\n');
            if (at >= lines.Count) sb.Append(">> <end of output>\n");
        }
        Side(expectedName, expected);
        Side(actualName, actual);
        return sb.ToString();
    }

    public static void AssertSame(IReadOnlyList<string> expected, IReadOnlyList<string> actual, string expectedName, string actualName)
    {
        var diff = FirstDifference(expected, actual, expectedName, actualName);
        Assert.True(diff is null, diff);
    }
}
