// The test-side Prometheus text parser itself: it must accept valid exposition and reject what Prometheus would.
using Zk.Ops.Tests.Infrastructure;

namespace Zk.Ops.Tests.Metrics;

public sealed class PrometheusTextTests
{
    [Fact]
    public void Parses_samples_with_escaped_labels_special_values_and_timestamps()
    {
        var doc = PrometheusText.Parse("""
            # HELP a_total Some help
            # TYPE a_total counter
            a_total{x="q\"uote",y="back\\slash",z="new\nline"} 12 1700000000000
            # a free comment
            # TYPE b gauge
            b{k="inf"} +Inf
            b{k="nan"} NaN
            """);
        var s = doc.Samples("a_total").Single();
        Assert.Equal("q\"uote", s.Label("x"));
        Assert.Equal("back\\slash", s.Label("y"));
        Assert.Equal("new\nline", s.Label("z"));
        Assert.Equal(12, s.Value);
        Assert.Equal("Some help", doc.Families["a_total"].Help);
        Assert.True(double.IsPositiveInfinity(doc.Value("b", ("k", "inf"))));
        Assert.True(double.IsNaN(doc.Value("b", ("k", "nan"))));
    }

    [Theory]
    [InlineData("# TYPE m gauge\nm{a=\"1 3", "unterminated")]
    [InlineData("m 3", "no TYPE")]
    [InlineData("# TYPE m gauge\nm three", "bad value")]
    [InlineData("# TYPE m gauge\nm{a=\"\\x\"} 1", "bad escape")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1", "cumulative")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1", "+Inf")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3", "_count")]
    public void Rejects_malformed_exposition(string text, string problem)
    {
        var e = Assert.Throws<FormatException>(() => PrometheusText.Parse(text));
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }
}
