// The outcome of one run as it is printed and written to JSON. Immutable; built once by the runner.
using System.Text.Json.Serialization;
using HdrHistogram;
using Zk.Bench.Metrics;

namespace Zk.Bench.Report;

public sealed record LatencySummary(
    double MinUs,
    double P50Us,
    double P90Us,
    double P99Us,
    double P999Us,
    double MaxUs,
    double MeanUs,
    long Count)
{
    /// <summary>HdrHistogram's figures: each percentile and the max the highest value of its bucket, the min the lowest.</summary>
    public static LatencySummary From(HistogramBase h) => new(
        Latency.MinNs(h) / 1e3,
        Latency.PercentileNs(h, 50) / 1e3,
        Latency.PercentileNs(h, 90) / 1e3,
        Latency.PercentileNs(h, 99) / 1e3,
        Latency.PercentileNs(h, 99.9) / 1e3,
        Latency.MaxNs(h) / 1e3,
        Math.Round(Latency.MeanNs(h) / 1e3, 1),
        h.TotalCount);
}

public sealed record BenchResult
{
    public required string Workload { get; init; }

    public required string ConnectString { get; init; }

    public required int Sessions { get; init; }

    public required int Window { get; init; }

    public required int PayloadBytes { get; init; }

    public required int Znodes { get; init; }

    public int? ReadPercent { get; init; }

    public required double WarmupS { get; init; }

    /// <summary>From the start of the measured phase until its last request was answered.</summary>
    public required double MeasuredS { get; init; }

    public required long Issued { get; init; }

    public required long Completed { get; init; }

    public required long Errors { get; init; }

    public required IReadOnlyDictionary<string, long> ErrorsByKind { get; init; }

    public long WatchEvents { get; init; }

    public required double OpsPerS { get; init; }

    public required LatencySummary LatencyUs { get; init; }

    /// <summary>What scraping the server's /metrics during the run gave, when --scrape-url asked for it.</summary>
    public Runner.ScrapeStats? Scrapes { get; init; }

    /// <summary>Every measured latency, merged over the sessions: what --hgrm writes as a percentile distribution.</summary>
    [JsonIgnore]
    public HistogramBase? LatencyHistogram { get; init; }

    /// <summary>The invariant every run must keep: each measured request either completed or failed.</summary>
    [JsonIgnore]
    public bool CountsAddUp => Issued == Completed + Errors;
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BenchResult))]
[JsonSerializable(typeof(Compare.CompareReport))]
[JsonSerializable(typeof(Compare.ScrapeCostReport))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
