// The text of ZooKeeper's four-letter words (reference §12) from a server's status. Pure formatting: the
// caller gathers the inputs (tree status from the data tree actor, live connections, counters, config).
using System.Globalization;
using System.Text;
using Zk.Actors.Tree;
using Zk.Actors.Server;
using Zk.Actors.Sessions;
using Zk.Protocol.Framing;
using Zk.Core.DataTree;
using Zk.Core.Sessions;
using Zk.Core.Storage;

namespace Zk.ClientProxy;

public sealed record ServerIdentity(
    string Version,
    long StartedMs,
    IReadOnlyList<KeyValuePair<string, string>> Conf,
    string DataDir,
    string DataLogDir);

public sealed record FourLetterWordInputs(
    ServerIdentity Identity,
    ServerState State,
    ServerStats Stats,
    ConnectionRegistry Connections,
    TreeStatus? Tree,
    long NowMs);

public static class FourLetterWordFormatter
{
    public const string NotServing = "This ZooKeeper instance is not currently serving requests\n";

    /// <summary>Whether the word needs the data tree's status (gathered asynchronously by the caller).</summary>
    public static bool NeedsTree(FourLetterWord w) => w is FourLetterWord.Srvr or FourLetterWord.Stat or FourLetterWord.Mntr
        or FourLetterWord.Wchs or FourLetterWord.Wchc or FourLetterWord.Wchp or FourLetterWord.Dump or FourLetterWord.Hash;

    public static string Format(FourLetterWord word, FourLetterWordInputs i)
    {
        var serving = i.State.IsServing;
        switch (word)
        {
            case FourLetterWord.Ruok:
                return "imok";
            case FourLetterWord.Isro:
                return "rw";
            case FourLetterWord.Conf:
                return Conf(i);
            case FourLetterWord.Envi:
                return Envi(i);
            case FourLetterWord.Cons:
                return Cons(i, brief: false);
            case FourLetterWord.Crst:
                i.Connections.ResetStats();
                return "Connection stats reset.\n";
            case FourLetterWord.Srst:
                i.Stats.Reset();
                return "Server stats reset.\n";
            case FourLetterWord.Dirs:
                return $"datadir_size: {DirSize(i.Identity.DataDir)}\nlogdir_size: {DirSize(i.Identity.DataLogDir)}\n";
            case FourLetterWord.Gtmk or FourLetterWord.Stmk:
                return "0\n";
        }
        if (!serving || i.Tree is null) return NotServing;
        var t = i.Tree;
        return word switch
        {
            FourLetterWord.Srvr => Srvr(i, t, withClients: false),
            FourLetterWord.Stat => Srvr(i, t, withClients: true),
            FourLetterWord.Mntr => Mntr(i, t),
            FourLetterWord.Wchs => $"{t.DataWatchers} connections watching {t.DataWatchPaths} paths\nTotal watches:{t.DataWatchCount}\n",
            FourLetterWord.Wchc => Wchc(t),
            FourLetterWord.Wchp => Wchp(t),
            FourLetterWord.Dump => Dump(i, t),
            FourLetterWord.Hash => $"{t.LastZxid:x}: {t.Digest}\n",
            _ => "",
        };
    }

