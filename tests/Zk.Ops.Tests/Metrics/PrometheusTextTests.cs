// The test-side reader of exposition text: the reference parser's reading comes through intact (escapes, special
// values, help, counter names), and what it lets pass but Prometheus would not is refused.
using Zk.Ops.Tests.Infrastructure;

namespace Zk.Ops.Tests.Metrics;

public sealed class PrometheusTextTests
{
    [Fact]
    public async Task Reads_samples_with_escaped_labels_special_values_and_timestamps()
    {
        var doc = await PrometheusText.ParseAsync("""
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
        Assert.Equal("counter", doc.TypeOf("a_total"));
        Assert.Equal("Some help", doc.Families["a_total"].Help);
        Assert.True(double.IsPositiveInfinity(doc.Value("b", ("k", "inf"))));
        Assert.True(double.IsNaN(doc.Value("b", ("k", "nan"))));
    }

    [Theory]
    [InlineData("# TYPE m gauge\nm{a=\"1 3\n", "could not parse")]
    [InlineData("# TYPE m gauge\nm three\n", "could not parse")]
    [InlineData("m 3\n", "no TYPE")]
    [InlineData("# TYPE m gauge\nm{a=\"1\"} 1\nm{a=\"1\"} 2\n", "twice")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", "cumulative")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", "+Inf")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n", "_count")]
    public async Task Refuses_malformed_exposition(string text, string problem)
    {
        var e = await Assert.ThrowsAsync<FormatException>(() => PrometheusText.ParseAsync(text));
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }
}
