// The reading commands of zkCli: ls (ls2), get, stat, getAcl, getEphemerals, getAllChildrenNumber, whoami,
// sync, config, version. Output and errors as zkCli 3.8 prints them.
using System.Text;
using Zk.Client;
using Zk.Protocol;

namespace Zk.Cli;

internal sealed class LsCommand() : CliCommand("ls", "[-s] [-w] [-R] path",
    new OptionSpec('?', false, "help"), new OptionSpec('s', false, "stat"), new OptionSpec('w', false, "watch"),
    new OptionSpec('R', false, "recurse"))
{
    public override ParsedLine Parse(List<string> words, ShellContext c)
    {
        var line = base.Parse(words, c);
        if (line.Has('?')) PrintHelp(c.Out, "ls [options] path");
        return RewriteWatchArgument(line, words, c, "'ls path [watch]' has been deprecated. Please use 'ls [-w] path' instead.");
    }

    public override Task ExecuteAsync(ParsedLine line, ShellContext c)
    {
        if (line.Args.Count < 2) throw new CliException(Usage);
        var path = line.Args[1];
        var watch = line.Has('w');
        return RunAsync(async () =>
        {
            if (line.Has('R'))
            {
                await Tree.VisitAsync(c.Zk, path, watch, p => c.Out.Write(p + "\n")).ConfigureAwait(false);
                return;
            }
            var result = await c.Zk.GetChildrenWithStatAsync(path, watch).ConfigureAwait(false);
            c.Out.Write(JavaText.List(result.Children.Order(StringComparer.Ordinal)) + "\n");
            if (line.Has('s')) JavaText.PrintStat(c.Out, result.Stat, c.TimeZone);
        });
    }
}

/// <summary>zkCli 3.4's ls2 (the names, then the node's Stat), kept as an alias of ls -s.</summary>
internal sealed class Ls2Command() : CliCommand("ls2", "path [watch]")
{
    public override Task ExecuteAsync(ParsedLine line, ShellContext c)
    {
        if (line.Args.Count < 2) throw new CliException(Usage);
        return RunAsync(async () =>
        {
            var result = await c.Zk.GetChildrenWithStatAsync(line.Args[1], line.Args.Count > 2).ConfigureAwait(false);
            c.Out.Write(JavaText.List(result.Children.Order(StringComparer.Ordinal)) + "\n");
            JavaText.PrintStat(c.Out, result.Stat, c.TimeZone);
        });
    }
}

internal sealed class GetCommand() : CliCommand("get", "[-s] [-w] path",
    new OptionSpec('s', false, "stats"), new OptionSpec('w', false, "watch"))
{
    public override ParsedLine Parse(List<string> words, ShellContext c)
    {
        var line = base.Parse(words, c);
        if (line.Args.Count < 2) throw new CliException(Usage);
        return RewriteWatchArgument(line, words, c, "'get path [watch]' has been deprecated. Please use 'get [-s] [-w] path' instead.");
    }

    public override Task ExecuteAsync(ParsedLine line, ShellContext c) => RunAsync(async () =>
    {
        var result = await c.Zk.GetDataAsync(line.Args[1], line.Has('w')).ConfigureAwait(false);
        c.Out.Write((result.Data is null ? "null" : Encoding.UTF8.GetString(result.Data)) + "\n");
        if (line.Has('s')) JavaText.PrintStat(c.Out, result.Stat, c.TimeZone);
    });
}

internal sealed class StatCommand() : CliCommand("stat", "[-w] path", new OptionSpec('w', false, "watch"))
{
    public override ParsedLine Parse(List<string> words, ShellContext c)
    {
        var line = base.Parse(words, c);
        if (line.Args.Count < 2) throw new CliException(Usage);
        return RewriteWatchArgument(line, words, c, "'stat path [watch]' has been deprecated. Please use 'stat [-w] path' instead.");
    }

    public override Task ExecuteAsync(ParsedLine line, ShellContext c) => RunAsync(async () =>
    {
        var path = line.Args[1];
        var stat = await c.Zk.ExistsAsync(path, line.Has('w')).ConfigureAwait(false) ?? throw new NoNodeException(path);
        JavaText.PrintStat(c.Out, stat, c.TimeZone);
    });
}

internal sealed class GetAclCommand() : CliCommand("getAcl", "[-s] path", new OptionSpec('s', false, "stats"))
{
    public override ParsedLine Parse(List<string> words, ShellContext c)
    {
        var line = base.Parse(words, c);
        return line.Args.Count < 2 ? throw new CliException(Usage) : line;
    }

    public override Task ExecuteAsync(ParsedLine line, ShellContext c) => RunAsync(async () =>
    {
        var result = await c.Zk.GetAclAsync(line.Args[1]).ConfigureAwait(false);
        foreach (var acl in result.Acl) c.Out.Write(JavaText.IdRecord(acl.Id) + ": " + Acl.PermString(acl.Perms) + "\n");
        if (line.Has('s')) JavaText.PrintStat(c.Out, result.Stat, c.TimeZone);
    });
}

