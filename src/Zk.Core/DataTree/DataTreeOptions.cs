// Options that change how the tree and the preparer behave. Every replica must run with the same values
// (they affect validation and the stats clients see), so they come from the ensemble's shared zoo.cfg.
using Zk.Core.DataTree.Auth;

namespace Zk.Core.DataTree;

public sealed record DataTreeOptions
{
    public static readonly DataTreeOptions Default = new();

    /// <summary>Initial data of /zookeeper/config (empty on a standalone server).</summary>
    public byte[] ConfigData { get; init; } = [];

    /// <summary>zookeeper.skipACL: every permission check passes.</summary>
    public bool SkipAcl { get; init; }

    /// <summary>zookeeper.DigestAuthenticationProvider.superDigest, "super:&lt;hash&gt;", or null.</summary>
    public string? SuperDigest { get; init; }

    /// <summary>zookeeper.extendedTypesEnabled: TTL nodes allowed and TTL owners recognised.</summary>
    public bool ExtendedTypesEnabled { get; init; }

    /// <summary>
    /// Largest data a create or setData may carry (BadArguments beyond). ZooKeeper has no such check because
    /// its frame limit (jute.maxbuffer) closes the connection first; this guards configurations with larger frames.
    /// </summary>
    public int MaxDataBytes { get; init; } = 1_048_575;

    public AclPolicy CreateAclPolicy() => SkipAcl ? new AclPolicy(skipAcl: true) : AclPolicy.Default;

    /// <summary>The addauth handlers, recognising this ensemble's super digest.</summary>
    public AuthProviders CreateAuthProviders() => new(SuperDigest);
}
