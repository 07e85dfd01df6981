// Freezes what is on disk (STYLE.md §9): the CRC-32C algorithm and record coverage, the snapshot layout and
// file names. A change here makes existing data directories unreadable; bump a version instead.
using System.Text;
using Zk.Core.Testing;
using Zk.Core.Storage;

namespace Zk.Core.Tests.Storage;

public sealed class DiskFormatTests
{
    [Fact]
    public void Crc32C_matches_the_standard_check_value()
    {
        // The CRC-32C check value from the catalogue of parametrised CRC algorithms.
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Fact]
    public void Crc32C_is_the_same_computed_whole_or_in_pieces()
    {
        var data = Encoding.ASCII.GetBytes("the quick brown fox jumps over the lazy dog, twice over");
        for (var split = 0; split <= data.Length; split++)
        {
            var state = Crc32C.Update(Crc32C.Update(Crc32C.Start(), data.AsSpan(0, split)), data.AsSpan(split));
            Assert.Equal(Crc32C.Compute(data), Crc32C.Finish(state));
        }
    }

    [Fact]
    public void A_record_crc_covers_the_zxid_as_eight_little_endian_bytes_then_the_payload()
    {
        byte[] payload = [1, 2, 3];
        byte[] covered = [0x07, 0, 0, 0, 0x01, 0, 0, 0, 1, 2, 3];
        Assert.Equal(Crc32C.Compute(covered), Crc32C.ForRecord(0x100000007, payload));
        Assert.NotEqual(Crc32C.ForRecord(0x100000007, payload), Crc32C.ForRecord(0x100000008, payload));
    }

    [Fact]
    public void The_snapshot_layout_is_frozen()
    {
        using var file = new MemoryStream();
        var encoder = new SnapshotEncoderStream(file, 0x100000002);
        encoder.Write([0xAA, 0xBB]);
        encoder.Complete();
        var bytes = file.ToArray();

        byte[] header = [(byte)'Z', (byte)'K', (byte)'S', (byte)'N', 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0];
        Assert.Equal(header, bytes[..24]);
        Assert.Equal(new byte[] { 0xAA, 0xBB }, bytes[24..26]);
        Assert.Equal(BitConverter.GetBytes(Crc32C.Compute([0xAA, 0xBB])), bytes[26..30]);
        Assert.Equal(BitConverter.GetBytes(Crc32C.Compute(header)), bytes[30..34]);
        Assert.Equal(34, bytes.Length);
    }

    [Theory]
    [InlineData(0L, "snapshot.0")]
    [InlineData(0x100000000L, "snapshot.100000000")]
    [InlineData(0x7fffffffffffffffL, "snapshot.7fffffffffffffff")]
    public void Snapshot_file_names_are_lowercase_hex_like_ZooKeeper(long zxid, string name)
    {
        Assert.Equal(name, SnapshotNames.For(zxid));
        Assert.True(SnapshotNames.TryParse(name, out var parsed));
        Assert.Equal(zxid, parsed);
        Assert.Equal(name + ".tmp", SnapshotNames.TempFor(zxid));
    }
}
