// The crash child's workload: each run takes a new epoch (acceptedEpoch, then currentEpoch with its first batch,
// as a new leader would), then submits batches of random size with contiguous counters, up to `window` of them
// awaiting durability at once, and reports progress through CrashProtocol lines: a batch is announced before it
// is submitted and reported synced, in submission order, once durable. Single-threaded.
namespace Zk.JournalCrashChild;

public sealed class CrashWorkload(IBatchCommitter committer, Random random, int maxBatch, int window, Action<string> report)
{
    public void RunForever()
    {
        var epoch = committer.AcceptedEpoch + 1;
        committer.CommitAcceptedEpoch(epoch);
        report(CrashProtocol.Line(CrashProtocol.Accepted, epoch));
        var counter = 0L;
        var batch = new List<(long, byte[])>(maxBatch);
        var inFlight = new Queue<(long LastZxid, Task Durable)>();
        while (true)
        {
            batch.Clear();
            var size = random.Next(1, maxBatch + 1);
            for (var i = 0; i < size; i++)
            {
                var zxid = (epoch << 32) | ++counter;
                batch.Add((zxid, CrashProtocol.PayloadFor(zxid)));
            }
            var first = (epoch << 32) | (counter - size + 1);
            var last = (epoch << 32) | counter;
            report(CrashProtocol.Line(CrashProtocol.Batch, first, last));
            inFlight.Enqueue((last, committer.SubmitAsync(batch, counter == size ? epoch : null)));
            // Report what is durable already; wait for the oldest only when the window is full.
            while (inFlight.Count > 0 && (inFlight.Count >= window || inFlight.Peek().Durable.IsCompleted))
            {
                var (durableZxid, durable) = inFlight.Dequeue();
                durable.GetAwaiter().GetResult();
                report(CrashProtocol.Line(CrashProtocol.Synced, durableZxid));
            }
        }
    }
}
