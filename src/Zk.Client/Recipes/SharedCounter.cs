// A shared 64-bit counter kept as decimal text in one node (kazoo's Counter format), changed by versioned
// compare-and-set so concurrent updates never get lost. Thread-safe.
using System.Globalization;
using System.Text;
using Zk.Protocol;

namespace Zk.Client.Recipes;

public sealed class SharedCounter(ZooKeeperClient zk, string path, long initialValue = 0)
{
    public async Task<long> GetAsync(CancellationToken cancellationToken = default) =>
        (await ReadAsync(cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>Adds <paramref name="delta"/> atomically and returns the new value.</summary>
    public async Task<long> AddAsync(long delta, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var (value, version) = await ReadAsync(cancellationToken).ConfigureAwait(false);
            var next = checked(value + delta);
            if (await TrySetAsync(next, version, cancellationToken).ConfigureAwait(false)) return next;
        }
    }

    /// <summary>Sets the value only when it is still <paramref name="expected"/>; returns whether it did.</summary>
    public async Task<bool> CompareAndSetAsync(long expected, long value, CancellationToken cancellationToken = default)
    {
        var (current, version) = await ReadAsync(cancellationToken).ConfigureAwait(false);
        return current == expected && await TrySetAsync(value, version, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The value and the node version a later TrySetAsync must name.</summary>
    public async Task<(long Value, int Version)> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            try
            {
                var data = await RecipeSupport.RetryAsync(zk, () => zk.GetDataAsync(path, cancellationToken: cancellationToken), cancellationToken)
                    .ConfigureAwait(false);
                return (Parse(data.Data), data.Stat.Version);
            }
            catch (NoNodeException)
            {
                await CreateAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Writes the value if the node is still at <paramref name="version"/>.</summary>
    public async Task<bool> TrySetAsync(long value, int version, CancellationToken cancellationToken = default)
    {
        try
        {
            await zk.SetDataAsync(path, Format(value), version, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (BadVersionException)
        {
            return false;
        }
        catch (ConnectionLossException)
        {
            // Unknown outcome: report "not set" so the caller re-reads; a versioned write cannot apply twice.
            await zk.WaitForConnectedAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }
    }

    private async Task CreateAsync(CancellationToken ct)
    {
        await RecipeSupport.EnsurePathAsync(zk, PathUtils.Parent(path), ct).ConfigureAwait(false);
        try
        {
            await RecipeSupport.RetryAsync(zk, () => zk.CreateAsync(path, Format(initialValue), cancellationToken: ct), ct).ConfigureAwait(false);
        }
        catch (NodeExistsException)
        {
            // Created concurrently, possibly by our own lost-reply create.
        }
    }

    private static byte[] Format(long value) => Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));

    private static long Parse(byte[]? data) =>
        data is null || data.Length == 0 ? 0 : long.Parse(Encoding.ASCII.GetString(data), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
}
