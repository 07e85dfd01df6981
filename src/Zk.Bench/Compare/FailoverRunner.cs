// The fail-over measurement: on a fresh ensemble, find the leader with `srvr`, put a client session on a follower,
// SIGKILL the leader and time until the client's first write is acknowledged; then restart the killed member on its
// own dataDir, wait until every member serves again, and repeat. Sequential: one ensemble, one round at a time.
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Zk.Bench.Protocol;

namespace Zk.Bench.Compare;

public sealed record FailoverOptions
{
    public int Rounds { get; init; } = 20;

    public int Members { get; init; } = 3;

    /// <summary>Pause between a failed write (or connection attempt) and the next.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>How long one write or handshake may go unanswered before the client drops the connection and reconnects.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A round whose client has no write acknowledged within this time fails the measurement.</summary>
    public TimeSpan RoundTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the restarted member may take until every member serves again.</summary>
    public TimeSpan RejoinTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Time allowed for the client's first, pre-kill write.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Long enough for the session to outlive any election here, so the client can resume it.</summary>
    public int SessionTimeoutMs { get; init; } = 30_000;
}

public sealed class FailoverRunner(FailoverOptions options, TextWriter log)
{
    /// <summary>
    /// Starts a fresh ensemble of <paramref name="launcher"/>'s kind, runs every round on it, and stops it. A round that
    /// fails (no write acknowledged, a member that does not come back) ends the run: the rounds so far and the error are kept.
    /// </summary>
    public async Task<FailoverRun> RunAsync(ServerLauncher launcher, LaunchSettings settings, string workRoot, CancellationToken ct)
    {
        await log.WriteLineAsync($"starting a fresh {options.Members}-node {launcher.Name} ensemble for {options.Rounds} fail-over rounds …").ConfigureAwait(false);
        var server = await launcher.StartEnsembleAsync(workRoot, settings, options.Members, ct).ConfigureAwait(false);
        await using (server.ConfigureAwait(false))
        {
            await log.WriteLineAsync($"{server.Name} ensemble serves on {server.ConnectString} (pids {string.Join(',', server.Pids)}, dir {server.WorkDir})").ConfigureAwait(false);
            var rounds = new List<FailoverRound>();
            string? error = null;
            for (var round = 1; round <= options.Rounds && error is null; round++)
            {
                try
                {
                    var r = await RunRoundAsync(server, settings, round, ct).ConfigureAwait(false);
                    rounds.Add(r);
                    await log.WriteLineAsync(Describe(server.Name, r)).ConfigureAwait(false);
                }
                catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException or SocketException or BenchProtocolException or OperationCanceledException
                    && !ct.IsCancellationRequested)
                {
                    error = $"round {round}: {e.Message}";
                    await log.WriteLineAsync($"{server.Name} fail-over {error}\n{server.LogTail(20)}").ConfigureAwait(false);
                }
            }
            var run = new FailoverRun(server.Name, options.Members, rounds) { Error = error };
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{server.Name,-14} fail-over: median {run.MedianMs:F0} ms, p90 {run.P90Ms:F0} ms, max {run.MaxMs:F0} ms over {rounds.Count} rounds")).ConfigureAwait(false);
            return run;
        }
    }

    /// <summary>One round on a running ensemble that <paramref name="server"/>'s launcher started; leaves it with every member serving.</summary>
    public async Task<FailoverRound> RunRoundAsync(RunningServer server, LaunchSettings settings, int round, CancellationToken ct)
    {
        var launcher = server.Launcher ?? throw new InvalidOperationException($"{server.Name} was not started here: its members cannot be restarted");
        var members = server.Endpoints;
        var leader = await EnsembleProbe.WaitUntilAllServeAsync(server, options.RejoinTimeout, ct).ConfigureAwait(false);
        var survivors = Enumerable.Range(0, members.Count).Where(i => i != leader).ToArray();
        var follower = survivors[0];

        long killedAt, acknowledgedAt;
        var writer = new FailoverWriter(members, survivors, options);
        await using (writer.ConfigureAwait(false))
        {
            await writer.OpenAsync(follower, ct).ConfigureAwait(false);
            killedAt = Stopwatch.GetTimestamp();
            server.KillMember(leader);
            acknowledgedAt = await writer.WriteUntilAcknowledgedAsync(ct).ConfigureAwait(false);
        }

        await server.WaitForMemberExitAsync(leader, ct).ConfigureAwait(false);
        var restartedAt = Stopwatch.GetTimestamp();
        launcher.RestartMember(server, leader, settings);
        await EnsembleProbe.WaitUntilAllServeAsync(server, options.RejoinTimeout, ct).ConfigureAwait(false);
        var rejoinMs = Stopwatch.GetElapsedTime(restartedAt).TotalMilliseconds;

        return new FailoverRound(round, leader + 1, follower + 1, writer.AcknowledgedBy + 1,
            Math.Round(Stopwatch.GetElapsedTime(killedAt, acknowledgedAt).TotalMilliseconds, 2),
            writer.Attempts, writer.Reconnects, writer.NewSession, Math.Round(rejoinMs, 1),
            new SortedDictionary<string, int>(writer.Errors.ToDictionary(), StringComparer.Ordinal));
    }

    public static string Describe(string server, FailoverRound r) => string.Create(CultureInfo.InvariantCulture,
        $"{server,-14} fail-over round {r.Round,2}: killed leader {r.KilledMyId}, client on {r.ClientMyId}, write acknowledged via {r.AcknowledgedByMyId} after {r.FailoverMs,8:F1} ms ({r.Attempts} writes, {r.Reconnects} reconnects{(r.NewSession ? ", new session" : "")}; {FailoverWriter.Describe(r.ErrorsByKind)}); member {r.KilledMyId} back in {r.RejoinMs:F0} ms");
}
