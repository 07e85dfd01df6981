// ZkActors (a private copy of the built zkactors.dll) as a child process: `dotnet zkactors.dll zoo.cfg`. Config keys
// are zoo.cfg's; unset ones get the test defaults of ServerProcess (loopback, a free client port, a temp dataDir,
// all four-letter words, no admin server).
using System.Diagnostics;

namespace Zk.TestSupport;

public sealed class ZkActorsProcess : ServerProcess
{
    /// <summary>Exit codes of zkactors: bad config, port in use, unrecoverable data.</summary>
    public const int ExitBadConfig = 2;
    public const int ExitPortInUse = 3;
    public const int ExitBadData = 4;

    public ZkActorsProcess(IReadOnlyDictionary<string, string>? config = null, string name = "zkactors", string? directory = null, int? myId = null)
        : base(name, config, directory, myId)
    {
    }

    private ZkActorsProcess(string name, string preparedConfigPath)
        : base(name, preparedConfigPath)
    {
    }

    /// <summary>Creates and starts a server; disposes it if it does not come up.</summary>
    public static Task<ZkActorsProcess> LaunchAsync(IReadOnlyDictionary<string, string>? config = null, string name = "zkactors") =>
        StartOrDisposeAsync(new ZkActorsProcess(config, name));

    /// <summary>A server over a zoo.cfg someone else wrote (the docker entry point's); not started yet.</summary>
    public static ZkActorsProcess FromConfigFile(string name, string configPath) => new(name, configPath);

    protected override ProcessStartInfo BuildStartInfo(string configPath)
    {
        var psi = new ProcessStartInfo(TestPaths.DotnetHost);
        psi.ArgumentList.Add(TestPaths.ZkActorsDll);
        psi.ArgumentList.Add(configPath);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_gcServer"] = "0";
        return psi;
    }

    protected override bool ExitedBecausePortWasTaken(int exitCode, string log) => exitCode == ExitPortInUse;
}
