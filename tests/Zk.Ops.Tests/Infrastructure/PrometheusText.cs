// Prometheus text exposition read by the reference parser, prometheus_client's (Debian's python3-prometheus-client,
// driven through Metrics/prom_parse.py by the system Python), plus the checks that parser leaves out and Prometheus
// makes: every family is typed, no series appears twice, and every histogram is well formed (cumulative buckets ending
// in +Inf equal to _count, with a _sum). A failure throws FormatException with what was wrong.
using System.Globalization;
using System.Text.Json;

namespace Zk.Ops.Tests.Infrastructure;

public sealed record PromSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string name) => Labels.TryGetValue(name, out var v) ? v : "";
}

public sealed class PromFamily(string name, string type, string help, IReadOnlyList<PromSample> samples)
{
    /// <summary>The name of the family's TYPE line, which for a counter ends in _total like its sample.</summary>
    public string Name { get; } = name;

    public string Type { get; } = type;

    public string Help { get; } = help;

    public IReadOnlyList<PromSample> Samples { get; } = samples;
}

public sealed class PrometheusDocument(IReadOnlyDictionary<string, PromFamily> families)
{
    public IReadOnlyDictionary<string, PromFamily> Families => families;

    public IEnumerable<PromSample> AllSamples => families.Values.SelectMany(f => f.Samples);

    /// <summary>The samples of a sample name (e.g. "zk_fsync_seconds_count"), any labels.</summary>
    public IReadOnlyList<PromSample> Samples(string sampleName) => [.. AllSamples.Where(s => s.Name == sampleName)];

    /// <summary>The one value of a sample with exactly these labels (a subset match); throws when absent.</summary>
    public double Value(string sampleName, params (string Key, string Value)[] labels)
    {
        var match = AllSamples.Where(s => s.Name == sampleName && labels.All(l => s.Label(l.Key) == l.Value)).ToList();
        return match.Count == 1 ? match[0].Value
            : throw new KeyNotFoundException($"{match.Count} samples named {sampleName} with {string.Join(",", labels)}");
    }

    public string? TypeOf(string family) => families.TryGetValue(family, out var f) ? f.Type : null;
}

public static class PrometheusText
{
    public static async Task<PrometheusDocument> ParseAsync(string text)
    {
        var script = TestPaths.TestFile("Metrics", "prom_parse.py");
        var run = await ExternalTool.RunAsync(TestPaths.Python, [script], stdin: text);
        if (run.ExitCode != 0) throw new FormatException(run.Combined.Trim());
        var families = new Dictionary<string, PromFamily>(StringComparer.Ordinal);
        using var json = JsonDocument.Parse(run.Stdout);
        foreach (var f in json.RootElement.EnumerateArray())
        {
            var family = ReadFamily(f);
            if (!families.TryAdd(family.Name, family)) throw new FormatException($"family {family.Name} appears twice");
        }
        foreach (var family in families.Values) Check(family);
        return new PrometheusDocument(families);
    }

    private static PromFamily ReadFamily(JsonElement f)
    {
        var name = f.GetProperty("name").GetString()!;
        var type = f.GetProperty("type").GetString()!;
        var samples = f.GetProperty("samples").EnumerateArray().Select(s => new PromSample(
            s.GetProperty("name").GetString()!,
            s.GetProperty("labels").EnumerateObject().ToDictionary(l => l.Name, l => l.Value.GetString()!, StringComparer.Ordinal),
            ParseValue(s.GetProperty("value").GetString()!))).ToList();
        // The parser names a counter family without _total (OpenMetrics' convention); in text format 0.0.4 its TYPE line
        // carries the sample's name, which is the name dashboards and alerts use.
        if (type == "counter" && samples.Any(s => s.Name == name + "_total")) name += "_total";
        return new PromFamily(name, type, f.GetProperty("help").GetString()!, samples);
    }

    private static double ParseValue(string repr) => repr switch
    {
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        "nan" => double.NaN,
        _ => double.Parse(repr, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static void Check(PromFamily f)
    {
        if (f.Type is not ("counter" or "gauge" or "histogram" or "summary")) throw new FormatException($"{f.Name} has no TYPE line");
        var series = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in f.Samples)
        {
            if (!series.Add(s.Name + "{" + Key(s.Labels) + "}")) throw new FormatException($"{s.Name}{{{Key(s.Labels)}}} appears twice");
        }
        if (f.Type == "histogram") CheckHistogram(f);
    }

    private static string Key(IEnumerable<KeyValuePair<string, string>> labels) =>
        string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    private static void CheckHistogram(PromFamily f)
    {
        foreach (var g in f.Samples.GroupBy(s => Key(s.Labels.Where(l => l.Key != "le"))))
        {
            var buckets = g.Where(s => s.Name == f.Name + "_bucket").ToList();
            if (buckets.Count == 0 || buckets.Any(b => !b.Labels.ContainsKey("le"))) throw new FormatException($"{f.Name}{{{g.Key}}} has no le buckets");
            var bounds = buckets.Select(b => ParseBound(b.Labels["le"])).ToList();
            for (var i = 1; i < buckets.Count; i++)
            {
                if (!(bounds[i] > bounds[i - 1])) throw new FormatException($"{f.Name}{{{g.Key}}}: bucket bounds do not ascend");
                if (buckets[i].Value < buckets[i - 1].Value) throw new FormatException($"{f.Name}{{{g.Key}}}: buckets are not cumulative");
            }
            if (!double.IsPositiveInfinity(bounds[^1])) throw new FormatException($"{f.Name}{{{g.Key}}}: last bucket is not +Inf");
            var count = g.SingleOrDefault(s => s.Name == f.Name + "_count") ?? throw new FormatException($"{f.Name}{{{g.Key}}}: no _count");
            _ = g.SingleOrDefault(s => s.Name == f.Name + "_sum") ?? throw new FormatException($"{f.Name}{{{g.Key}}}: no _sum");
            if (count.Value != buckets[^1].Value) throw new FormatException($"{f.Name}{{{g.Key}}}: _count {count.Value} != +Inf bucket {buckets[^1].Value}");
        }
    }

    private static double ParseBound(string le) =>
        le == "+Inf" ? double.PositiveInfinity : double.Parse(le, NumberStyles.Float, CultureInfo.InvariantCulture);
}
