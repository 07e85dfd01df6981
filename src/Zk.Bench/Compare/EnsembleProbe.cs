// Reads an ensemble's roles with the `srvr` four-letter word ("Mode: leader" / "Mode: follower"; a member that is down,
// looking or syncing answers without a Mode line or not at all). Stateless; every question is a fresh connection.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Zk.Bench.Compare;

public static partial class EnsembleProbe
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>The Mode line of a `srvr` answer (leader, follower, observer, standalone); null when there is none.</summary>
    public static string? ParseMode(string? srvr)
    {
        if (srvr is null) return null;
        var m = ModeLine().Match(srvr);
        return m.Success ? m.Groups[1].Value : null;
    }

    /// <summary>The member's mode, or null when it does not answer or does not serve.</summary>
    public static async Task<string?> ModeAsync(EndPoint member, CancellationToken ct)
    {
        try
        {
            return ParseMode(await FourLetterWordClient.SendAsync(member, "srvr", AnswerTimeout, ct).ConfigureAwait(false));
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    public static Task<string?[]> ModesAsync(IReadOnlyList<EndPoint> members, CancellationToken ct) =>
        Task.WhenAll(members.Select(m => ModeAsync(m, ct)));

    /// <summary>The index of the only leader when every member serves and exactly one leads; null otherwise.</summary>
    public static int? StableLeader(IReadOnlyList<string?> modes)
    {
        if (modes.Any(m => m is null)) return null;
        var leaders = modes.Select((m, i) => (m, i)).Where(x => x.m == "leader").Select(x => x.i).ToArray();
        return leaders.Length == 1 ? leaders[0] : null;
    }

    /// <summary>
    /// Waits until every member of <paramref name="server"/> serves and exactly one of them leads; returns the
    /// leader's index. Fails early, with the log's tail, if a member's process exits.
    /// </summary>
    public static async Task<int> WaitUntilAllServeAsync(RunningServer server, TimeSpan timeout, CancellationToken ct)
    {
        var endpoints = server.Endpoints;
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        string?[] modes = [];
        while (Stopwatch.GetTimestamp() < deadline)
        {
            ct.ThrowIfCancellationRequested();
            for (var i = 0; i < server.Processes.Count; i++)
            {
                if (server.Processes[i] is { HasExited: true } p)
                    throw new InvalidOperationException($"{server.Name} member {i + 1} exited with code {p.ExitCode}; see {server.LogPaths[i]}:\n{server.LogTail()}");
            }
            modes = await ModesAsync(endpoints, ct).ConfigureAwait(false);
            if (StableLeader(modes) is { } leader) return leader;
            await Task.Delay(PollInterval, ct).ConfigureAwait(false);
        }
        throw new TimeoutException($"{server.Name}: no stable ensemble within {timeout.TotalSeconds:F0} s ({Describe(modes)}); see {server.WorkDir}");
    }

    /// <summary>"1=leader 2=follower 3=down": each member's mode by myid.</summary>
    public static string Describe(IReadOnlyList<string?> modes) =>
        string.Join(' ', modes.Select((m, i) => $"{i + 1}={m ?? "down"}"));

    [GeneratedRegex(@"^Mode: (\w+)", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex ModeLine();
}
