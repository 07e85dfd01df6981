// A child process for crash tests and a journal benchmark. "crash" appends group-committed batches forever,
// printing each durable zxid the moment Sync returns, until it is killed; "bench" measures txns/s. One thread.
using System.Diagnostics;
using System.Globalization;
using Zk.JournalCrashChild;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: crash <dir> <seed> [maxBatch] | bench <dir> <txns> <batch> [payloadBytes] [forceSync yes|no]");
    return 2;
}
var directory = args[1];
return args[0] switch
{
    "crash" => RunCrash(directory, Arg(2, 1), Arg(3, 300)),
    "bench" => RunBench(directory, Arg(2, 200_000), Arg(3, 1000), Arg(4, CrashProtocol.PayloadBytes), args.Length <= 5 || args[5] != "no"),
    _ => 2,
};

int Arg(int index, int fallback) =>
    args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

static int RunCrash(string directory, int seed, int maxBatch)
{
    using var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
    using var committer = DirectJournalCommitter.Open(directory, forceSync: true);
    new CrashWorkload(committer, new Random(seed), maxBatch, line => stdout.WriteLine(line)).RunForever();
    return 0;
}

static int RunBench(string directory, int txns, int batchSize, int payloadBytes, bool forceSync)
{
    using var committer = DirectJournalCommitter.Open(directory, forceSync);
    var payload = new byte[payloadBytes];
    var epoch = committer.AcceptedEpoch + 1;
    committer.CommitAcceptedEpoch(epoch);
    var batch = new List<(long, byte[])>(batchSize);
    var counter = 0L;
    var clock = Stopwatch.StartNew();
    var batches = 0;
    while (counter < txns)
    {
        batch.Clear();
        while (batch.Count < batchSize && counter < txns)
            batch.Add(((epoch << 32) | ++counter, payload));
        committer.Commit(batch, batches == 0 ? epoch : null);
        batches++;
    }
    var seconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"txns={txns} batch={batchSize} payload={payloadBytes}B forceSync={forceSync} batches={batches} " +
        $"elapsed={seconds:F2}s txns/s={txns / seconds:F0} syncs/s={batches / seconds:F0}"));
    return 0;
}
