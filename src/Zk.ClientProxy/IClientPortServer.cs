// What the client port needs from the server it fronts: whether it serves clients now, a session actor per
// accepted handshake, and the text of four-letter-word commands.
using Zk.Actors.Kernel;
using Zk.Actors.Sessions;
using Zk.Protocol.Framing;
using Zk.Protocol.Records;
using Zk.Core.Sessions;

namespace Zk.ClientProxy;

public interface IClientPortServer
{
    /// <summary>False while the server has no leader (LOOKING): ZooKeeper closes such connections at once.</summary>
    bool IsServing { get; }

    ActorRef SpawnSession(IClientConnection connection, ConnectRequest request);

    Task<string> RunFourLetterWordAsync(FourLetterWord word, ConnectionRegistry connections, CancellationToken ct);
}
