// The client of one fail-over round: a session on a follower that, once the leader is killed, writes again and again
// (a setData every RetryDelay) until one write is acknowledged. When its connection breaks it reconnects, resuming its
// session, to the next surviving member in turn, as a ZooKeeper client with every member in its connect string would.
// Owned by one round; not thread-safe.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Zk.Bench.Protocol;
using Zk.Bench.Workloads;
using Zk.Protocol;
using Zk.Protocol.Records;

namespace Zk.Bench.Compare;

public sealed class FailoverWriter(IReadOnlyList<EndPoint> members, IReadOnlyList<int> survivors, FailoverOptions options) : IAsyncDisposable
{
    public const string Path = "/zkbench-failover";

    private static readonly byte[] Payload = "zkbench failover"u8.ToArray();
    private static readonly SetDataRequest Write = new(Path, Payload, Version: -1);

    private readonly Dictionary<string, int> _errors = new(StringComparer.Ordinal);
    private BenchConnection? _connection;
    private SessionCredentials? _session;
    private int _next;

    /// <summary>Writes sent (successful or not) since <see cref="WriteUntilAcknowledgedAsync"/> began.</summary>
    public int Attempts { get; private set; }

    /// <summary>Connections opened since <see cref="WriteUntilAcknowledgedAsync"/> began.</summary>
    public int Reconnects { get; private set; }

    /// <summary>True when a member refused to resume the session and the writer had to open a new one.</summary>
    public bool NewSession { get; private set; }

    /// <summary>The member whose connection carried the acknowledged write.</summary>
    public int AcknowledgedBy { get; private set; } = -1;

    /// <summary>What went wrong on the way, by kind: exception type names and error codes.</summary>
    public IReadOnlyDictionary<string, int> Errors => _errors;

    /// <summary>Opens the session on <paramref name="member"/> and writes once, so the round starts from a working client.</summary>
    public async Task OpenAsync(int member, CancellationToken ct)
    {
        _connection = await BenchConnection.OpenAsync(members[member], options.SessionTimeoutMs, ct).ConfigureAwait(false);
        _session = new SessionCredentials(_connection.SessionId, _connection.SessionPassword);
        AcknowledgedBy = member;
        _next = Math.Max(0, IndexOf(survivors, member));
        var create = OpGenerator.CreateOf(Path, CreateMode.Persistent, Payload);
        var code = await SendAsync(OpCode.Create, create, options.StartTimeout, ct).ConfigureAwait(false);
        if (code is not (KeeperErrorCode.Ok or KeeperErrorCode.NodeExists))
            throw new InvalidOperationException($"creating {Path} on member {member + 1} failed: {code}");
        code = await SendAsync(OpCode.SetData, Write, options.StartTimeout, ct).ConfigureAwait(false);
        if (code != KeeperErrorCode.Ok) throw new InvalidOperationException($"the first write on member {member + 1} failed: {code}");
    }

    /// <summary>
    /// Writes until a write is acknowledged and returns the timestamp (<see cref="Stopwatch.GetTimestamp"/>) of that
    /// acknowledgement; gives up with a TimeoutException after <see cref="FailoverOptions.RoundTimeout"/>.
    /// </summary>
    public async Task<long> WriteUntilAcknowledgedAsync(CancellationToken ct)
    {
        var giveUp = Stopwatch.GetTimestamp() + (long)(options.RoundTimeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (Stopwatch.GetTimestamp() > giveUp)
                throw new TimeoutException($"no write acknowledged within {options.RoundTimeout.TotalSeconds:F0} s ({Describe(_errors)})");
            try
            {
                _connection ??= await ReconnectAsync(ct).ConfigureAwait(false);
                Attempts++;
                var code = await SendAsync(OpCode.SetData, Write, options.AttemptTimeout, ct).ConfigureAwait(false);
                if (code == KeeperErrorCode.Ok) return Stopwatch.GetTimestamp();
                Count(code.ToString());
                if (code is KeeperErrorCode.SessionExpired or KeeperErrorCode.SessionMoved) await DropAsync(forgetSession: code == KeeperErrorCode.SessionExpired).ConfigureAwait(false);
            }
            catch (BenchSessionRefusedException)
            {
                Count("session refused");
                await DropAsync(forgetSession: true).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or IOException or BenchProtocolException or ObjectDisposedException
                or OperationCanceledException && !ct.IsCancellationRequested)
            {
                Count(e is SocketException s ? s.SocketErrorCode.ToString() : e.GetType().Name);
                await DropAsync(forgetSession: false).ConfigureAwait(false);
            }
            await Task.Delay(options.RetryDelay, ct).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is null) return;
        await _connection.CloseSessionAsync(options.AttemptTimeout).ConfigureAwait(false);
        await DropAsync(forgetSession: true).ConfigureAwait(false);
    }

    public static string Describe(IReadOnlyDictionary<string, int> errors) =>
        errors.Count == 0 ? "no errors" : string.Join(", ", errors.OrderByDescending(e => e.Value).Select(e => $"{e.Key} x{e.Value}"));

    // The next survivor in turn; a new session only when the old one is known to be gone.
    private async Task<BenchConnection> ReconnectAsync(CancellationToken ct)
    {
        var member = survivors[_next];
        _next = (_next + 1) % survivors.Count;
        Reconnects++;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.AttemptTimeout);
        var connection = await BenchConnection.OpenAsync(members[member], options.SessionTimeoutMs, _session, timeout.Token).ConfigureAwait(false);
        if (_session is null) NewSession = true;
        _session = new SessionCredentials(connection.SessionId, connection.SessionPassword);
        AcknowledgedBy = member;
        return connection;
    }

    private async Task<KeeperErrorCode> SendAsync(OpCode op, Request body, TimeSpan timeout, CancellationToken ct)
    {
        var connection = _connection ?? throw new InvalidOperationException("not connected");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        var xid = connection.Append(op, body);
        await connection.FlushAsync(cts.Token).ConfigureAwait(false);
        var (header, _) = await connection.ReadReplyAsync(xid, op, cts.Token).ConfigureAwait(false);
        return header.Err;
    }

    private async Task DropAsync(bool forgetSession)
    {
        if (forgetSession) _session = null;
        if (_connection is null) return;
        var connection = _connection;
        _connection = null;
        await connection.DisposeAsync().ConfigureAwait(false);
    }

    private void Count(string kind) => _errors[kind] = _errors.GetValueOrDefault(kind) + 1;

    private static int IndexOf(IReadOnlyList<int> list, int value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value) return i;
        }
        return -1;
    }
}
