// Production dispatchers. The thread-pool dispatcher runs a scheduled actor for a bounded batch of messages
// on a pool thread; the dedicated dispatcher gives one blocking actor (the journal) a thread of its own, so
// an fsync never stalls the pool.
namespace Zk.Actors.Kernel;

public interface IDispatcher
{
    /// <summary>Called once each time a cell goes from idle to runnable; the dispatcher must eventually call Run.</summary>
    internal void Schedule(ActorCell cell);
}

public sealed class ThreadPoolDispatcher(int throughput = 64) : IDispatcher
{
    void IDispatcher.Schedule(ActorCell cell)
    {
        if (!InlineTurns.TryDefer(cell)) Queue(cell);
    }

    internal void Queue(ActorCell cell)
    {
        // One work item per cell, reused: a cell is scheduled at most once at a time (ActorCell._scheduled).
        var item = cell.PoolWorkItem ??= new WorkItem(this, cell);
        ThreadPool.UnsafeQueueUserWorkItem(item, preferLocal: false);
    }

    internal void RunTurn(ActorCell cell) => cell.Run(throughput);

    private sealed class WorkItem(ThreadPoolDispatcher dispatcher, ActorCell cell) : IThreadPoolWorkItem
    {
        public void Execute()
        {
            using var chain = InlineTurns.Begin();
            dispatcher.RunTurn(cell);
        }
    }
}

public sealed class DedicatedThreadDispatcher : IDispatcher, IDisposable
{
    // A plain monitor, not a SemaphoreSlim: SemaphoreSlim.Wait spins (sched_yield) before it blocks, and the journal
    // thread waits once per group commit, so those spins cost more CPU than the commit itself at low load.
    private readonly object _gate = new(); // an object, not a Lock: Monitor.Wait needs the monitor of a plain object
    private readonly Thread _thread;
    private ActorCell? _cell;
    private bool _pending;
    private volatile bool _disposed;

    public DedicatedThreadDispatcher(string name)
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    void IDispatcher.Schedule(ActorCell cell)
    {
        lock (_gate)
        {
            _cell = cell;
            _pending = true;
            Monitor.Pulse(_gate);
        }
    }

    private void Loop()
    {
        while (!_disposed)
        {
            ActorCell? cell;
            lock (_gate)
            {
                while (!_pending && !_disposed) Monitor.Wait(_gate);
                _pending = false;
                cell = _cell;
            }
            // Drain everything that is queued: a blocking actor wants the biggest batch it can get.
            if (cell is not null && !_disposed) RunTurn(cell);
            if (cell is { IsTerminated: true }) _disposed = true;
        }
    }

    // The actor its turn woke (the leader, told a batch is durable) runs on this thread when nothing else is queued
    // here, as ZooKeeper's sync thread runs the next request processor itself; when more work is queued the blocking
    // actor comes first and the woken one goes to the pool.
    private void RunTurn(ActorCell cell)
    {
        using var chain = InlineTurns.Begin();
        cell.Run(int.MaxValue);
        bool more;
        lock (_gate) more = _pending;
        if (more) InlineTurns.Release();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            Monitor.Pulse(_gate);
        }
    }
}
