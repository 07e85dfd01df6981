// A child process for crash tests and a journal benchmark. "crash" submits batches to the JournalActor forever,
// printing each zxid the moment its durability is acknowledged, until it is killed; "bench" measures txns/s
// through the JournalActor or, as a baseline, a bare SqliteJournal. The workload runs on the main thread.
using System.Diagnostics;
using System.Globalization;
using Zk.JournalCrashChild;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: crash <dir> <seed> [maxBatch] [window] | " +
                            "bench <dir> <txns> <batch> [payloadBytes] [forceSync yes|no] [actor|direct] [window]");
    return 2;
}
var directory = args[1];
return args[0] switch
{
    "crash" => RunCrash(directory, Arg(2, 1), Arg(3, 300), Arg(4, 4)),
    "bench" => RunBench(directory, Arg(2, 200_000), Arg(3, 1000), Arg(4, CrashProtocol.PayloadBytes), Word(5, "yes") != "no",
        Word(6, "actor") == "direct", Arg(7, 4)),
    _ => 2,
};

int Arg(int index, int fallback) =>
    args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

string Word(int index, string fallback) => args.Length > index ? args[index] : fallback;

static int RunCrash(string directory, int seed, int maxBatch, int window)
{
    using var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
    using var committer = ActorJournalCommitter.Open(directory, forceSync: true);
    new CrashWorkload(committer, new Random(seed), maxBatch, window, line => stdout.WriteLine(line)).RunForever();
    return 0;
}

static int RunBench(string directory, int txns, int batchSize, int payloadBytes, bool forceSync, bool direct, int window)
{
    using IBatchCommitter committer = direct ? DirectJournalCommitter.Open(directory, forceSync) : ActorJournalCommitter.Open(directory, forceSync);
    var payload = new byte[payloadBytes];
    var epoch = committer.AcceptedEpoch + 1;
    committer.CommitAcceptedEpoch(epoch);
    var batch = new List<(long, byte[])>(batchSize);
    var inFlight = new Queue<Task>();
    var counter = 0L;
    var clock = Stopwatch.StartNew();
    var batches = 0;
    while (counter < txns)
    {
        batch.Clear();
        while (batch.Count < batchSize && counter < txns)
            batch.Add(((epoch << 32) | ++counter, payload));
        inFlight.Enqueue(committer.SubmitAsync(batch, batches == 0 ? epoch : null));
        batches++;
        while (inFlight.Count >= window) inFlight.Dequeue().GetAwaiter().GetResult();
    }
    while (inFlight.Count > 0) inFlight.Dequeue().GetAwaiter().GetResult();
    var seconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"committer={(direct ? "direct" : "actor")} window={window} txns={txns} batch={batchSize} payload={payloadBytes}B forceSync={forceSync} " +
        $"batches={batches} elapsed={seconds:F2}s txns/s={txns / seconds:F0} batches/s={batches / seconds:F0}"));
    return 0;
}
