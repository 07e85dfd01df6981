// Runs the differential workload against one server with three raw clients, one request at a time, and writes
// a transcript: each request, its result, and every watch event each client received, in wire order. After each
// step every client sends exists("/") as a barrier, so the events a step caused are all in before the next step.
// Zxids and times are left out and session ids are named after the client; everything else is recorded.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Zk.Protocol;
using Zk.Protocol.Records;

namespace Zk.Compat.Differential;

internal sealed class DiffRunner(ServerProcess server, DiffWorkload workload) : IAsyncDisposable
{
    private readonly RawZkClient?[] _clients = new RawZkClient?[DiffWorkload.Clients];
    private readonly int[] _cursor = new int[DiffWorkload.Clients];
    private readonly int[] _generation = new int[DiffWorkload.Clients];
    private readonly Dictionary<long, string> _sessionNames = [];
    private readonly List<string> _transcript = [];

    public static async Task<List<string>> RunAsync(ServerProcess server, int seed, int steps)
    {
        var workload = new DiffWorkload(seed, $"/seed{seed}");
        await using var runner = new DiffRunner(server, workload);
        await runner.SetUpAsync();
        for (var i = 1; i <= steps; i++)
        {
            var step = workload.Next();
            var (err, body) = await runner.ExecuteAsync(i, step);
            workload.Observe(step, body, err);
            await runner.BarrierAsync(i, sortEvents: step.IsRestart);
        }
        foreach (var c in runner._clients)
        {
            if (c!.Violation is { } v) runner._transcript.Add("protocol violation: " + v);
        }
        return runner._transcript;
    }

    private async Task SetUpAsync()
    {
        for (var i = 0; i < DiffWorkload.Clients; i++) await ConnectAsync(i);
        await _clients[0]!.CreateAsync(workload.Root).Ok();
        await BarrierAsync(0);
    }

    private async Task ConnectAsync(int i)
    {
        var c = await RawZkClient.ConnectAsync(server.ClientPort, timeoutMs: 30_000);
        _clients[i] = c;
        _cursor[i] = 0;
        _sessionNames[c.SessionId] = $"c{i}.{_generation[i]++}";
        if (DiffWorkload.Credentials[i] is { } cred) await c.AddDigestAuthAsync(cred).Ok();
        foreach (var (client, path, mode) in workload.PersistentWatches)
        {
            if (client == i) await c.SendAsync(OpCode.AddWatch, new AddWatchRequest(path, (int)mode)).Ok();
        }
        _cursor[i] = c.Wire.Count;
    }

    private async Task<(KeeperErrorCode, Response?)> ExecuteAsync(int n, DiffStep step)
    {
        var c = _clients[step.Client]!;
        if (step.IsRestart)
        {
            await c.CloseSessionAsync();
            Collect(n, step.Client, upToReply: false, sortEvents: true);
            _transcript.Add($"{n} c{step.Client} {step.Label}");
            await c.DisposeAsync();
            await ConnectAsync(step.Client);
            return (KeeperErrorCode.Ok, null);
        }
        var reply = await c.SendAsync(step.Op, step.Body!);
        Collect(n, step.Client, upToReply: true);
        _transcript.Add($"{n} c{step.Client} {step.Label} -> {Format(reply)}");
        return (reply.Err, reply.Body);
    }

    private async Task BarrierAsync(int n, bool sortEvents = false)
    {
        await Task.WhenAll(_clients.Select(c => c!.ExistsAsync("/")));
        for (var i = 0; i < DiffWorkload.Clients; i++) Collect(n, i, upToReply: true, sortEvents);
    }

    /// <summary>
    /// Records the events client i received since the last look, up to its latest reply. When a session closes, the
    /// order in which ZooKeeper deletes its ephemerals is that of a Java HashSet, i.e. unspecified: those events are
    /// compared as a sorted list.
    /// </summary>
    private void Collect(int n, int i, bool upToReply, bool sortEvents = false)
    {
        var wire = _clients[i]!.Wire;
        var end = wire.Count;
        if (upToReply)
        {
            while (end > _cursor[i] && wire[end - 1].Reply is null) end--;
        }
        var events = new List<string>();
        for (var k = _cursor[i]; k < end; k++)
        {
            if (wire[k].Event is { } e) events.Add($"{n} c{i} event {e.Type} {e.Path}");
        }
        if (sortEvents) events.Sort(StringComparer.Ordinal);
        _transcript.AddRange(events);
        _cursor[i] = end;
    }

    private string Format(Reply r)
    {
        if (r.Err != KeeperErrorCode.Ok) return r.Err.ToString();
        return r.Body switch
        {
            null or EmptyResponse => "Ok",
            CreateResponse c => $"Ok {c.Path}",
            Create2Response c => $"Ok {c.Path} {Format(c.Stat)}",
            StatResponse s => $"Ok {Format(s.Stat)}",
            GetDataResponse d => $"Ok {DiffWorkload.Show(d.Data)} {Format(d.Stat)}",
            GetAclResponse a => $"Ok [{string.Join(", ", a.Acl.Select(x => $"{(int)x.Perms} {x.Id}"))}] {Format(a.Stat)}",
            GetChildrenResponse g => $"Ok [{string.Join(",", g.Children.Order(StringComparer.Ordinal))}]",
            GetChildren2Response g => $"Ok [{string.Join(",", g.Children.Order(StringComparer.Ordinal))}] {Format(g.Stat)}",
            SyncResponse s => $"Ok {s.Path}",
            GetEphemeralsResponse e => $"Ok [{string.Join(",", e.Ephemerals.Order(StringComparer.Ordinal))}]",
            GetAllChildrenNumberResponse a => $"Ok {a.TotalNumber}",
            MultiResponse m => $"Ok {{{string.Join("; ", m.Results.Select(FormatResult))}}}",
            ErrorResponse e => $"Ok {e.Err}",
            _ => $"Ok <{r.Body.GetType().Name}>",
        };
    }

    private string FormatResult(MultiResult m) => m.Body switch
    {
        ErrorResponse e => $"{m.Op} {e.Err}",
        null => $"{m.Op} {m.Err}",
        _ => $"{m.Op} {m.Err} {Format(new Reply(new ReplyHeader(0, 0, KeeperErrorCode.Ok), m.Op, m.Body))}",
    };

    private string Format(Stat s)
    {
        var owner = s.EphemeralOwner == 0 ? "0" : _sessionNames.GetValueOrDefault(s.EphemeralOwner, "0x" + s.EphemeralOwner.ToString("x", CultureInfo.InvariantCulture));
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"(v{s.Version} cv{s.Cversion} av{s.Aversion} owner={owner} len{s.DataLength} kids{s.NumChildren}");
        sb.Append(s.Mzxid == s.Czxid ? " m=c" : " m>c").Append(s.Pzxid == s.Czxid ? " p=c" : " p>c").Append(')');
        return sb.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _clients)
        {
            if (c is not null) await c.DisposeAsync();
        }
    }

    internal static string Digest(IEnumerable<string> lines) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', lines))))[..16];
}
