// Specifications of the in-memory history's memory diet: an entry drops its decoded txn once the tree has been
// sent it, and still answers with an equal txn decoded from its payload when asked later (a new leader's suffix).
using Zk.Protocol;
using Zk.Protocol.Jute;
using Zk.Core.DataTree;
using Zk.Core.Zab;

namespace Zk.Core.Tests.Zab;

public sealed class TxnHistoryTests
{
    private static HistoryEntry Entry(long zxid)
    {
        var txn = new Txn(7, (int)zxid, zxid, 1_700_000_000_000 + zxid, new SetDataTxn($"/n{zxid}", [1, 2, 3], (int)zxid));
        using var w = new JuteWriter();
        TxnCodec.Write(w, txn);
        return new HistoryEntry(zxid, w.ToArray(), txn);
    }

    [Fact]
    public void Entries_the_tree_was_sent_release_their_txn_and_decode_it_again_on_demand()
    {
        var history = new TxnHistory(0, maxEntries: 8);
        var entries = Enumerable.Range(1, 30).Select(z => Entry(z)).ToList();
        var originals = entries.Select(e => e.Txn).ToList();
        foreach (var e in entries.Take(20)) history.Append(e);
        history.AppliedZxid = 12;
        foreach (var e in entries.Skip(20)) history.Append(e);
        history.AppliedZxid = 25;

        for (var i = 0; i < entries.Count; i++)
        {
            var again = entries[i].Txn;
            Assert.Equal(i < 25, !ReferenceEquals(originals[i], again));
            Assert.Equal(originals[i].Zxid, again.Zxid);
            Assert.Equal(((SetDataTxn)originals[i].Body).Path, ((SetDataTxn)again.Body).Path);
            Assert.Equal(originals[i].TimeMs, again.TimeMs);
        }
        // Trimming kept the unapplied tail and the history still serves ranges over it.
        Assert.Equal(Enumerable.Range(26, 5).Select(z => (long)z), history.Range(25, 30).Select(e => e.Zxid));
    }
}
