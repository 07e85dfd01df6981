// The flight recorder of one simulation run: a rolling hash of every scheduling step (the determinism check
// compares it between two runs of a seed) and rings of the last steps and events, printed with the seed when
// a check fails. Single-threaded, like the run it records.
using System.Text;

namespace Zk.Simulation.Harness;

public sealed class TraceLog(Func<long> nowMs, int eventCapacity = 160, int stepCapacity = 40)
{
    private readonly (long TimeMs, string Text)[] _events = new (long, string)[eventCapacity];
    private readonly (long TimeMs, long Step, string Path)[] _steps = new (long, long, string)[stepCapacity];
    private long _eventCount;
    private long _stepCount;
    private ulong _hash = 14695981039346656037UL;

    /// <summary>FNV-1a over every step's actor path and virtual time: equal for two runs that scheduled identically.</summary>
    public ulong Hash => _hash;

    public long Steps => _stepCount;

    public long Events => _eventCount;

    public void Step(string actorPath)
    {
        var now = nowMs();
        _steps[_stepCount % _steps.Length] = (now, _stepCount, actorPath);
        _stepCount++;
        Mix((ulong)now);
        foreach (var c in actorPath) Mix(c);
    }

    public void Event(string text)
    {
        _events[_eventCount % _events.Length] = (nowMs(), text);
        _eventCount++;
        foreach (var c in text) Mix(c);
    }

    private void Mix(ulong v)
    {
        _hash ^= v;
        _hash *= 1099511628211UL;
    }

    /// <summary>The last events, then the last actor steps, oldest first.</summary>
    public string Dump()
    {
        var sb = new StringBuilder();
        var first = Math.Max(0, _eventCount - _events.Length);
        sb.AppendLine($"--- last {_eventCount - first} of {_eventCount} events ---");
        for (var i = first; i < _eventCount; i++)
        {
            var (t, text) = _events[i % _events.Length];
            sb.Append(t.ToString("D6")).Append("ms ").AppendLine(text);
        }
        var firstStep = Math.Max(0, _stepCount - _steps.Length);
        sb.AppendLine($"--- last {_stepCount - firstStep} of {_stepCount} actor steps ---");
        for (var i = firstStep; i < _stepCount; i++)
        {
            var (t, n, path) = _steps[i % _steps.Length];
            sb.Append(t.ToString("D6")).Append("ms #").Append(n).Append(' ').AppendLine(path);
        }
        return sb.ToString();
    }
}
