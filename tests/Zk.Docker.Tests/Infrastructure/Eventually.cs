// Polls a condition until it holds or a deadline passes: the docker tests wait for states (a leader, a health status,
// an acknowledged write), never for fixed times. Thread-safe.
using System.Diagnostics;

namespace Zk.Docker.Tests.Infrastructure;

public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Throws a TimeoutException naming <paramref name="what"/> (evaluated then) when the deadline passes first.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"not within {timeout.TotalSeconds:F0} s: {what()}");
            await Task.Delay(PollInterval);
        }
    }
}
