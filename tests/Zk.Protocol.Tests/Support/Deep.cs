// Structural equality for decoded records (records compare lists and byte arrays by reference, which a
// round-trip test cannot use). Test-only; single-threaded.
using System.Collections;
using System.Reflection;

namespace Zk.Protocol.Tests.Support;

internal static class Deep
{
    public static void Equal(object? expected, object? actual, string where = "$")
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{where}: expected {Show(expected)}, got {Show(actual)}");
            return;
        }
        switch (expected)
        {
            case byte[] bytes:
                var actualBytes = Assert.IsType<byte[]>(actual);
                Assert.True(bytes.AsSpan().SequenceEqual(actualBytes),
                    $"{where}: expected {Convert.ToHexString(bytes)}, got {Convert.ToHexString(actualBytes)}");
                return;
            case string or ValueType:
                Assert.True(expected.Equals(actual), $"{where}: expected {Show(expected)}, got {Show(actual)}");
                return;
            case IEnumerable list:
                var e = list.Cast<object?>().ToList();
                var a = Assert.IsAssignableFrom<IEnumerable>(actual).Cast<object?>().ToList();
                Assert.True(e.Count == a.Count, $"{where}: expected {e.Count} items, got {a.Count}");
                for (var i = 0; i < e.Count; i++) Equal(e[i], a[i], $"{where}[{i}]");
                return;
        }
        Assert.True(expected.GetType() == actual.GetType(),
            $"{where}: expected a {expected.GetType().Name}, got a {actual.GetType().Name}");
        foreach (var p in expected.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length > 0) continue;
            Equal(p.GetValue(expected), p.GetValue(actual), $"{where}.{p.Name}");
        }
    }

    private static string Show(object? o) => o switch
    {
        null => "null",
        string s => $"\"{s}\"",
        _ => o.ToString() ?? "?",
    };
}
