// Messages between the PeerActor and the role actors it spawns (leader, follower, observer).
using Zk.Core.Zab;

namespace Zk.Actors.Zab;

/// <summary>The role is established and its server serves clients (leader: NEWLEADER quorum; learner: UPTODATE).</summary>
public sealed record RoleEstablished(PeerState State, long Epoch, long LeaderId);

/// <summary>The role ended (lost quorum, leader gone, protocol violation): the server goes back to LOOKING.</summary>
public sealed record RoleEnded(string Reason);