internal sealed class GetEphemeralsCommand() : CliCommand("getEphemerals", "path")
{
    public override Task ExecuteAsync(ParsedLine line, ShellContext c) => RunAsync(async () =>
    {
        var ephemerals = line.Args.Count < 2
            ? await c.Zk.GetEphemeralsAsync().ConfigureAwait(false)
            : await c.Zk.GetEphemeralsAsync(line.Args[1]).ConfigureAwait(false);
        c.Out.Write(JavaText.List(ephemerals) + "\n");
    });
}

internal sealed class GetAllChildrenNumberCommand() : CliCommand("getAllChildrenNumber", "path")
{
    public override Task ExecuteAsync(ParsedLine line, ShellContext c)
    {
        if (line.Args.Count < 2) throw new CliException(Usage);
        return RunAsync(async () =>
        {
            var n = await c.Zk.GetAllChildrenNumberAsync(line.Args[1]).ConfigureAwait(false);
            c.Out.Write(n.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
        });
    }
}

internal sealed class WhoAmICommand() : CliCommand("whoami", "")
{
    public override Task ExecuteAsync(ParsedLine line, ShellContext c) => RunAsync(async () =>
    {
        var identities = await c.Zk.WhoAmIAsync().ConfigureAwait(false);
        c.Out.Write("Auth scheme: User\n");
        foreach (var i in identities) c.Out.Write($"{i.Scheme}: {i.User}\n");
    });
}

internal sealed class SyncCommand() : CliCommand("sync", "path")
{
    private static readonly TimeSpan SyncTimeout = TimeSpan.FromSeconds(30);

    public override ParsedLine Parse(List<string> words, ShellContext c)
    {
        var line = base.Parse(words, c);
        return line.Args.Count < 2 ? throw new CliException(Usage) : line;
    }

    public override Task ExecuteAsync(ParsedLine line, ShellContext c) => RunAsync(async () =>
    {
        try
        {
            await c.Zk.SyncAsync(line.Args[1]).WaitAsync(SyncTimeout).ConfigureAwait(false);
            c.Out.Write("Sync is OK\n");
        }
        catch (KeeperException e)
        {
            // zkCli reports the callback's result code rather than throwing.
            c.Out.Write($"Sync has failed. rc={(int)e.Code}\n");
        }
        catch (TimeoutException)
        {
            // A TimeoutException without a message, wrapped: zkCli prints its null message.
            throw new CliException("null");
        }
    });
}

internal sealed class ConfigCommand() : CliCommand("config", "[-c] [-w] [-s]",
    new OptionSpec('c', false, "client connection string"), new OptionSpec('w', false, "watch"), new OptionSpec('s', false, "stats"))
{
    public override Task ExecuteAsync(ParsedLine line, ShellContext c) => RunAsync(async () =>
    {
        var result = await c.Zk.GetDataAsync("/zookeeper/config", line.Has('w')).ConfigureAwait(false);
        c.Out.Write((result.Data is null ? "null" : Encoding.UTF8.GetString(result.Data)) + "\n");
        if (line.Has('s')) JavaText.PrintStat(c.Out, result.Stat, c.TimeZone);
    });
}

internal sealed class VersionCommand() : CliCommand("version", "")
{
    public override Task ExecuteAsync(ParsedLine line, ShellContext c)
    {
        c.Out.Write("ZooKeeper CLI version: zkcli (ZkActors) " + typeof(VersionCommand).Assembly.GetName().Version + "\n");
        return Task.CompletedTask;
    }
}

/// <summary>ZKUtil's tree walks, as zkCli uses them for ls -R, setAcl -R and deleteall.</summary>
internal static class Tree
{
    /// <summary>Depth first; each node's children (sorted) are reported before any of them is descended into.</summary>
    public static async Task VisitAsync(ZooKeeperClient zk, string path, bool watch, Action<string> visit)
    {
        Validation(path);
        await zk.GetDataAsync(path, watch).ConfigureAwait(false);
        visit(path);
        await VisitChildrenAsync(zk, path, watch, visit).ConfigureAwait(false);
    }

    /// <summary>Breadth first, the root first.</summary>
    public static async Task<List<string>> ListBreadthFirstAsync(ZooKeeperClient zk, string root)
    {
        var tree = new List<string> { root };
        for (var i = 0; i < tree.Count; i++)
        {
            var node = tree[i];
            foreach (var child in await zk.GetChildrenAsync(node).ConfigureAwait(false)) tree.Add(PathUtils.Child(node, child));
        }
        return tree;
    }

    public static void Validation(string path)
    {
        var error = PathUtils.Validate(path);
        if (error is not null) throw new CliException(error);
    }

    private static async Task VisitChildrenAsync(ZooKeeperClient zk, string path, bool watch, Action<string> visit)
    {
        List<string> children;
        try
        {
            children = [.. (await zk.GetChildrenAsync(path, watch).ConfigureAwait(false)).Order(StringComparer.Ordinal)];
        }
        catch (NoNodeException)
        {
            // Listed by its parent but deleted since: skipped, as zkCli does.
            return;
        }
        foreach (var child in children) visit(PathUtils.Child(path, child));
        foreach (var child in children) await VisitChildrenAsync(zk, PathUtils.Child(path, child), watch, visit).ConfigureAwait(false);
    }
}
