// Content identity of a txn for the checkers: FNV-1a over its serialized bytes. Equal bytes, equal txn;
// the codec is deterministic, so a decoded and re-encoded txn keeps its fingerprint. Pure.
using Zk.Actors.Tree;
using Zk.Core.DataTree;

namespace Zk.Simulation.Checking;

internal static class Fingerprint
{
    public static ulong Of(ReadOnlySpan<byte> bytes)
    {
        var h = 14695981039346656037UL;
        foreach (var b in bytes)
        {
            h ^= b;
            h *= 1099511628211UL;
        }
        return h;
    }

    public static ulong Of(Txn txn) => Of(TxnCodec.Encode(txn));
}
