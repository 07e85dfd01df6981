// The invariants every IJournal enforces on its caller (zab.md §13: zxids only grow, epochs never go back,
// acceptedEpoch ≥ currentEpoch). Shared so the in-memory and SQLite journals reject exactly the same calls.
namespace Zk.Core.Storage;

public static class JournalRules
{
    public static void CheckAppend(long zxid, long lastZxid)
    {
        if (zxid <= 0)
            throw new ArgumentOutOfRangeException(nameof(zxid), $"zxid 0x{zxid:x} is not positive");
        if (zxid <= lastZxid)
            throw new ArgumentOutOfRangeException(nameof(zxid), $"zxid 0x{zxid:x} does not follow the last logged zxid 0x{lastZxid:x}");
    }

    public static void CheckAcceptedEpoch(long epoch, long pendingAccepted)
    {
        if (epoch < pendingAccepted)
            throw new InvalidOperationException($"acceptedEpoch may not go back from {pendingAccepted} to {epoch}");
    }

    public static void CheckCurrentEpoch(long epoch, long pendingCurrent, long pendingAccepted)
    {
        if (epoch < pendingCurrent)
            throw new InvalidOperationException($"currentEpoch may not go back from {pendingCurrent} to {epoch}");
        if (epoch > pendingAccepted)
            throw new InvalidOperationException($"currentEpoch {epoch} may not exceed acceptedEpoch {pendingAccepted}");
    }
}
