// The one exception for bytes that do not decode as the protocol says. The connection loop catches it and
// closes that connection; nothing else is affected.
namespace Zk.Protocol.Jute;

public sealed class MalformedFrameException(string message) : Exception(message);
