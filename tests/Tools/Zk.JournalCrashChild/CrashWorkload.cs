// The crash child's workload: each run takes a new epoch (acceptedEpoch, then currentEpoch with its first batch,
// as a new leader would), then appends batches of random size with contiguous counters, reporting progress
// through CrashProtocol lines. Single-threaded.
namespace Zk.JournalCrashChild;

public sealed class CrashWorkload(IBatchCommitter committer, Random random, int maxBatch, Action<string> report)
{
    public void RunForever()
    {
        var epoch = committer.AcceptedEpoch + 1;
        committer.CommitAcceptedEpoch(epoch);
        report(CrashProtocol.Line(CrashProtocol.Accepted, epoch));
        var counter = 0L;
        var batch = new List<(long, byte[])>(maxBatch);
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
            committer.Commit(batch, counter == size ? epoch : null);
            report(CrashProtocol.Line(CrashProtocol.Synced, last));
        }
    }
}
