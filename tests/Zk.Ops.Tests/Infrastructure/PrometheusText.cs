// A strict parser of Prometheus text exposition format 0.0.4 (what /metrics serves): HELP and TYPE lines, samples
// with escaped label values and float values (+Inf, -Inf, NaN), and a check that every histogram is well formed
// (cumulative buckets ending in +Inf equal to _count, with a _sum). Any deviation throws FormatException with the line.
using System.Globalization;
using System.Text;

namespace Zk.Ops.Tests.Infrastructure;

public sealed record PromSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string name) => Labels.TryGetValue(name, out var v) ? v : "";
}

public sealed class PromFamily(string name)
{
    public string Name { get; } = name;

    public string? Type { get; set; }

    public string? Help { get; set; }

    public List<PromSample> Samples { get; } = [];
}

public sealed class PrometheusDocument
{
    private readonly Dictionary<string, PromFamily> _families = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, PromFamily> Families => _families;

    public IEnumerable<PromSample> AllSamples => _families.Values.SelectMany(f => f.Samples);

    internal PromFamily Family(string name)
    {
        if (!_families.TryGetValue(name, out var f)) _families[name] = f = new PromFamily(name);
        return f;
    }

    /// <summary>The samples of a sample name (e.g. "zk_fsync_seconds_count"), any labels.</summary>
    public IReadOnlyList<PromSample> Samples(string sampleName) => [.. AllSamples.Where(s => s.Name == sampleName)];

    /// <summary>The one value of a sample with exactly these labels (a subset match); throws when absent.</summary>
    public double Value(string sampleName, params (string Key, string Value)[] labels)
    {
        var match = AllSamples.Where(s => s.Name == sampleName && labels.All(l => s.Label(l.Key) == l.Value)).ToList();
        return match.Count == 1 ? match[0].Value
            : throw new KeyNotFoundException($"{match.Count} samples named {sampleName} with {string.Join(",", labels)}");
    }

    public string? TypeOf(string family) => _families.TryGetValue(family, out var f) ? f.Type : null;
}

public static class PrometheusText
{
    public static PrometheusDocument Parse(string text)
    {
        var doc = new PrometheusDocument();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0) continue;
            try
            {
                if (line.StartsWith('#')) ParseComment(doc, line);
                else AddSample(doc, ParseSample(line));
            }
            catch (FormatException e)
            {
                throw new FormatException($"line {i + 1}: {e.Message}: '{line}'", e);
            }
        }
        foreach (var f in doc.Families.Values.Where(f => f.Type == "histogram")) CheckHistogram(f);
        return doc;
    }

    private static void ParseComment(PrometheusDocument doc, string line)
    {
        var parts = line.Split(' ', 4);
        if (parts.Length < 3 || parts[0] != "#" || parts[1] is not ("HELP" or "TYPE")) return;
        var family = doc.Family(RequireName(parts[2]));
        var rest = parts.Length > 3 ? parts[3] : "";
        if (parts[1] == "HELP") family.Help = rest.Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
        else
        {
            if (family.Samples.Count > 0) throw new FormatException("TYPE after samples");
            if (family.Type is not null) throw new FormatException("second TYPE line");
            family.Type = rest is "counter" or "gauge" or "histogram" or "summary" or "untyped" ? rest : throw new FormatException($"unknown type {rest}");
        }
    }

    public static PromSample ParseSample(string line)
    {
        var i = 0;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':')) i++;
        var name = RequireName(line[..i]);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{') i = ParseLabels(line, i + 1, labels);
        if (i >= line.Length || line[i] != ' ') throw new FormatException("expected a space before the value");
        var fields = line[(i + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is 0 or > 2) throw new FormatException("expected a value and an optional timestamp");
        return new PromSample(name, labels, ParseValue(fields[0]));
    }

    private static int ParseLabels(string line, int i, Dictionary<string, string> labels)
    {
        while (true)
        {
            if (i >= line.Length) throw new FormatException("unterminated label set");
            if (line[i] == '}') return i + 1;
            var start = i;
            while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] == '_')) i++;
            var key = line[start..i];
            if (key.Length == 0 || char.IsAsciiDigit(key[0])) throw new FormatException("bad label name");
            if (i + 1 >= line.Length || line[i] != '=' || line[i + 1] != '"') throw new FormatException($"expected =\" after {key}");
            i += 2;
            var value = new StringBuilder();
            while (true)
            {
                if (i >= line.Length) throw new FormatException("unterminated label value");
                var c = line[i++];
                if (c == '"') break;
                if (c != '\\') { value.Append(c); continue; }
                if (i >= line.Length) throw new FormatException("dangling escape");
                value.Append(line[i++] switch { 'n' => '\n', '\\' => '\\', '"' => '"', var other => throw new FormatException($"bad escape \\{other}") });
            }
            if (!labels.TryAdd(key, value.ToString())) throw new FormatException($"label {key} repeated");
            if (i < line.Length && line[i] == ',') i++;
        }
    }

    private static double ParseValue(string s) => s switch
    {
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"bad value {s}"),
    };

    private static string RequireName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':')
            ? name : throw new FormatException($"bad metric name '{name}'");

    private static void AddSample(PrometheusDocument doc, PromSample s)
    {
        // A histogram's samples belong to the family named without _bucket/_sum/_count.
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (s.Name.EndsWith(suffix, StringComparison.Ordinal) && doc.Families.TryGetValue(s.Name[..^suffix.Length], out var h) && h.Type == "histogram")
            {
                h.Samples.Add(s);
                return;
            }
        }
        var family = doc.Family(s.Name);
        if (family.Type is null) throw new FormatException($"sample {s.Name} has no TYPE line before it");
        family.Samples.Add(s);
    }

    private static void CheckHistogram(PromFamily f)
    {
        var groups = f.Samples.GroupBy(s => string.Join(",", s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}")));
        foreach (var g in groups)
        {
            var buckets = g.Where(s => s.Name == f.Name + "_bucket").ToList();
            if (buckets.Count == 0 || buckets.Any(b => !b.Labels.ContainsKey("le"))) throw new FormatException($"{f.Name}{{{g.Key}}} has no le buckets");
            var bounds = buckets.Select(b => ParseValue(b.Labels["le"])).ToList();
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
}
