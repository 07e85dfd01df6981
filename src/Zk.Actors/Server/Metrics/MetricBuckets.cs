// The upper bounds (in seconds, +Inf implied) of each histogram's buckets, chosen for what it measures: its clock's
// resolution at the low end, the range where a healthy server lives in the middle, and ZooKeeper's warning thresholds
// or timeouts at the top. Pure data; the tests pin each layout so that a dashboard's le="..." keeps meaning the same.
namespace Zk.Actors.Server.Metrics;

public static class MetricBuckets
{
    /// <summary>
    /// zk_request_latency_seconds: a reply's latency is counted in whole milliseconds (the session stamps a request
    /// with the millisecond clock), so nothing finer than 1 ms can be told apart. A 1-2-5 series from 1 ms (a read on
    /// an idle server) through the tens of milliseconds of a loaded ensemble's writes up to 10 s (past any sane
    /// session timeout).
    /// </summary>
    public static ReadOnlySpan<double> RequestLatencySeconds =>
        [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];

    /// <summary>
    /// zk_fsync_seconds: timed with the high-resolution clock. 25 µs (an NVMe flush) to 5 s; a local virtio disk
    /// syncs in 100–200 µs, a network disk in milliseconds, and ZooKeeper warns at 1 s (fsync.warningthresholdms).
    /// </summary>
    public static ReadOnlySpan<double> FsyncSeconds =>
        [0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    /// <summary>
    /// zk_snapshot_duration_seconds: whole milliseconds. A small tree snapshots in milliseconds, a million znodes in
    /// seconds; 100 s is far past what a healthy server needs.
    /// </summary>
    public static ReadOnlySpan<double> SnapshotSeconds =>
        [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100];

    /// <summary>
    /// zk_election_duration_seconds: whole milliseconds. Dense between 25 and 300 ms, where fail-overs land (this
    /// server's median is ~60 ms, ZooKeeper's finalize wait alone 200 ms, the fail-over goal 150 ms: docs/BENCHMARKS.md), then up to a
    /// minute for ensembles that cannot form a quorum for a while.
    /// </summary>
    public static ReadOnlySpan<double> ElectionSeconds =>
        [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30, 60];
}
