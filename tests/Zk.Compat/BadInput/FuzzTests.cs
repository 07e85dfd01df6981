// Fuzzing the client port over TCP: thousands of random and mutated frames, before and after the handshake, on
// many short connections. The server must stay up, every byte it sends must be a well-formed frame, and a healthy
// session on its own connection must keep working throughout. ZK_FUZZ_SEED / ZK_FUZZ_CASES change the run.
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Zk.Compat.Infrastructure;
using Zk.Protocol;
using Zk.Protocol.Records;

namespace Zk.Compat.BadInput;

public sealed class FuzzFixture : ZkActorsFixture
{
    protected override IReadOnlyDictionary<string, string> Config => new Dictionary<string, string>
    {
        ["maxClientCnxns"] = "0",
        ["tickTime"] = "200",
        ["jute.maxbuffer"] = "65536",
        ["extendedTypesEnabled"] = "true",
    };
}

public sealed class FuzzTests(FuzzFixture fixture, ITestOutputHelper output) : CompatTest(output), IClassFixture<FuzzFixture>
{
    private const int Parallelism = 16;

    [Fact]
    public async Task Thousands_of_random_and_mutated_frames_close_only_their_own_connections()
    {
        var server = Watch(fixture.Server);
        var seed = int.Parse(Environment.GetEnvironmentVariable("ZK_FUZZ_SEED") ?? "424242", CultureInfo.InvariantCulture);
        var cases = int.Parse(Environment.GetEnvironmentVariable("ZK_FUZZ_CASES") ?? "4000", CultureInfo.InvariantCulture);
        Output.WriteLine($"fuzz seed {seed}, {cases} cases");
        await using var healthy = await RawZkClient.ConnectAsync(server.ClientPort, timeoutMs: 4000);
        var root = $"/fuzz-{seed}";
        await healthy.CreateAsync(root).Ok();

        var next = -1;
        var failures = new List<string>();
        async Task Worker()
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= cases) return;
                var problem = await FuzzCase.RunAsync(server.ClientPort, new Random(HashCode.Combine(seed, i)));
                if (problem is not null)
                {
                    lock (failures) failures.Add($"case {i}: {problem}");
                }
            }
        }

        var workers = Enumerable.Range(0, Parallelism).Select(_ => Task.Run(Worker)).ToList();
        var round = 0;
        while (!workers.All(w => w.IsCompleted))
        {
            // The healthy session works all along (and its activity keeps it alive).
            await healthy.CreateAsync($"{root}/h", "x", CreateMode.Ephemeral).Ok();
            await healthy.GetDataAsync($"{root}/h").Ok();
            await healthy.DeleteAsync($"{root}/h").Ok();
            Assert.True(server.IsRunning, "the server died while fuzzing");
            round++;
            await Task.WhenAny(Task.WhenAll(workers), Task.Delay(100));
        }
        await Task.WhenAll(workers);

        Assert.True(failures.Count == 0, $"seed {seed}:\n{string.Join('\n', failures.Take(20))}");
        Assert.True(round > 1, "the healthy session was checked while fuzzing");
        Assert.False(healthy.Closed.IsCompleted, "the healthy connection was closed");
        Assert.Null(healthy.Violation);
        Assert.Equal("imok", await FourLetterWord.SendAsync(server.ClientPort, "ruok"));
        Assert.Contains("Mode: standalone", await FourLetterWord.SendAsync(server.ClientPort, "srvr"));
        Assert.DoesNotContain(server.LogLines, l => l.Contains("crit:", StringComparison.Ordinal) || l.Contains("Unhandled exception", StringComparison.Ordinal));
    }
}

/// <summary>One fuzz case on its own connection: what to send, and a check of whatever comes back.</summary>
internal static class FuzzCase
{
    private static readonly Request[] Corpus =
    [
        new CreateRequest("/fuzz-c", "data"u8.ToArray(), Acl.OpenAclUnsafe, 0),
        new CreateRequest("/fuzz-e", [1, 2, 3], [new Acl(Perms.All, new Id("digest", "u:h")), new Acl(Perms.Read, Id.Anyone)], 3),
        new DeleteRequest("/fuzz-c", -1),
        new ExistsRequest("/", true),
        new GetDataRequest("/zookeeper", true),
        new SetDataRequest("/fuzz-c", new byte[300], 2),
        new GetAclRequest("/"),
        new SetAclRequest("/fuzz-c", Acl.OpenAclUnsafe, -1),
        new GetChildrenRequest("/", true),
        new SyncRequest("/"),
        new MultiRequest([new MultiOp(OpCode.Create, new CreateRequest("/fuzz-m", null, Acl.OpenAclUnsafe, 2)), new MultiOp(OpCode.Check, new CheckVersionRequest("/", -1)), new MultiOp(OpCode.Delete, new DeleteRequest("/fuzz-m", 0))]),
        new AuthPacket(0, "digest", "u:p"u8.ToArray()),
        new SetWatchesRequest(5, ["/a"], ["/b"], ["/c"], [], []),
        new SetWatchesRequest(5, ["/a"], [], [], ["/p"], ["/r"]),
        new AddWatchRequest("/", 1),
        new WatchesRequest("/", 3),
        new GetEphemeralsRequest("/"),
        new GetAllChildrenNumberRequest("/"),
        new ReconfigRequest(null, null, "server.1=x", -1),
        new SaslRequest([1, 2]),
        new CreateRequest("/fuzz-ttl", null, Acl.OpenAclUnsafe, 5, 10_000),
    ];

