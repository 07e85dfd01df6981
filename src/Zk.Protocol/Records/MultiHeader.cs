// The 9-byte header before each op of a multi request and each result of a multi response. Immutable.
namespace Zk.Protocol.Records;

/// <summary>Type is an opcode (or -1 for an error result); Done marks the end of the list; Err is -1 in requests.</summary>
public readonly record struct MultiHeader(int Type, bool Done, int Err)
{
    public const int WireSize = 9;

    /// <summary>Ends the list in both directions.</summary>
    public static readonly MultiHeader Terminator = new(-1, true, -1);
}
