// The changing commands of zkCli: create, set, delete, deleteall (rmr), setAcl, addauth, addWatch,
// removewatches, close, and the quota/reconfig commands this shell does not offer. Output as zkCli 3.8 prints it.
using System.Globalization;
using System.Text;
using Zk.Client;
using Zk.Protocol;

namespace Zk.Cli;

internal sealed class CreateCommand() : CliCommand("create", "[-s] [-e] [-c] [-t ttl] path [data] [acl]",
    new OptionSpec('e', false, "ephemeral"), new OptionSpec('s', false, "sequential"), new OptionSpec('c', false, "container"),
    new OptionSpec('t', true, "ttl"))
{
    public override ParsedLine Parse(List<string> words, ShellContext c)
    {
        var line = base.Parse(words, c);
        return line.Args.Count < 2 ? throw new CliException(Usage) : line;
    }

    public override async Task ExecuteAsync(ParsedLine line, ShellContext c)
    {
        bool e = line.Has('e'), s = line.Has('s'), container = line.Has('c'), t = line.Has('t');
        if (container && (e || s))
            throw new CliException("-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.");
        long ttl = 0;
        if (t && !long.TryParse(line.Value('t'), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out ttl))
            throw new CliException("-t argument must be a long value");
        if (t && e) throw new CliException("TTLs cannot be used with Ephemeral znodes");
        if (t && container) throw new CliException("TTLs cannot be used with Container znodes");
        var mode = (e, s) switch
        {
            (true, true) => CreateMode.EphemeralSequential,
            (true, false) => CreateMode.Ephemeral,
            (false, true) => t ? CreateMode.PersistentSequentialWithTtl : CreateMode.PersistentSequential,
            _ => container ? CreateMode.Container : t ? CreateMode.PersistentWithTtl : CreateMode.Persistent,
        };
        if (t && ttl is <= 0 or > (1L << 40) - 1)
            throw new CliException("ttl must be positive and cannot be larger than: " + ((1L << 40) - 1));

        var path = line.Args[1];
        var data = line.Args.Count > 2 ? Encoding.UTF8.GetBytes(line.Args[2]) : null;
        var acl = line.Args.Count > 3 ? AclText.Parse(line.Args[3], c.Err) : Acl.OpenAclUnsafe;
        try
        {
            var created = t
                ? (await c.Zk.CreateWithStatAsync(path, data, mode, acl, ttl).ConfigureAwait(false)).Path
                : await c.Zk.CreateAsync(path, data, mode, acl).ConfigureAwait(false);
            c.Err.Write("Created " + created + "\n");
        }
        catch (ArgumentException ex)
        {
            throw new CliException(JavaText.PlainMessage(ex));
        }
        catch (KeeperException ex)
        {
            if (ex is EphemeralOnLocalSessionException) c.Err.Write("Unable to create ephemeral node on a local session\n");
            if (ex is InvalidAclException) c.Err.Write(ex.Message + "\n");
            throw new CliException(JavaText.WrapperMessage(ex));
        }
    }
}

internal sealed class SetCommand() : CliCommand("set", "[-s] [-v version] path data",
    new OptionSpec('s', false, "stats"), new OptionSpec('v', true, "version"))
{
    public override ParsedLine Parse(List<string> words, ShellContext c)
    {
        var line = base.Parse(words, c);
        return line.Args.Count < 3 ? throw new CliException(Usage) : line;
    }

    public override Task ExecuteAsync(ParsedLine line, ShellContext c)
    {
        var version = line.Has('v') ? ParseInt(line.Value('v')!) : -1;
        return RunAsync(async () =>
        {
            var stat = await c.Zk.SetDataAsync(line.Args[1], Encoding.UTF8.GetBytes(line.Args[2]), version).ConfigureAwait(false);
            if (line.Has('s')) JavaText.PrintStat(c.Out, stat, c.TimeZone);
        });
    }
}

internal sealed class DeleteCommand() : CliCommand("delete", "[-v version] path", new OptionSpec('v', true, "version"))
{
    public override ParsedLine Parse(List<string> words, ShellContext c)
    {
        var line = base.Parse(words, c);
        if (line.Args.Count < 2) throw new CliException(Usage);
        // The old "delete path version" form only earns a warning: the version is ignored, as in zkCli.
        if (line.Args.Count > 2) c.Err.Write("'delete path [version]' has been deprecated. Please use 'delete [-v version] path' instead.\n");
        return line;
    }

