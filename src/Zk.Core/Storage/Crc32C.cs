// CRC-32C (Castagnoli), hardware-accelerated through BitOperations.Crc32C; the checksum of every journal record
// and snapshot. Pure and thread-safe. The on-disk format depends on it: DiskFormatTests pins its values.
using System.Buffers.Binary;
using System.Numerics;

namespace Zk.Core.Storage;

public static class Crc32C
{
    // Standard CRC-32C starts from all ones and inverts the result; BitOperations.Crc32C is the raw step.
    private const uint Seed = 0xFFFFFFFF;

    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Update(Start(), data));

    /// <summary>The CRC of one journal record: it covers the zxid too, so a record read under the wrong zxid fails.</summary>
    public static uint ForRecord(long zxid, ReadOnlySpan<byte> payload)
    {
        var crc = BitOperations.Crc32C(Start(), (ulong)zxid);
        return Finish(Update(crc, payload));
    }

    public static uint Start() => Seed;

    public static uint Finish(uint state) => ~state;

    public static uint Update(uint state, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            state = BitOperations.Crc32C(state, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data)
            state = BitOperations.Crc32C(state, b);
        return state;
    }
}
