// Crash safety with real processes, through the server's own journal path: a child process submits group-committed
// batches to the JournalActor (a production ActorSystem, the actor on its dedicated thread, over a SqliteJournal)
// and reports each zxid whose durability the actor acknowledged; the test SIGKILLs it at seeded random moments,
// reopens the journal and checks that nothing acknowledged is lost, the log is contiguous, and every batch in
// flight at the kill is there whole or not at all (nothing after a torn record). Each round lets the child keep
// 1 to 8 batches waiting for durability, so several share an fsync. ZK_CRASH_SEED picks another seed; the seed
// and round are in every failure message.
using System.Globalization;
using Xunit.Abstractions;
using Zk.Host.Storage;
using Zk.JournalCrashChild;
using Zk.TestSupport;

namespace Zk.Host.Tests.Storage;

public sealed class JournalCrashTests(ITestOutputHelper output) : IDisposable
{
    private const int Rounds = 24;
    private const int MaxBatch = 300;
    private const int MaxWindow = 8;
    private const int DefaultSeed = 20250611;

    private readonly TempDirectory _dir = new("zk-crash-");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Every_zxid_the_JournalActor_acknowledged_survives_SIGKILL_at_random_moments()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ZK_CRASH_SEED"), CultureInfo.InvariantCulture, out var s) ? s : DefaultSeed;
        var random = new Random(seed);
        var history = new CrashHistory();
        var roundsWithProgress = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var context = $"seed {seed}, round {round}";
            var lines = await RunChildAndKill(random, context);

            var synced = history.Record(lines, context);
            roundsWithProgress += synced > 0 ? 1 : 0;
            using var journal = SqliteJournal.Open(_dir.Path);
            output.WriteLine($"{context}: {history.Verify(journal, context)}");
        }
        // Guard against a test that passes because the child never got going.
        Assert.True(roundsWithProgress >= Rounds / 2, $"only {roundsWithProgress} of {Rounds} rounds made durable progress (seed {seed})");
        Assert.True(history.TotalSynced > 10_000, $"only {history.TotalSynced} txns were reported durable (seed {seed})");
        Assert.True(history.MaxInFlight > 1, $"no round had more than one batch awaiting durability (seed {seed})");
    }

    private async Task<IReadOnlyList<string>> RunChildAndKill(Random random, string context)
    {
        var childSeed = random.Next();
        var window = random.Next(1, MaxWindow + 1);
        var killDuringStartup = random.Next(6) == 0;
        var killDelayMs = killDuringStartup ? random.Next(0, 250) : random.Next(0, 400);
        output.WriteLine($"{context}: child seed {childSeed}, window {window}, kill {killDelayMs} ms after {(killDuringStartup ? "start" : "its epoch")}");
        var childDll = Path.Combine(AppContext.BaseDirectory, "Zk.JournalCrashChild.dll");
        await using var child = InteractiveProcess.Start(TestPaths.DotnetHost,
            [childDll, "crash", _dir.Path, .. new[] { childSeed, MaxBatch, window }.Select(n => n.ToString(CultureInfo.InvariantCulture))]);
        if (!killDuringStartup)
            await child.ReadUntilAsync(line => line.StartsWith(CrashProtocol.Accepted, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        await Task.Delay(killDelayMs);
        if (child.HasExited)
            Assert.Fail($"{context}: the child exited by itself with code {child.ExitCode}: {child.Stderr}");
        await child.KillAsync();   // SIGKILL: no finally blocks, no flush, no close.
        await child.OutputEnded.WaitAsync(TimeSpan.FromSeconds(30));
        return child.TranscriptLines;
    }
}