    private static string Srvr(FourLetterWordInputs i, TreeStatus t, bool withClients)
    {
        var sb = new StringBuilder();
        sb.Append("Zookeeper version: ").Append(i.Identity.Version).Append('\n');
        if (withClients)
        {
            sb.Append("Clients:\n");
            sb.Append(Cons(i, brief: true));
            sb.Append('\n');
        }
        var s = i.Stats;
        sb.Append(CultureInfo.InvariantCulture, $"Latency min/avg/max: {s.MinLatencyMs}/{FormatDouble(Math.Round(s.AvgLatencyMs, 4))}/{s.MaxLatencyMs}\n");
        sb.Append(CultureInfo.InvariantCulture, $"Received: {s.Received}\n");
        sb.Append(CultureInfo.InvariantCulture, $"Sent: {s.Sent}\n");
        sb.Append(CultureInfo.InvariantCulture, $"Connections: {i.Connections.Count}\n");
        sb.Append(CultureInfo.InvariantCulture, $"Outstanding: {Outstanding(i)}\n");
        sb.Append(CultureInfo.InvariantCulture, $"Zxid: 0x{t.LastZxid:x}\n");
        sb.Append("Mode: ").Append(i.State.ModeName).Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"Node count: {t.ZkNodeCount}\n");
        return sb.ToString();
    }

    private static string Mntr(FourLetterWordInputs i, TreeStatus t)
    {
        var s = i.Stats;
        var sb = new StringBuilder();
        void Line(string k, object v) => sb.Append("zk_").Append(k).Append('\t').Append(Convert.ToString(v, CultureInfo.InvariantCulture)).Append('\n');
        Line("version", i.Identity.Version);
        Line("server_state", i.State.ModeName);
        Line("avg_latency", FormatDouble(Math.Round(s.AvgLatencyMs, 4)));
        Line("max_latency", s.MaxLatencyMs);
        Line("min_latency", s.MinLatencyMs);
        Line("packets_received", s.Received);
        Line("packets_sent", s.Sent);
        Line("num_alive_connections", i.Connections.Count);
        Line("outstanding_requests", Outstanding(i));
        Line("uptime", i.NowMs - i.Identity.StartedMs);
        Line("znode_count", t.ZkNodeCount);
        Line("watch_count", t.WatchCount);
        Line("ephemerals_count", t.EphemeralCount);
        Line("approximate_data_size", t.ApproximateDataSize);
        Line("global_sessions", t.SessionCount);
        Line("local_sessions", 0);
        Line("open_file_descriptor_count", OpenFileDescriptors());
        Line("max_file_descriptor_count", MaxFileDescriptors());
        Line("auth_failed_count", s.AuthFailed);
        Line("last_zxid", t.LastZxid);
        Line("digest", t.Digest);
        Line("election_count", i.State.ElectionCount);
        // The live managed heap after a full blocking GC (zkbench's memory comparison reads it); not a ZooKeeper key.
        Line("dotnet_heap_bytes", GC.GetTotalMemory(forceFullCollection: true));
        return sb.ToString();
    }

    private static string Cons(FourLetterWordInputs i, bool brief)
    {
        var sb = new StringBuilder();
        foreach (var c in i.Connections.All)
        {
            var st = c.Stats;
            sb.Append(CultureInfo.InvariantCulture, $" /{c.RemoteAddress}:{c.RemotePort}[1](queued={st.Outstanding},recved={st.Received},sent={st.Sent}");
            if (!brief && st.SessionId != 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $",sid=0x{st.SessionId:x},lop={st.LastOp},est={st.EstablishedMs},to={st.TimeoutMs}");
                if (st.LastCxid >= 0) sb.Append(CultureInfo.InvariantCulture, $",lcxid=0x{st.LastCxid:x}");
                sb.Append(CultureInfo.InvariantCulture, $",lzxid=0x{st.LastZxid:x},lresp={st.LastResponseMs},llat={st.LastLatencyMs},minlat={st.MinLatencyMs},avglat={st.AvgLatencyMs},maxlat={st.MaxLatencyMs}");
            }
            sb.Append(")\n");
        }
        if (!brief) sb.Append('\n');
        return sb.ToString();
    }

    private static string Conf(FourLetterWordInputs i)
    {
        var sb = new StringBuilder();
        foreach (var (k, v) in i.Identity.Conf)
        {
            sb.Append(k).Append('=').Append(v).Append('\n');
            // ZooKeeper follows each directory with its current size in bytes.
            if (k == "dataDir") sb.Append(CultureInfo.InvariantCulture, $"dataDirSize={DirSize(i.Identity.DataDir)}\n");
            else if (k == "dataLogDir") sb.Append(CultureInfo.InvariantCulture, $"dataLogSize={DirSize(i.Identity.DataLogDir)}\n");
        }
        return sb.ToString();
    }

    private static string Envi(FourLetterWordInputs i)
    {
        var sb = new StringBuilder("Environment:\n");
        void Line(string k, string v) => sb.Append(k).Append('=').Append(v).Append('\n');
        Line("zookeeper.version", i.Identity.Version);
        Line("host.name", Environment.MachineName);
        Line("java.version", Environment.Version.ToString());
        Line("java.vendor", ".NET");
        Line("java.home", AppContext.BaseDirectory);
        Line("java.class.path", AppContext.BaseDirectory);
        Line("java.library.path", AppContext.BaseDirectory);
        Line("java.io.tmpdir", Path.GetTempPath());
        Line("java.compiler", "<NA>");
        Line("os.name", Environment.OSVersion.Platform.ToString());
        Line("os.arch", System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString());
        Line("os.version", Environment.OSVersion.VersionString);
        Line("user.name", Environment.UserName);
        Line("user.home", Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
        Line("user.dir", Environment.CurrentDirectory);
        var gc = GC.GetGCMemoryInfo();
        Line("os.memory.free", $"{(gc.TotalAvailableMemoryBytes - GC.GetTotalMemory(false)) >> 20}MB");
        Line("os.memory.max", $"{gc.TotalAvailableMemoryBytes >> 20}MB");
        Line("os.memory.total", $"{GC.GetTotalMemory(false) >> 20}MB");
        return sb.ToString();
    }

    private static string Wchc(TreeStatus t)
    {
        var sb = new StringBuilder();
        foreach (var (sid, paths) in t.WatchesBySession)
        {
            sb.Append(CultureInfo.InvariantCulture, $"0x{sid:x}\n");
            foreach (var p in paths) sb.Append('\t').Append(p).Append('\n');
        }
        sb.Append('\n');
        return sb.ToString();
    }

    private static string Wchp(TreeStatus t)
    {
        var sb = new StringBuilder();
        foreach (var (path, sids) in t.WatchesByPath)
        {
            sb.Append(path).Append('\n');
            foreach (var sid in sids) sb.Append(CultureInfo.InvariantCulture, $"\t0x{sid:x}\n");
        }
        sb.Append('\n');
        return sb.ToString();
    }

    private static string Dump(FourLetterWordInputs i, TreeStatus t)
    {
        var sb = new StringBuilder("SessionTracker dump:\n");
        sb.Append(CultureInfo.InvariantCulture, $"Global Sessions({t.Sessions.Count}):\n");
        foreach (var (sid, to) in t.Sessions) sb.Append(CultureInfo.InvariantCulture, $"0x{sid:x}\t{to}ms\n");
        sb.Append("ephemeral nodes dump:\n");
        sb.Append(CultureInfo.InvariantCulture, $"Sessions with Ephemerals ({t.Ephemerals.Count}):\n");
        foreach (var (sid, paths) in t.Ephemerals)
        {
            sb.Append(CultureInfo.InvariantCulture, $"0x{sid:x}:\n");
            foreach (var p in paths) sb.Append('\t').Append(p).Append('\n');
        }
        sb.Append("Connections dump:\n");
        sb.Append(CultureInfo.InvariantCulture, $"Connections Sets ({i.Connections.Count})\n");
        return sb.ToString();
    }

    private static long Outstanding(FourLetterWordInputs i)
    {
        long n = 0;
        foreach (var c in i.Connections.All) n += c.Stats.Outstanding;
        return n;
    }

    /// <summary>Java prints doubles with at least one decimal ("0.0", "1.5").</summary>
    public static string FormatDouble(double d)
    {
        var s = d.ToString("0.0###", CultureInfo.InvariantCulture);
        return s;
    }

    public static long DirSize(string dir)
    {
        try
        {
            if (!Directory.Exists(dir)) return 0;
            long total = 0;
            foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)) total += new FileInfo(f).Length;
            return total;
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static long OpenFileDescriptors()
    {
        try
        {
            return Directory.Exists("/proc/self/fd") ? Directory.GetFiles("/proc/self/fd").Length : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static long MaxFileDescriptors()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (!line.StartsWith("Max open files", StringComparison.Ordinal)) continue;
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.TryParse(parts[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
            }
        }
        catch (IOException)
        {
        }
        return 0;
    }
}
