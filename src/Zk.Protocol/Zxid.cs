// Transaction ids: epoch in the high 32 bits, counter in the low 32 bits, ordered numerically.
namespace Zk.Protocol;

public readonly record struct Zxid(long Value) : IComparable<Zxid>
{
    public static readonly Zxid Zero = new(0);

    public int Epoch => (int)(Value >>> 32);

    public uint Counter => (uint)Value;

    /// <summary>(e, 0) is an epoch marker, never a txn.</summary>
    public bool IsEpochMarker => Counter == 0;

    public static Zxid Make(int epoch, uint counter) => new(((long)epoch << 32) | counter);

    public Zxid Next() => new(Value + 1);

    public int CompareTo(Zxid other) => Value.CompareTo(other.Value);

    public static bool operator <(Zxid a, Zxid b) => a.Value < b.Value;
    public static bool operator >(Zxid a, Zxid b) => a.Value > b.Value;
    public static bool operator <=(Zxid a, Zxid b) => a.Value <= b.Value;
    public static bool operator >=(Zxid a, Zxid b) => a.Value >= b.Value;

    public override string ToString() => $"0x{Value:x}";
}
