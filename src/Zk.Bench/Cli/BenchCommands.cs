// The command line: `zkbench [run options]` runs one workload against a server; `zkbench compare` starts Apache
// ZooKeeper and ZkActors and runs the same workloads against both; `zkbench scrape-cost` measures what scraping
// ZkActors' /metrics every second costs under load. Parsing only; the runners do the work.
using System.CommandLine;
using System.Text.Json;
using Zk.Bench.Compare;
using Zk.Bench.Metrics;
using Zk.Bench.Report;
using Zk.Bench.Runner;
using Zk.Bench.Workloads;

namespace Zk.Bench.Cli;

public static class BenchCommands
{
    private static readonly BenchOptions Defaults = new();

    private static readonly Option<int> SessionsOption = new("--sessions", "-s") { Description = "concurrent sessions", DefaultValueFactory = _ => Defaults.Sessions };
    private static readonly Option<int> WindowOption = new("--window", "-n") { Description = "requests in flight per session (pipelining depth)", DefaultValueFactory = _ => Defaults.Window };
    private static readonly Option<int> PayloadOption = new("--payload-bytes", "-p") { Description = "data size of every write and pre-created znode", DefaultValueFactory = _ => Defaults.PayloadBytes };
    private static readonly Option<int> ZnodesOption = new("--znodes") { Description = "data znodes pre-created in the setup phase", DefaultValueFactory = _ => Defaults.Znodes };
    private static readonly Option<int> ReadPercentOption = new("--read-percent") { Description = "share of reads in the mixed workload", DefaultValueFactory = _ => Defaults.ReadPercent };
    private static readonly Option<double> WarmupOption = new("--warmup-s") { Description = "warm-up seconds (not measured)", DefaultValueFactory = _ => Defaults.Warmup.TotalSeconds };
    private static readonly Option<double> DurationOption = new("--duration-s", "-d") { Description = "measured seconds", DefaultValueFactory = _ => Defaults.Duration.TotalSeconds };
    private static readonly Option<int> SessionTimeoutOption = new("--session-timeout-ms") { Description = "session timeout asked for", DefaultValueFactory = _ => Defaults.SessionTimeoutMs };
    private static readonly Option<int> SeedOption = new("--seed") { Description = "seed of the znode choice", DefaultValueFactory = _ => Defaults.Seed };
    private static readonly Option<FileInfo?> JsonOption = new("--json") { Description = "also write the result as JSON to this file" };
    private static readonly Option<FileInfo?> HgrmOption = new("--hgrm") { Description = "also write HdrHistogram's percentile distribution of the measured latencies (µs) to this file, for plotting" };

    public static RootCommand Build()
    {
        var root = new RootCommand("zkbench: a load generator for any ZooKeeper-protocol server");
        var connect = new Option<string>("--connect", "-c") { Description = "host:port[,host:port...]", DefaultValueFactory = _ => Defaults.ConnectString };
        var workload = new Option<string>("--workload", "-w") { Description = "the workload", DefaultValueFactory = _ => Defaults.Workload.Name() };
        workload.AcceptOnlyFromAmong(Workloads.Workloads.All.Select(k => k.Name()).ToArray());
        var ops = new Option<long?>("--ops") { Description = "stop after this many measured operations instead of after --duration-s" };
        var skipSetup = new Option<bool>("--skip-setup") { Description = "do not create the data znodes (they exist with the right payload size)" };
        var scrapeUrl = new Option<string?>("--scrape-url") { Description = "scrape this Prometheus endpoint (e.g. http://127.0.0.1:8080/metrics) during the run, as Prometheus would" };
        var scrapeInterval = new Option<double>("--scrape-interval-s") { Description = "seconds between scrapes of --scrape-url", DefaultValueFactory = _ => 1 };
        var progress = new Option<double>("--progress-s") { Description = "seconds between progress lines on stderr; 0 for none", DefaultValueFactory = _ => 1 };
        root.Options.Add(connect);
        root.Options.Add(workload);
        AddCommon(root);
        root.Options.Add(ops);
        root.Options.Add(skipSetup);
        root.Options.Add(scrapeUrl);
        root.Options.Add(scrapeInterval);
        root.Options.Add(progress);
        root.Options.Add(JsonOption);
        root.Options.Add(HgrmOption);
        root.SetAction(async (parse, ct) =>
        {
            // AcceptOnlyFromAmong has already refused any other name.
            if (!Workloads.Workloads.TryParse(parse.GetValue(workload)!, out var kind)) return 2;
            Uri? scrape = null;
            if (parse.GetValue(scrapeUrl) is { } url && !Uri.TryCreate(url, UriKind.Absolute, out scrape))
            {
                await Console.Error.WriteLineAsync($"zkbench: --scrape-url '{url}' is not an absolute URL").ConfigureAwait(false);
                return 2;
            }
            var options = Common(parse) with
            {
                ConnectString = parse.GetValue(connect)!,
                Workload = kind,
                MaxOps = parse.GetValue(ops),
                SkipSetup = parse.GetValue(skipSetup),
                ScrapeUrl = scrape,
                ScrapeInterval = TimeSpan.FromSeconds(parse.GetValue(scrapeInterval)),
            };
            var progressS = parse.GetValue(progress);
            return await RunAsync(options, progressS > 0 ? TimeSpan.FromSeconds(progressS) : null, parse.GetValue(JsonOption),
                parse.GetValue(HgrmOption), ct).ConfigureAwait(false);
        });
        root.Subcommands.Add(BuildCompare());
        root.Subcommands.Add(BuildScrapeCost());
        return root;
    }

