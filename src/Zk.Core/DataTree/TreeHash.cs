// Deterministic 64-bit hashing for the tree digest and the child tables. Pure functions, thread-safe.
// Unlike string.GetHashCode: same value in every process (digests compare across replicas; child order repeats).
using System.Buffers.Binary;
using System.Numerics;

namespace Zk.Core.DataTree;

internal static class TreeHash
{
    private const ulong P1 = 0x9E3779B97F4A7C15UL;
    private const ulong P2 = 0xC2B2AE3D27D4EB4FUL;
    private const ulong P3 = 0x165667B19E3779F9UL;

    public const ulong PathSeed = 0x5A4B_5041_5448_0001UL;
    public const ulong DataSeed = 0x5A4B_4441_5441_0002UL;
    public const ulong NameSeed = 0x5A4B_4E41_4D45_0003UL;
    public const ulong AclSeed = 0x5A4B_4143_4C00_0004UL;

    /// <summary>Stands for null data, so that null and empty data hash differently.</summary>
    public const ulong NullData = 0x6E75_6C6C_6461_7461UL;

    public static ulong Mix(ulong h, ulong v) => BitOperations.RotateLeft(h ^ (v * P2), 31) * P1;

    /// <summary>The murmur3 finalizer: spreads every input bit over every output bit.</summary>
    public static ulong Final(ulong h)
    {
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        h ^= h >> 33;
        return h;
    }

    public static ulong Bytes(ReadOnlySpan<byte> data, ulong seed)
    {
        var h = seed ^ ((ulong)data.Length * P3);
        var i = 0;
        for (; i + 8 <= data.Length; i += 8) h = Mix(h, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        if (i < data.Length)
        {
            ulong tail = 0;
            for (var k = data.Length - 1; k >= i; k--) tail = (tail << 8) | data[k];
            h = Mix(h, tail);
        }
        return Final(h);
    }

    /// <summary>Hashes UTF-16 units four at a time, packed explicitly so the result does not depend on endianness.</summary>
    public static ulong Chars(ReadOnlySpan<char> s, ulong seed)
    {
        var h = seed ^ ((ulong)s.Length * P3);
        var i = 0;
        for (; i + 4 <= s.Length; i += 4)
            h = Mix(h, s[i] | ((ulong)s[i + 1] << 16) | ((ulong)s[i + 2] << 32) | ((ulong)s[i + 3] << 48));
        if (i < s.Length)
        {
            ulong tail = 0;
            for (var k = s.Length - 1; k >= i; k--) tail = (tail << 16) | s[k];
            h = Mix(h, tail);
        }
        return Final(h);
    }

    public static ulong Data(byte[]? data) => data is null ? NullData : Bytes(data, DataSeed);

    public static ulong Path(ReadOnlySpan<char> path) => Chars(path, PathSeed);
}