    private static readonly OpCode[] CorpusOps =
    [
        OpCode.Create, OpCode.Create2, OpCode.Delete, OpCode.Exists, OpCode.GetData, OpCode.SetData, OpCode.GetAcl, OpCode.SetAcl,
        OpCode.GetChildren2, OpCode.Sync, OpCode.Multi, OpCode.Auth, OpCode.SetWatches, OpCode.SetWatches2, OpCode.AddWatch,
        OpCode.RemoveWatches, OpCode.GetEphemerals, OpCode.GetAllChildrenNumber, OpCode.Reconfig, OpCode.Sasl, OpCode.CreateTtl,
    ];

    /// <summary>Null when the case went as the rules allow; else what went wrong.</summary>
    public static async Task<string?> RunAsync(int port, Random rng)
    {
        using var tcp = await RawZkClient.OpenSocketAsync(port);
        var stream = tcp.GetStream();
        var handshake = rng.Next(100) >= 15;
        var sent = new List<byte>();
        try
        {
            if (handshake)
            {
                await stream.WriteAsync(FrameBytes.Connect(timeoutMs: 400));
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                var answer = await RawZkClient.ReadFrameAsync(stream, cts.Token);
                if (answer is not { Length: SessionCodec.ConnectResponseBytes }) return $"bad handshake reply ({answer?.Length} bytes)";
                for (var n = 1 + rng.Next(3); n > 0; n--) sent.AddRange(Mutate(rng, ValidFrame(rng)));
            }
            else
            {
                sent.AddRange(rng.Next(3) switch
                {
                    0 => Mutate(rng, FrameBytes.Connect()),
                    1 => RandomBytes(rng, 1 + rng.Next(64)),
                    _ => [.. Encoding.ASCII.GetBytes(rng.Next(2) == 0 ? "ruok" : "stmk"), .. RandomBytes(rng, rng.Next(16))],
                });
            }
            // A well-formed ping after the noise: answered if the server is still in step with us.
            if (handshake) sent.AddRange(FrameBytes.Request(Xids.Ping, OpCode.Ping, EmptyRequest.Instance));
            await stream.WriteAsync(sent.ToArray());
            if (rng.Next(4) == 0) tcp.Client.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            var (bytes, _) = await FrameBytes.ReadUntilClosedAsync(stream, TimeSpan.FromMilliseconds(handshake ? 300 : 100));
            return handshake ? CheckReplies(bytes) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return null;
        }
    }

    /// <summary>Every byte a session connection gets back must be a whole frame with a sane reply header.</summary>
    private static string? CheckReplies(byte[] bytes)
    {
        var at = 0;
        while (bytes.Length - at >= 4)
        {
            var n = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at));
            if (n < 16 || n > RawZkClient.MaxReplyBytes) return $"reply frame length {n}";
            if (bytes.Length - at - 4 < n) return null; // the rest was still on its way when we stopped reading
            var err = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at + 4 + 12));
            if (!Enum.IsDefined((KeeperErrorCode)err)) return $"reply with unknown error code {err}";
            at += 4 + n;
        }
        return null;
    }

    private static byte[] ValidFrame(Random rng)
    {
        var i = rng.Next(Corpus.Length);
        return FrameBytes.Request(1 + rng.Next(1000), CorpusOps[i], Corpus[i]);
    }

    private static byte[] Mutate(Random rng, byte[] frame)
    {
        var b = frame.ToArray();
        switch (rng.Next(8))
        {
            case 0: // flip a few bits
                for (var k = 1 + rng.Next(8); k > 0; k--) b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8));
                return b;
            case 1: // truncate, keeping the original length prefix
                return b[..rng.Next(1, b.Length)];
            case 2: // truncate and fix the length prefix (a complete but short frame)
                var cut = b[..Math.Max(4, rng.Next(4, b.Length))];
                BinaryPrimitives.WriteInt32BigEndian(cut, cut.Length - 4);
                return cut;
            case 3: // an unusual length prefix
                BinaryPrimitives.WriteInt32BigEndian(b, rng.Next(5) switch { 0 => -1, 1 => int.MaxValue, 2 => 0, 3 => 65537, _ => rng.Next(0, 200) });
                return b;
            case 4: // a random opcode
                if (b.Length >= 12) BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(8), rng.Next(3) == 0 ? rng.Next(-20, 120) : rng.Next());
                return b;
            case 5: // a hostile int where a length or count is likely
                if (b.Length >= 16)
                {
                    var at = 12 + 4 * rng.Next((b.Length - 12) / 4);
                    BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(Math.Min(at, b.Length - 4)), rng.Next(4) switch { 0 => -1, 1 => int.MaxValue, 2 => -2, _ => rng.Next(0, 100_000) });
                }
                return b;
            case 6: // trailing junk inside the frame
                var extra = RandomBytes(rng, 1 + rng.Next(40));
                var longer = b.Concat(extra).ToArray();
                BinaryPrimitives.WriteInt32BigEndian(longer, longer.Length - 4);
                return longer;
            default: // a frame of random bytes
                var payload = RandomBytes(rng, rng.Next(0, 120));
                return [.. FrameBytes.Length(payload.Length), .. payload];
        }
    }

    private static byte[] RandomBytes(Random rng, int n)
    {
        var b = new byte[n];
        rng.NextBytes(b);
        return b;
    }
}