    /// <summary>compare takes sessions and window from each WORKLOAD-SESSIONSxWINDOW spec instead.</summary>
    private static void AddCommon(Command command, bool withConcurrency = true)
    {
        if (withConcurrency)
        {
            command.Options.Add(SessionsOption);
            command.Options.Add(WindowOption);
        }
        foreach (var o in new Option[] { PayloadOption, ZnodesOption, ReadPercentOption, WarmupOption, DurationOption, SessionTimeoutOption, SeedOption })
            command.Options.Add(o);
    }

    private static BenchOptions Common(ParseResult parse, bool withConcurrency = true) => Defaults with
    {
        Sessions = withConcurrency ? parse.GetValue(SessionsOption) : Defaults.Sessions,
        Window = withConcurrency ? parse.GetValue(WindowOption) : Defaults.Window,
        PayloadBytes = parse.GetValue(PayloadOption),
        Znodes = parse.GetValue(ZnodesOption),
        ReadPercent = parse.GetValue(ReadPercentOption),
        Warmup = TimeSpan.FromSeconds(parse.GetValue(WarmupOption)),
        Duration = TimeSpan.FromSeconds(parse.GetValue(DurationOption)),
        SessionTimeoutMs = parse.GetValue(SessionTimeoutOption),
        Seed = parse.GetValue(SeedOption),
    };