    public override Task ExecuteAsync(ParsedLine line, ShellContext c)
    {
        var version = line.Has('v') ? ParseInt(line.Value('v')!) : -1;
        return RunAsync(() => c.Zk.DeleteAsync(line.Args[1], version));
    }
}

/// <summary>deleteall, and rmr (zkCli 3.4's name for it).</summary>
internal sealed class DeleteAllCommand(string name = "deleteall") : CliCommand(name, "path [-b batch size]", new OptionSpec('b', true, "batch size"))
{
    // ZKUtil keeps at most this many batch multis in flight.
    private const int InFlight = 10;

    public override ParsedLine Parse(List<string> words, ShellContext c)
    {
        var line = base.Parse(words, c);
        return line.Args.Count < 2 ? throw new CliException(Usage) : line;
    }

    public override Task ExecuteAsync(ParsedLine line, ShellContext c)
    {
        var batch = 1000;
        if (line.Has('b') && !int.TryParse(line.Value('b'), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out batch))
            throw new CliException("-b argument must be an int value");
        var root = line.Args[1];
        return RunAsync(async () =>
        {
            Tree.Validation(root);
            var tree = await Tree.ListBreadthFirstAsync(c.Zk, root).ConfigureAwait(false);
            if (!await DeleteInBatchesAsync(c.Zk, tree, Math.Max(1, batch)).ConfigureAwait(false))
                c.Err.Write("Failed to delete some node(s) in the subtree!\n");
        });
    }

    // Leaves first, the root last; a failed batch stops further batches from being sent.
    private static async Task<bool> DeleteInBatchesAsync(ZooKeeperClient zk, List<string> tree, int batchSize)
    {
        var ok = true;
        var inFlight = new List<Task>();
        foreach (var batch in Enumerable.Reverse(tree).Chunk(batchSize))
        {
            if (!Volatile.Read(ref ok)) break;
            if (inFlight.Count == InFlight) inFlight.Remove(await Task.WhenAny(inFlight).ConfigureAwait(false));
            inFlight.Add(RunBatchAsync(batch));
        }
        await Task.WhenAll(inFlight).ConfigureAwait(false);
        return ok;

        async Task RunBatchAsync(string[] paths)
        {
            try
            {
                await zk.MultiAsync(paths.Select(p => Op.Delete(p))).ConfigureAwait(false);
            }
            catch (KeeperException)
            {
                Volatile.Write(ref ok, false);
            }
        }
    }
}

internal sealed class SetAclCommand() : CliCommand("setAcl", "[-s] [-v version] [-R] path acl",
    new OptionSpec('s', false, "stats"), new OptionSpec('v', true, "version"), new OptionSpec('R', false, "recursive"))
{
    public override ParsedLine Parse(List<string> words, ShellContext c)
    {
        var line = base.Parse(words, c);
        return line.Args.Count < 3 ? throw new CliException(Usage) : line;
    }

    public override Task ExecuteAsync(ParsedLine line, ShellContext c)
    {
        var path = line.Args[1];
        var acl = AclText.Parse(line.Args[2], c.Err);
        var version = line.Has('v') ? ParseInt(line.Value('v')!) : -1;
        return RunAsync(async () =>
        {
            if (!line.Has('R'))
            {
                var stat = await c.Zk.SetAclAsync(path, acl, version).ConfigureAwait(false);
                if (line.Has('s')) JavaText.PrintStat(c.Out, stat, c.TimeZone);
                return;
            }
            var nodes = new List<string>();
            await Tree.VisitAsync(c.Zk, path, false, nodes.Add).ConfigureAwait(false);
            foreach (var node in nodes)
            {
                try
                {
                    await c.Zk.SetAclAsync(node, acl, version).ConfigureAwait(false);
                }
                catch (KeeperException e)
                {
                    // zkCli prints these without a line break.
                    c.Out.Write(e.Message);
                }
            }
        });
    }
}

internal sealed class AddAuthCommand() : CliCommand("addauth", "scheme auth")
{
    public override ParsedLine Parse(List<string> words, ShellContext c)
    {
        var line = base.Parse(words, c);
        return line.Args.Count < 2 ? throw new CliException(Usage) : line;
    }

    public override Task ExecuteAsync(ParsedLine line, ShellContext c)
    {
        var auth = line.Args.Count >= 3 ? Encoding.UTF8.GetBytes(line.Args[2]) : null;
        // zkCli does not wait for the server's answer: a rejection arrives later as the AuthFailed event.
        _ = ObserveAsync(c.Zk.AddAuthAsync(line.Args[1], auth));
        return Task.CompletedTask;
    }

