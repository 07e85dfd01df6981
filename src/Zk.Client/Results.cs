// Typed results of the client's read and write calls. Immutable values.
using Zk.Protocol;

namespace Zk.Client;

/// <summary>Data is null when the node was created with null data (distinct from empty).</summary>
public sealed record DataResult(byte[]? Data, Stat Stat);

public sealed record ChildrenResult(IReadOnlyList<string> Children, Stat Stat);

public sealed record AclResult(IReadOnlyList<Acl> Acl, Stat Stat);

/// <summary>Path is the created node's client path, including any sequence suffix.</summary>
public sealed record CreateResult(string Path, Stat Stat);

/// <summary>One identity of the connection as whoAmI reports it (for digest, the user name).</summary>
public sealed record AuthIdentity(string Scheme, string User);
