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
    void IDispatcher.Schedule(ActorCell cell) => ThreadPool.UnsafeQueueUserWorkItem(new WorkItem(cell, throughput), preferLocal: false);

    private sealed class WorkItem(ActorCell cell, int throughput) : IThreadPoolWorkItem
    {
        public void Execute() => cell.Run(throughput);
    }
}

public sealed class DedicatedThreadDispatcher : IDispatcher, IDisposable
{
    private readonly SemaphoreSlim _signal = new(0);
    private readonly Thread _thread;
    private ActorCell? _cell;
    private volatile bool _disposed;

    public DedicatedThreadDispatcher(string name)
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    void IDispatcher.Schedule(ActorCell cell)
    {
        _cell = cell;
        _signal.Release();
    }

    private void Loop()
    {
        while (!_disposed)
        {
            _signal.Wait();
            var cell = _cell;
            // Drain everything that is queued: a blocking actor wants the biggest batch it can get.
            if (cell is not null && !_disposed) cell.Run(int.MaxValue);
            if (cell is { IsTerminated: true }) _disposed = true;
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _signal.Release();
    }
}