    private static async Task ObserveAsync(Task auth)
    {
        try
        {
            await auth.ConfigureAwait(false);
        }
        catch (KeeperException)
        {
            // Reported by the session's AuthFailed (or ConnectionLoss) event, which the shell prints.
        }
    }
}

internal sealed class AddWatchCommand() : CliCommand("addWatch",
    "[-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE",
    new OptionSpec('m', true, ""))
{
    public override ParsedLine Parse(List<string> words, ShellContext c)
    {
        var line = base.Parse(words, c);
        if (line.Args.Count != 2) throw new CliException(Usage);
        if (line.Has('m') && Mode(line.Value('m')!) is null) throw new CliException(Usage);
        return line;
    }

    public override Task ExecuteAsync(ParsedLine line, ShellContext c)
    {
        var mode = line.Has('m') ? Mode(line.Value('m')!)!.Value : AddWatchMode.PersistentRecursive;
        return RunAsync(() => c.Zk.AddWatchAsync(line.Args[1], mode));
    }

    private static AddWatchMode? Mode(string text) => text.ToUpperInvariant() switch
    {
        "PERSISTENT" => AddWatchMode.Persistent,
        "PERSISTENT_RECURSIVE" => AddWatchMode.PersistentRecursive,
        _ => null,
    };
}

internal sealed class RemoveWatchesCommand() : CliCommand("removewatches", "path [-c|-d|-a] [-l]",
    new OptionSpec('c', false, "child watcher type"), new OptionSpec('d', false, "data watcher type"),
    new OptionSpec('a', false, "any watcher type"), new OptionSpec('l', false, "remove locally when there is no server connection"))
{
    public override ParsedLine Parse(List<string> words, ShellContext c)
    {
        var line = base.Parse(words, c);
        return line.Args.Count < 2 ? throw new CliException(Usage) : line;
    }

    public override Task ExecuteAsync(ParsedLine line, ShellContext c)
    {
        var type = line.Has('c') ? WatcherType.Children : line.Has('d') ? WatcherType.Data : WatcherType.Any;
        return RunAsync(() => c.Zk.RemoveAllWatchesAsync(line.Args[1], type, line.Has('l')));
    }
}

internal sealed class CloseCommand() : CliCommand("close", "")
{
    public override Task ExecuteAsync(ParsedLine line, ShellContext c) => c.Zk.CloseAsync();
}

/// <summary>zkCli commands this shell lists but does not implement (quotas, reconfig).</summary>
internal sealed class UnsupportedCommand(string name, string optionText) : CliCommand(name, optionText)
{
    public override Task ExecuteAsync(ParsedLine line, ShellContext c) =>
        throw new CliException($"{Name} is not supported by zkcli");
}

/// <summary>zkCli's AclParser: "scheme:id:perms[,…]", where id is everything between the first and last ':'.</summary>
internal static class AclText
{
    public static List<Acl> Parse(string text, TextWriter err)
    {
        var acls = new List<Acl>();
        foreach (var entry in SplitLikeJava(text))
        {
            var first = entry.IndexOf(':', StringComparison.Ordinal);
            var last = entry.LastIndexOf(':');
            if (first == -1 || first == last)
            {
                err.Write(entry + " does not have the form scheme:id:perm\n");
                continue;
            }
            acls.Add(new Acl(Perms(entry[(last + 1)..], err), new Id(entry[..first], entry[(first + 1)..last])));
        }
        return acls;
    }

    private static Perms Perms(string text, TextWriter err)
    {
        var perms = Zk.Protocol.Perms.None;
        foreach (var ch in text)
        {
            switch (ch)
            {
                case 'r': perms |= Zk.Protocol.Perms.Read; break;
                case 'w': perms |= Zk.Protocol.Perms.Write; break;
                case 'c': perms |= Zk.Protocol.Perms.Create; break;
                case 'd': perms |= Zk.Protocol.Perms.Delete; break;
                case 'a': perms |= Zk.Protocol.Perms.Admin; break;
                default: err.Write("Unknown perm type: " + ch + "\n"); break;
            }
        }
        return perms;
    }

    // String.split(","): trailing empty strings are dropped, except that "" splits into one empty string.
    private static List<string> SplitLikeJava(string text)
    {
        if (text.Length == 0) return [""];
        var parts = text.Split(',').ToList();
        while (parts.Count > 0 && parts[^1].Length == 0) parts.RemoveAt(parts.Count - 1);
        return parts;
    }
}
