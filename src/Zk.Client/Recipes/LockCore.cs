// The queue behind every lock-like recipe: each contender creates an ephemeral sequential node and waits only for
// the one node it must follow (no herd effect), chosen by a per-recipe rule. One instance per acquire attempt;
// not shared between threads.
using Zk.Protocol;

namespace Zk.Client.Recipes;

/// <summary>One queued node: "_c_{guid}-{kind}-{sequence}".</summary>
internal sealed record Contender(string Name, string Kind, long Sequence);

internal sealed class LockCore(ZooKeeperClient zk, string path, string kind, byte[]? data, Func<IReadOnlyList<Contender>, int, Contender?> blocker)
{
    private const string Marker = "_c_";

    // "_c_" + 32 hex digits + "-" comes before the kind.
    private const int KindOffset = 36;

    /// <summary>
    /// Queues and waits until the rule lets this contender through. Returns the node's path and czxid (the
    /// fencing token), or null when <paramref name="timeout"/> elapsed (the node is then removed again).
    /// </summary>
    public async Task<(string NodePath, long Czxid)?> AcquireAsync(TimeSpan? timeout, CancellationToken ct)
    {
        await RecipeSupport.EnsurePathAsync(zk, path, ct).ConfigureAwait(false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout is { } t) deadline.CancelAfter(t);
        var prefix = $"{Marker}{Guid.NewGuid():N}-{kind}-";
        (string Name, long Czxid)? node = null;
        try
        {
            while (true)
            {
                node ??= await RecipeSupport.CreateProtectedAsync(zk, path, prefix, data, CreateMode.EphemeralSequential, deadline.Token).ConfigureAwait(false);
                var contenders = await ContendersAsync(deadline.Token).ConfigureAwait(false);
                var self = contenders.FindIndex(c => c.Name == node.Value.Name);
                if (self < 0)
                {
                    // Our node was deleted under us (by an operator, or a session hiccup): queue again at the back.
                    node = null;
                    continue;
                }
                if (blocker(contenders, self) is not { } ahead) return (PathUtils.Child(path, node.Value.Name), node.Value.Czxid);
                await RecipeSupport.WaitForDeletionAsync(zk, PathUtils.Child(path, ahead.Name), deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (timeout is not null && !ct.IsCancellationRequested)
        {
            await RemoveAsync(prefix, node?.Name).ConfigureAwait(false);
            return null;
        }
        catch
        {
            await RemoveAsync(prefix, node?.Name).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The queue in sequence order, counting only nodes of this recipe's naming scheme.</summary>
    public async Task<List<Contender>> ContendersAsync(CancellationToken ct)
    {
        var names = await RecipeSupport.RetryAsync(zk, () => zk.GetChildrenAsync(path, cancellationToken: ct), ct).ConfigureAwait(false);
        var list = new List<Contender>();
        foreach (var name in names)
        {
            if (Parse(name) is { } c) list.Add(c);
        }
        list.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        return list;
    }

    public static Contender? Parse(string name)
    {
        if (!name.StartsWith(Marker, StringComparison.Ordinal) || name.Length < KindOffset + 12) return null;
        if (!RecipeSupport.TryParseSequence(name, out var sequence)) return null;
        return new Contender(name, name[KindOffset..^11], sequence);
    }

    private async Task RemoveAsync(string prefix, string? name)
    {
        if (name is null)
        {
            // The create may have succeeded without us hearing of it; look for it while the session can still live.
            using var patience = new CancellationTokenSource(zk.SessionTimeout);
            try
            {
                name = (await RecipeSupport.FindProtectedAsync(zk, path, prefix, patience.Token).ConfigureAwait(false))?.Name;
            }
            catch (Exception e) when (e is KeeperException or OperationCanceledException)
            {
                // The session is gone or unreachable for a whole timeout: so is any node it made.
                return;
            }
            if (name is null) return;
        }
        await RecipeSupport.DeleteQuietlyAsync(zk, PathUtils.Child(path, name)).ConfigureAwait(false);
    }
}
