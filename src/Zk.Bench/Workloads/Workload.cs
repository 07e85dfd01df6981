// The workloads zkbench can run and the settings of one run. Immutable data shared by every session driver.
namespace Zk.Bench.Workloads;

public enum WorkloadKind
{
    /// <summary>getData of a random pre-created znode.</summary>
    Read,

    /// <summary>setData of a random pre-created znode.</summary>
    Write,

    /// <summary>getData or setData of a random pre-created znode, ReadPercent% reads.</summary>
    Mixed,

    /// <summary>create then delete of a session-private znode; both count as operations.</summary>
    CreateDelete,

    /// <summary>create of ever new persistent znodes (with --ops, the memory workload's populate step).</summary>
    Create,

    /// <summary>connect, create an ephemeral znode, close the session: one operation per cycle.</summary>
    EphemeralChurn,

    /// <summary>even sessions getData with a watch, odd sessions setData the same znodes; notifications are counted.</summary>
    Watch,
}

public static class Workloads
{
    public static readonly IReadOnlyList<WorkloadKind> All = Enum.GetValues<WorkloadKind>();

    public static string Name(this WorkloadKind kind) => kind switch
    {
        WorkloadKind.Read => "read",
        WorkloadKind.Write => "write",
        WorkloadKind.Mixed => "mixed",
        WorkloadKind.CreateDelete => "create-delete",
        WorkloadKind.Create => "create",
        WorkloadKind.EphemeralChurn => "ephemeral-churn",
        WorkloadKind.Watch => "watch",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static bool TryParse(string name, out WorkloadKind kind)
    {
        foreach (var k in All)
        {
            if (!string.Equals(k.Name(), name, StringComparison.OrdinalIgnoreCase)) continue;
            kind = k;
            return true;
        }
        kind = default;
        return false;
    }

    /// <summary>Whether the workload reads or writes the pre-created data znodes (and so needs the setup phase to make them).</summary>
    public static bool UsesDataZnodes(this WorkloadKind kind) =>
        kind is WorkloadKind.Read or WorkloadKind.Write or WorkloadKind.Mixed or WorkloadKind.Watch;
}

/// <summary>Where the benchmark keeps its znodes; every path of a run lies under Root.</summary>
public static class BenchPaths
{
    public const string Root = "/zkbench";
    public const string Data = Root + "/data";
    public const string CreateDelete = Root + "/cd";
    public const string Create = Root + "/create";
    public const string Ephemeral = Root + "/eph";

    public static readonly IReadOnlyList<string> Parents = [Root, Data, CreateDelete, Create, Ephemeral];

    public static string DataNode(int index) => $"{Data}/n{index:D7}";
}

public sealed record BenchOptions
{
    /// <summary>host:port[,host:port…]; session i connects to server i modulo their number.</summary>
    public string ConnectString { get; init; } = "127.0.0.1:2181";

    public WorkloadKind Workload { get; init; } = WorkloadKind.Read;

    public int Sessions { get; init; } = 8;

    /// <summary>Requests in flight per session (the pipelining depth); ephemeral-churn runs one cycle per session.</summary>
    public int Window { get; init; } = 64;

    public int PayloadBytes { get; init; } = 100;

    /// <summary>Data znodes pre-created in the setup phase for read, write, mixed and watch.</summary>
    public int Znodes { get; init; } = 1000;

    public int ReadPercent { get; init; } = 90;

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>When set, the measured phase ends after this many operations instead of after Duration.</summary>
    public long? MaxOps { get; init; }

    public int SessionTimeoutMs { get; init; } = 30_000;

    /// <summary>How long in-flight requests may take to drain after the measured phase before they count as errors.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public int Seed { get; init; } = 42;

    /// <summary>Skip the setup phase (the data znodes already exist with the right payload size).</summary>
    public bool SkipSetup { get; init; }

    /// <summary>A Prometheus endpoint (e.g. http://127.0.0.1:8080/metrics) to scrape every ScrapeInterval during the run.</summary>
    public Uri? ScrapeUrl { get; init; }

    public TimeSpan ScrapeInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Every path of the run outside the data znodes carries this tag, so runs never collide.</summary>
    public string RunTag { get; init; } = Guid.NewGuid().ToString("N")[..8];

    public string Describe() => $"{Workload.Name()} {Sessions}x{Window}";

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Sessions < 1) problems.Add("--sessions must be at least 1");
        if (Window < 1) problems.Add("--window must be at least 1");
        if (PayloadBytes < 0 || PayloadBytes > 1_000_000) problems.Add("--payload must be between 0 and 1000000 bytes");
        if (Workload.UsesDataZnodes() && Znodes < 1) problems.Add("--znodes must be at least 1");
        if (ReadPercent is < 0 or > 100) problems.Add("--read-percent must be between 0 and 100");
        if (Workload == WorkloadKind.Watch && Sessions < 2) problems.Add("the watch workload needs at least 2 sessions (watchers and writers)");
        if (Duration <= TimeSpan.Zero && MaxOps is null) problems.Add("--duration must be positive (or give --ops)");
        if (MaxOps is < 1) problems.Add("--ops must be at least 1");
        if (Warmup < TimeSpan.Zero) problems.Add("--warmup must not be negative");
        if (ScrapeUrl is not null && ScrapeInterval <= TimeSpan.Zero) problems.Add("--scrape-interval-s must be positive");
        if (ScrapeUrl is { } url && !(url.IsAbsoluteUri && url.Scheme is "http" or "https")) problems.Add("--scrape-url must be an http(s) URL");
        return problems;
    }
}
