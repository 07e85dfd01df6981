// Placeholder entry point until the composition root lands (the lead's): loads zoo.cfg — the path given as the only
// argument, else the standalone defaults — prints the warnings and stops with exit code 2 on an invalid config.
using Zk.Host.Config;

try
{
    var loaded = args.Length > 0
        ? ServerConfigLoader.LoadFile(args[0])
        : new LoadedConfig(ServerConfig.StandaloneDefault, []);
    foreach (var warning in loaded.Warnings)
        Console.Error.WriteLine($"warning: {warning}");
    Console.WriteLine($"configuration OK: client {loaded.Config.ClientAddress}, dataDir {loaded.Config.DataDir}");
    return 0;
}
catch (ConfigException e)
{
    Console.Error.WriteLine($"invalid configuration: {e.Message}");
    return 2;
}
