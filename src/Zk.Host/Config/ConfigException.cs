// An invalid configuration: start-up stops with this message, which names the file, line, key and value.
namespace Zk.Host.Config;

public sealed class ConfigException : Exception
{
    public ConfigException()
    {
    }

    public ConfigException(string message)
        : base(message)
    {
    }

    public ConfigException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>"zoo.cfg line 4: tickTime=abc is not a positive integer".</summary>
    internal static ConfigException For(ConfigEntry entry, string problem, Exception? inner = null)
    {
        var hint = entry.Value.Contains('#', StringComparison.Ordinal)
            ? " (zoo.cfg has no end-of-line comments: a # comment must start its own line)"
            : "";
        var message = $"{entry.Where}: {entry.Key}={entry.Value} {problem}{hint}";
        return inner is null ? new ConfigException(message) : new ConfigException(message, inner);
    }
}
