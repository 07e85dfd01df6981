// Chooses each session's next request for the request/reply workloads. One generator per session, used by its
// driver only; the prebuilt getData/setData records are shared read-only by all sessions of a run.
using Zk.Protocol;
using Zk.Protocol.Records;

namespace Zk.Bench.Workloads;

/// <summary>Requests that every session reuses: one getData, getData-with-watch and setData per data znode.</summary>
public sealed class SharedRequests
{
    public SharedRequests(BenchOptions options)
    {
        Payload = MakePayload(options.PayloadBytes, options.Seed);
        var n = options.Workload.UsesDataZnodes() ? options.Znodes : 0;
        GetData = new GetDataRequest[n];
        GetDataWatch = new GetDataRequest[n];
        SetData = new SetDataRequest[n];
        for (var i = 0; i < n; i++)
        {
            var path = BenchPaths.DataNode(i);
            GetData[i] = new GetDataRequest(path, Watch: false);
            GetDataWatch[i] = new GetDataRequest(path, Watch: true);
            SetData[i] = new SetDataRequest(path, Payload, Version: -1);
        }
    }

    public byte[] Payload { get; }

    public GetDataRequest[] GetData { get; }

    public GetDataRequest[] GetDataWatch { get; }

    public SetDataRequest[] SetData { get; }

    /// <summary>Printable bytes, so a znode read with zkCli shows something sensible.</summary>
    public static byte[] MakePayload(int bytes, int seed)
    {
        var payload = new byte[bytes];
        var random = new Random(seed);
        for (var i = 0; i < payload.Length; i++) payload[i] = (byte)('a' + random.Next(26));
        return payload;
    }
}

public sealed class OpGenerator
{
    private readonly BenchOptions _options;
    private readonly SharedRequests _shared;
    private readonly Random _random;
    private readonly string _prefix;
    private long _sequence;
    private string? _pendingDelete;

    public OpGenerator(BenchOptions options, SharedRequests shared, int sessionIndex)
    {
        _options = options;
        _shared = shared;
        _random = new Random(options.Seed * 7919 + sessionIndex);
        _prefix = $"{options.RunTag}-s{sessionIndex}-";
        IsWatcher = sessionIndex % 2 == 0;
    }

    /// <summary>In the watch workload, even sessions watch and odd sessions write.</summary>
    public bool IsWatcher { get; }

    /// <summary>True between a create-delete pair's create and its delete: the delete must still be issued.</summary>
    public bool PairPending => _pendingDelete is not null;

    public (OpCode Op, Request Body) Next()
    {
        switch (_options.Workload)
        {
            case WorkloadKind.Read:
                return (OpCode.GetData, _shared.GetData[RandomZnode()]);
            case WorkloadKind.Write:
                return (OpCode.SetData, _shared.SetData[RandomZnode()]);
            case WorkloadKind.Mixed:
                return _random.Next(100) < _options.ReadPercent
                    ? (OpCode.GetData, _shared.GetData[RandomZnode()])
                    : (OpCode.SetData, _shared.SetData[RandomZnode()]);
            case WorkloadKind.Watch:
                return IsWatcher
                    ? (OpCode.GetData, _shared.GetDataWatch[RandomZnode()])
                    : (OpCode.SetData, _shared.SetData[RandomZnode()]);
            case WorkloadKind.CreateDelete:
                return NextCreateDelete();
            case WorkloadKind.Create:
                return (OpCode.Create, CreateOf($"{BenchPaths.Create}/{_prefix}{_sequence++}", CreateMode.Persistent, _shared.Payload));
            default:
                throw new InvalidOperationException($"{_options.Workload.Name()} is not a request/reply workload");
        }
    }

    public static CreateRequest CreateOf(string path, CreateMode mode, byte[]? payload = null) =>
        new(path, payload ?? [], Acl.OpenAclUnsafe, (int)mode);

    private (OpCode, Request) NextCreateDelete()
    {
        if (_pendingDelete is { } path)
        {
            _pendingDelete = null;
            return (OpCode.Delete, new DeleteRequest(path, Version: -1));
        }
        _pendingDelete = $"{BenchPaths.CreateDelete}/{_prefix}{_sequence++}";
        return (OpCode.Create, CreateOf(_pendingDelete, CreateMode.Persistent, _shared.Payload));
    }

    private int RandomZnode() => _random.Next(_options.Znodes);
}
