// Samples a server's CPU time (summed over an ensemble's members) and the client's own at the edges of a run's measured
// phase, and the server's RSS at its end, from /proc. Called by the runner's thread at those two moments only.
using System.Diagnostics;
using Zk.Bench.Runner;

namespace Zk.Bench.Compare;

internal sealed class CpuObserver(IReadOnlyList<int> pids) : IRunObserver
{
    private double? _serverStart;
    private TimeSpan _clientStart;

    public double? ServerCpuS { get; private set; }

    public long? ServerRssBytes { get; private set; }

    public double ClientCpuS { get; private set; }

    public void OnMeasureStart()
    {
        _serverStart = ProcessProbe.CpuSeconds(pids);
        _clientStart = Process.GetCurrentProcess().TotalProcessorTime;
    }

    public void OnMeasureEnd()
    {
        var end = ProcessProbe.CpuSeconds(pids);
        ServerCpuS = end - _serverStart;
        ServerRssBytes = ProcessProbe.RssBytes(pids);
        ClientCpuS = (Process.GetCurrentProcess().TotalProcessorTime - _clientStart).TotalSeconds;
    }
}
