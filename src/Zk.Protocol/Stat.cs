// The 68-byte Stat record exactly as clients see it (field order is the wire order).
namespace Zk.Protocol;

public readonly record struct Stat(
    long Czxid,
    long Mzxid,
    long Ctime,
    long Mtime,
    int Version,
    int Cversion,
    int Aversion,
    long EphemeralOwner,
    int DataLength,
    int NumChildren,
    long Pzxid)
{
    public const int WireSize = 68;
}
