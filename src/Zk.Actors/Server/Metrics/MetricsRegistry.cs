// Named metric families (a name, help text, kind and label names, with one child per label-value tuple) and their
// exposition in Prometheus text format 0.0.4. Registration and child creation take a lock; updating a child held by
// the caller does not. Collectors registered here run before every scrape to refresh gauges read from elsewhere.
using System.Globalization;
using System.Text;

namespace Zk.Actors.Server.Metrics;

public enum MetricKind
{
    Counter,
    Gauge,
    Histogram,
}

public sealed class MetricFamily<T> : IMetricFamily
    where T : class
{
    private readonly Func<T> _factory;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (string[] Values, T Metric)> _children = new(StringComparer.Ordinal);

    internal MetricFamily(string name, string help, MetricKind kind, string[] labelNames, Func<T> factory)
    {
        Name = name;
        Help = help;
        Kind = kind;
        LabelNames = labelNames;
        _factory = factory;
    }

    public string Name { get; }

    public string Help { get; }

    public MetricKind Kind { get; }

    public IReadOnlyList<string> LabelNames { get; }

    /// <summary>The child for these label values, created on first use. Callers on a hot path keep the result.</summary>
    public T WithLabels(params string[] values)
    {
        if (values.Length != LabelNames.Count) throw new ArgumentException($"{Name} takes {LabelNames.Count} label values");
        var key = string.Join('\u0001', values);
        lock (_lock)
        {
            if (!_children.TryGetValue(key, out var child))
            {
                child = ((string[])values.Clone(), _factory());
                _children[key] = child;
            }
            return child.Metric;
        }
    }

    public void Remove(params string[] values)
    {
        lock (_lock) _children.Remove(string.Join('\u0001', values));
    }

    public void Clear()
    {
        lock (_lock) _children.Clear();
    }

    public IReadOnlyList<(string[] Values, T Metric)> Children()
    {
        lock (_lock) return [.. _children.Values.OrderBy(c => string.Join('\u0001', c.Values), StringComparer.Ordinal)];
    }

    void IMetricFamily.WriteTo(StringBuilder sb)
    {
        var children = Children();
        if (children.Count == 0) return;
        sb.Append("# HELP ").Append(Name).Append(' ').Append(EscapeHelp(Help)).Append('\n');
        sb.Append("# TYPE ").Append(Name).Append(' ').Append(Kind switch
        {
            MetricKind.Counter => "counter",
            MetricKind.Gauge => "gauge",
            _ => "histogram",
        }).Append('\n');
        foreach (var (values, metric) in children)
        {
            switch (metric)
            {
                case Counter c:
                    Sample(sb, Name, LabelNames, values, null, c.Value);
                    break;
                case Gauge g:
                    Sample(sb, Name, LabelNames, values, null, g.Value);
                    break;
                case Histogram h:
                    WriteHistogram(sb, values, h);
                    break;
            }
        }
    }

    private void WriteHistogram(StringBuilder sb, string[] values, Histogram h)
    {
        var cumulative = h.CumulativeCounts();
        var bounds = h.UpperBounds;
        for (var i = 0; i < cumulative.Length; i++)
        {
            var le = i < bounds.Length ? FormatValue(bounds[i]) : "+Inf";
            Sample(sb, Name + "_bucket", LabelNames, values, le, cumulative[i]);
        }
        Sample(sb, Name + "_sum", LabelNames, values, null, h.Sum);
        // The count is the +Inf bucket, read in the same pass, so a scrape never shows count < a bucket.
        Sample(sb, Name + "_count", LabelNames, values, null, cumulative[^1]);
    }

    private static void Sample(StringBuilder sb, string name, IReadOnlyList<string> labels, string[] values, string? le, double value)
    {
        sb.Append(name);
        if (labels.Count > 0 || le is not null)
        {
            sb.Append('{');
            for (var i = 0; i < labels.Count; i++)
            {
                if (i > 0) sb.Append(',');
                sb.Append(labels[i]).Append("=\"").Append(EscapeLabel(values[i])).Append('"');
            }
            if (le is not null)
            {
                if (labels.Count > 0) sb.Append(',');
                sb.Append("le=\"").Append(le).Append('"');
            }
            sb.Append('}');
        }
        sb.Append(' ').Append(FormatValue(value)).Append('\n');
    }

    internal static string FormatValue(double v) =>
        double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : double.IsNaN(v) ? "NaN"
        : v.ToString("R", CultureInfo.InvariantCulture);

    private static string EscapeLabel(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeHelp(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}

internal interface IMetricFamily
{
    string Name { get; }

    void WriteTo(StringBuilder sb);
}

public sealed class MetricsRegistry
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly Lock _lock = new();
    private readonly List<IMetricFamily> _families = [];
    private readonly List<Action> _collectors = [];

    public MetricFamily<Counter> CounterFamily(string name, string help, params string[] labelNames) =>
        Add(new MetricFamily<Counter>(name, help, MetricKind.Counter, labelNames, () => new Counter()));

    public MetricFamily<Gauge> GaugeFamily(string name, string help, params string[] labelNames) =>
        Add(new MetricFamily<Gauge>(name, help, MetricKind.Gauge, labelNames, () => new Gauge()));

    public MetricFamily<Histogram> HistogramFamily(string name, string help, double[] upperBounds, params string[] labelNames) =>
        Add(new MetricFamily<Histogram>(name, help, MetricKind.Histogram, labelNames, () => new Histogram(upperBounds)));

    public Counter Counter(string name, string help) => CounterFamily(name, help).WithLabels();

    public Gauge Gauge(string name, string help) => GaugeFamily(name, help).WithLabels();

    public Histogram Histogram(string name, string help, double[] upperBounds) => HistogramFamily(name, help, upperBounds).WithLabels();

    /// <summary>Runs before each scrape (on the scraping thread) to set gauges from state kept elsewhere.</summary>
    public void AddCollector(Action collect)
    {
        lock (_lock) _collectors.Add(collect);
    }

    public IReadOnlyList<string> FamilyNames()
    {
        lock (_lock) return [.. _families.Select(f => f.Name)];
    }

    public string Scrape()
    {
        Action[] collectors;
        IMetricFamily[] families;
        lock (_lock)
        {
            collectors = [.. _collectors];
            families = [.. _families];
        }
        foreach (var c in collectors) c();
        var sb = new StringBuilder(16 * 1024);
        foreach (var f in families) f.WriteTo(sb);
        return sb.ToString();
    }

    private MetricFamily<T> Add<T>(MetricFamily<T> family)
        where T : class
    {
        if (!IsValidName(family.Name)) throw new ArgumentException($"'{family.Name}' is not a valid metric name");
        lock (_lock)
        {
            if (_families.Any(f => f.Name == family.Name)) throw new InvalidOperationException($"metric {family.Name} is already registered");
            _families.Add(family);
        }
        return family;
    }

    private static bool IsValidName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');
}
