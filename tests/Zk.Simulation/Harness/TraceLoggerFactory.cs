// Logging for simulated servers: Information and above go to the run's trace (role changes, elections, syncs),
// and every Error (an actor failed: a broken invariant inside a server) is reported as a violation.
using Microsoft.Extensions.Logging;

namespace Zk.Simulation.Harness;

public sealed class TraceLoggerFactory(int serverId, TraceLog trace, Action<string> onError) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new TraceLogger(serverId, trace, onError);

    public void AddProvider(ILoggerProvider provider) { }

    public void Dispose() { }

    private sealed class TraceLogger(int serverId, TraceLog trace, Action<string> onError) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var text = $"s{serverId} {formatter(state, exception)}";
            trace.Event(text);
            if (logLevel >= LogLevel.Error) onError(exception is null ? text : $"{text}: {exception.GetType().Name}: {exception.Message}");
        }
    }
}
