// Runs the next actor of a chain on the current thread instead of waking a pool worker for it. Most messages
// between this server's actors form chains (connection → session → data tree → leader; journal → leader → data tree
// → session) in which the sender's turn ends right after its Tell; queueing each hop to the thread pool costs a
// futex wake-up and two context switches (expensive in a VM: an IPI per wake) only for the sender's thread to go
// idle. Like Go's runnext and Tokio's LIFO slot, the first thread-pool actor that code inside a scope makes
// runnable is kept in a per-thread slot and run by this thread when the scope ends; further ones go to the pool,
// where idle workers take them in parallel. Chains are capped so a busy pair of actors cannot monopolise a thread.
// Thread-static state only: every member acts on the calling thread.
namespace Zk.Actors.Kernel;

public static class InlineTurns
{
    /// <summary>Turns one scope may run inline before the rest of the chain goes back to the pool.</summary>
    public const int MaxTurns = 16;

    [ThreadStatic]
    private static bool t_active;

    [ThreadStatic]
    private static ActorCell? t_next;

    /// <summary>
    /// Opens a scope on this thread: the first thread-pool actor made runnable inside it runs here when the scope is
    /// disposed (and so on down its chain). Only for code that does not hold locks or wait on the actors it talks to.
    /// A scope opened inside another one does nothing; the outer one drains.
    /// </summary>
    public static Scope Begin()
    {
        if (t_active) return default;
        t_active = true;
        return new Scope(owner: true);
    }

    public readonly struct Scope(bool owner) : IDisposable
    {
        public void Dispose()
        {
            if (owner) Drain();
        }
    }

    /// <summary>Called by the thread-pool dispatcher: true when the cell will run on this thread at the end of the scope.</summary>
    internal static bool TryDefer(ActorCell cell)
    {
        if (!t_active || t_next is not null) return false;
        t_next = cell;
        return true;
    }

    /// <summary>Sends a deferred cell to the pool instead (the thread has better things to do, e.g. the journal's next commit).</summary>
    internal static void Release()
    {
        if (t_next is not { } cell) return;
        t_next = null;
        ((ThreadPoolDispatcher)cell.Dispatcher).Queue(cell);
    }

    private static void Drain()
    {
        try
        {
            for (var turns = 0; t_next is { } cell; turns++)
            {
                if (turns == MaxTurns) return;
                t_next = null;
                ((ThreadPoolDispatcher)cell.Dispatcher).RunTurn(cell);
            }
        }
        finally
        {
            // Run never throws (actor failures go to supervision), but a deferred cell must never be stranded.
            Release();
            t_active = false;
        }
    }
}