    private static async Task<int> RunAsync(BenchOptions options, TimeSpan? progressInterval, FileInfo? json, FileInfo? hgrm, CancellationToken ct)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            foreach (var p in problems) await Console.Error.WriteLineAsync($"zkbench: {p}").ConfigureAwait(false);
            return 2;
        }
        BenchResult result;
        try
        {
            result = await new BenchRunner(options, progressInterval is null ? null : Console.Error, progressInterval).RunAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BenchSetupException or Protocol.BenchProtocolException or IOException or System.Net.Sockets.SocketException)
        {
            await Console.Error.WriteLineAsync($"zkbench: {e.Message}").ConfigureAwait(false);
            return 3;
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"zkbench: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        await Console.Out.WriteAsync(TableFormat.Result(result)).ConfigureAwait(false);
        if (json is not null)
            await File.WriteAllTextAsync(json.FullName, JsonSerializer.Serialize(result, BenchJsonContext.Default.BenchResult), ct).ConfigureAwait(false);
        if (hgrm is not null && result.LatencyHistogram is { } latency) await Latency.WriteHgrmFileAsync(latency, hgrm.FullName, ct).ConfigureAwait(false);
        // Exit 1 when the run was not clean, so scripts notice errors without parsing the table.
        return result.CountsAddUp && result.Errors == 0 ? 0 : 1;
    }

    private static Command BuildCompare()
    {
        var command = new Command("compare", "start Apache ZooKeeper 3.8 and ZkActors (standalone servers and/or ensembles, forceSync=yes, loopback), run the same workloads against both, and time their fail-over");
        var workloads = new Option<string>("--workloads") { Description = "comma-separated WORKLOAD-SESSIONSxWINDOW list", DefaultValueFactory = _ => string.Join(',', WorkloadSpec.Default.Select(s => $"{s.Kind.Name()}-{s.Sessions}x{s.Window}")) };
        var memoryZnodes = new Option<int>("--memory-znodes") { Description = "znodes of the memory workload on a fresh server; 0 skips it", DefaultValueFactory = _ => 1_000_000 };
        var memoryPayload = new Option<int>("--memory-payload-bytes") { Description = "payload of each memory-workload znode", DefaultValueFactory = _ => 100 };
        var dll = new Option<string>("--zkactors-dll") { Description = "the built ZkActors server", DefaultValueFactory = _ => new LaunchSettings().ZkActorsDll };
        var classpath = new Option<string?>("--zookeeper-classpath") { Description = "ZooKeeper's classpath (default: from Debian's zkEnv.sh)" };
        var heap = new Option<string>("--java-heap") { Description = "-Xmx of ZooKeeper's JVM", DefaultValueFactory = _ => "2g" };
        var tick = new Option<int>("--tick-time-ms") { Description = "tickTime of both servers", DefaultValueFactory = _ => 2000 };
        var env = new Option<string[]>("--zkactors-env") { Description = "KEY=VALUE environment for the ZkActors process (repeatable), e.g. DOTNET_PerfMapEnabled=1", AllowMultipleArgumentsPerToken = false };
        var servers = new Option<string[]>("--server") { Description = "compare servers already running instead: NAME=HOST:PORT[,...][@PID[,...]] (repeatable; the first is the baseline)" };
        var workDir = new Option<string>("--work-dir") { Description = "where the servers' temp dataDirs go", DefaultValueFactory = _ => new CompareOptions().WorkRoot };
        var keep = new Option<bool>("--keep-work-dirs") { Description = "keep the servers' dataDirs, configs and logs" };
        var modes = new Option<string?>("--modes") { Description = "standalone, ensemble, or standalone,ensemble (default: standalone, or ensemble when --ensemble is given)" };
        var ensemble = new Option<int?>("--ensemble") { Description = "members of each ensemble (at least 3; default 3); given alone, runs ensembles instead of standalone servers" };
        var hgrmDir = new Option<string?>("--hgrm-dir") { Description = "also write each run's HdrHistogram percentile distribution (µs) to MODE-SERVER-WORKLOAD.hgrm in this directory" };
        var failoverRounds = new Option<int>("--failover-rounds") { Description = "fail-over rounds (SIGKILL the leader) per server when ensembles run; 0 skips them", DefaultValueFactory = _ => new CompareOptions().FailoverRounds };
        foreach (var o in new Option[] { workloads, memoryZnodes, memoryPayload, dll, classpath, heap, tick, env, servers, workDir, keep, modes, ensemble, failoverRounds, hgrmDir, JsonOption })
            command.Options.Add(o);
        AddCommon(command, withConcurrency: false);
        command.SetAction(async (parse, ct) =>
        {
            CompareOptions options;
            try
            {
                options = new CompareOptions
                {
                    Workloads = parse.GetValue(workloads)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(WorkloadSpec.Parse).ToArray(),
                    Common = Common(parse, withConcurrency: false),
                    MemoryZnodes = parse.GetValue(memoryZnodes),
                    MemoryPayloadBytes = parse.GetValue(memoryPayload),
                    Launch = new LaunchSettings
                    {
                        ZkActorsDll = parse.GetValue(dll)!,
                        ZooKeeperClasspath = parse.GetValue(classpath),
                        JavaHeap = parse.GetValue(heap)!,
                        TickTimeMs = parse.GetValue(tick),
                        ZkActorsEnvironment = ParseEnvironment(parse.GetValue(env) ?? []),
                        KeepWorkDirs = parse.GetValue(keep),
                    },
                    External = (parse.GetValue(servers) ?? []).Select(RunningServer.ParseExternal).ToArray(),
                    WorkRoot = parse.GetValue(workDir)!,
                    Modes = ParseModes(parse.GetValue(modes), parse.GetValue(ensemble) is not null),
                    EnsembleMembers = parse.GetValue(ensemble) ?? new CompareOptions().EnsembleMembers,
                    FailoverRounds = parse.GetValue(failoverRounds),
                    HgrmDir = parse.GetValue(hgrmDir),
                };
                if (options.EnsembleMembers < 3) throw new ArgumentException("--ensemble needs at least 3 members, so that one can be killed");
                if (options.FailoverRounds < 0) throw new ArgumentException("--failover-rounds cannot be negative");
                if (options.External.Count > 0 && (parse.GetValue(modes) is not null || parse.GetValue(ensemble) is not null))
                    throw new ArgumentException("--server compares servers that run already; --modes and --ensemble start their own");
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                await Console.Error.WriteLineAsync($"zkbench compare: {e.Message}").ConfigureAwait(false);
                return 2;
            }
            return await CompareAsync(options, parse.GetValue(JsonOption), ct).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> CompareAsync(CompareOptions options, FileInfo? json, CancellationToken ct)
    {
        CompareReport report;
        try
        {
            report = await new CompareRunner(options, Console.Error).RunAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or FileNotFoundException or BenchSetupException
            or IOException or System.Net.Sockets.SocketException or Protocol.BenchProtocolException)
        {
            await Console.Error.WriteLineAsync($"zkbench compare: {e.Message}").ConfigureAwait(false);
            return 3;
        }
        await Console.Out.WriteAsync(CompareTable.Render(report)).ConfigureAwait(false);
        if (json is not null)
            await File.WriteAllTextAsync(json.FullName, JsonSerializer.Serialize(report, BenchJsonContext.Default.CompareReport), ct).ConfigureAwait(false);
        return report.AllClean ? 0 : 1;
    }

    private static Command BuildScrapeCost()
    {
        var command = new Command("scrape-cost", "start ZkActors with its admin port and run each workload in pairs, without and with a Prometheus-like scraper of /metrics, to measure what scraping costs");
        var workloads = new Option<string>("--workloads") { Description = "comma-separated WORKLOAD-SESSIONSxWINDOW list", DefaultValueFactory = _ => string.Join(',', ScrapeCostOptions.DefaultWorkloads.Select(s => $"{s.Kind.Name()}-{s.Sessions}x{s.Window}")) };
        var rounds = new Option<int>("--rounds") { Description = "pairs of runs (without, with the scraper) per workload", DefaultValueFactory = _ => new ScrapeCostOptions().Rounds };
        var interval = new Option<double>("--scrape-interval-s") { Description = "seconds between scrapes", DefaultValueFactory = _ => 1 };
        var dll = new Option<string>("--zkactors-dll") { Description = "the built ZkActors server", DefaultValueFactory = _ => new LaunchSettings().ZkActorsDll };
        var workDir = new Option<string>("--work-dir") { Description = "where the server's temp dataDir goes", DefaultValueFactory = _ => new ScrapeCostOptions().WorkRoot };
        foreach (var o in new Option[] { workloads, rounds, interval, dll, workDir, JsonOption })
            command.Options.Add(o);
        AddCommon(command, withConcurrency: false);
        command.SetAction(async (parse, ct) =>
        {
            ScrapeCostOptions options;
            try
            {
                options = new ScrapeCostOptions
                {
                    Workloads = parse.GetValue(workloads)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(WorkloadSpec.Parse).ToArray(),
                    Rounds = parse.GetValue(rounds),
                    ScrapeInterval = TimeSpan.FromSeconds(parse.GetValue(interval)),
                    Common = Common(parse, withConcurrency: false),
                    Launch = new LaunchSettings { ZkActorsDll = parse.GetValue(dll)! },
                    WorkRoot = parse.GetValue(workDir)!,
                };
                if (options.Rounds < 1) throw new ArgumentException("--rounds must be at least 1");
                if (options.ScrapeInterval <= TimeSpan.Zero) throw new ArgumentException("--scrape-interval-s must be positive");
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                await Console.Error.WriteLineAsync($"zkbench scrape-cost: {e.Message}").ConfigureAwait(false);
                return 2;
            }
            ScrapeCostReport report;
            try
            {
                report = await new ScrapeCostRunner(options, Console.Error).RunAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or FileNotFoundException or BenchSetupException
                or IOException or System.Net.Sockets.SocketException or Protocol.BenchProtocolException)
            {
                await Console.Error.WriteLineAsync($"zkbench scrape-cost: {e.Message}").ConfigureAwait(false);
                return 3;
            }
            await Console.Out.WriteAsync(ScrapeCostTable.Render(report)).ConfigureAwait(false);
            if (parse.GetValue(JsonOption) is { } json)
                await File.WriteAllTextAsync(json.FullName, JsonSerializer.Serialize(report, BenchJsonContext.Default.ScrapeCostReport), ct).ConfigureAwait(false);
            return report.AllClean ? 0 : 1;
        });
        return command;
    }

    /// <summary>"standalone", "ensemble" or both, comma-separated, run in the order given.</summary>
    public static IReadOnlyList<CompareMode> ParseModes(string? text, bool ensembleGiven)
    {
        if (text is null) return [ensembleGiven ? CompareMode.Ensemble : CompareMode.Standalone];
        var modes = new List<CompareMode>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var mode = part.ToLowerInvariant() switch
            {
                "standalone" => CompareMode.Standalone,
                "ensemble" => CompareMode.Ensemble,
                _ => throw new ArgumentException($"'{part}' is not a mode (standalone, ensemble)"),
            };
            if (!modes.Contains(mode)) modes.Add(mode);
        }
        if (modes.Count == 0) throw new ArgumentException("--modes names no mode");
        return modes;
    }

    private static Dictionary<string, string> ParseEnvironment(string[] pairs)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"'{pair}' is not KEY=VALUE");
            env[pair[..eq]] = pair[(eq + 1)..];
        }
        return env;
    }
}
