// Random and mutated bytes through the framer and every decoder: each call must succeed or throw
// MalformedFrameException, never anything else, and finish. Seeded; set ZK_FUZZ_SEED to replay or vary a run.
using System.Buffers;
using System.Buffers.Binary;
using Zk.Protocol.Framing;
using Zk.Protocol.Jute;
using Zk.Protocol.Records;
using Zk.Protocol.Tests.Support;

namespace Zk.Protocol.Tests;

public sealed class FuzzTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);

    private static readonly int[] InterestingInts = [-2, -1, 0, 1, 3, 9, 16, 45, 127, 0xFFFFF, 0x100000, int.MaxValue, int.MinValue];

    [Fact]
    public void Random_streams_through_the_framer_only_yield_frames_or_MalformedFrameException() => Run(1, rng =>
    {
        for (var i = 0; i < 5000; i++)
        {
            var stream = RandomStream(rng);
            var buffer = Split(stream, rng);
            var max = rng.Next(3) == 0 ? rng.Next(0, 64) : FrameDecoder.DefaultMaxFrameBytes;
            try
            {
                while (FrameDecoder.TryReadFrame(ref buffer, max, out var payload))
                {
                    Assert.InRange(payload.Length, 0, max);
                    byte[]? scratch = null;
                    Assert.Equal(payload.Length, FrameDecoder.Contiguous(payload, ref scratch).Length);
                }
                Assert.True(buffer.Length < 4 || BinaryPrimitives.ReadInt32BigEndian(buffer.Slice(0, 4).ToArray()) > buffer.Length - 4);
            }
            catch (MalformedFrameException)
            {
            }
        }
    });

    [Fact]
    public void Random_bodies_for_every_opcode_only_decode_or_throw_MalformedFrameException() => Run(2, rng =>
    {
        for (var i = 0; i < 20000; i++)
        {
            var op = rng.Next(4) == 0 ? (OpCode)rng.Next(-12, 110) : Samples.RequestOps[rng.Next(Samples.RequestOps.Length)];
            var body = RandomBody(rng);
            Guard(() =>
            {
                var r = new JuteReader(body);
                RequestCodec.Decode(op, ref r);
            });
            if (!Samples.ResponseOps.Contains(op)) continue;
            Guard(() =>
            {
                var r = new JuteReader(body);
                ResponseCodec.Decode(op, ref r);
            });
        }
    });

    [Fact]
    public void Random_handshakes_and_events_only_decode_or_throw_MalformedFrameException() => Run(3, rng =>
    {
        for (var i = 0; i < 20000; i++)
        {
            var body = RandomBody(rng);
            Guard(() =>
            {
                var r = new JuteReader(body);
                SessionCodec.DecodeConnectRequest(ref r);
            });
            Guard(() =>
            {
                var r = new JuteReader(body);
                SessionCodec.DecodeConnectResponse(ref r);
            });
            Guard(() =>
            {
                var r = new JuteReader(body);
                r.ReadReplyHeader();
                SessionCodec.DecodeWatcherEvent(ref r);
            });
        }
    });

    [Fact]
    public void Mutated_golden_frames_only_decode_or_throw_MalformedFrameException() => Run(4, rng =>
    {
        var frames = GoldenFile.Names
            .SelectMany(name => GoldenFile.Load(name).Connections.SelectMany(c => GoldenAnnotation.Annotate(name, c)))
            .ToList();
        for (var i = 0; i < 30000; i++)
        {
            var a = frames[rng.Next(frames.Count)];
            var payload = Mutate(a.Frame.Bytes.AsSpan(4).ToArray(), rng);
            Guard(() => DecodeLikeTheServerOrClient(a, payload));
        }
    });

    [Fact]
    public void Mutated_encodings_of_random_records_only_decode_or_throw_MalformedFrameException() => Run(5, rng =>
    {
        for (var i = 0; i < 20000; i++)
        {
            var op = Samples.RequestOps[rng.Next(Samples.RequestOps.Length)];
            var request = Bytes.Write(w => RequestCodec.Encode(op, Samples.RandomRequest(op, rng), w));
            var response = Bytes.Write(w => ResponseCodec.Encode(op, Samples.RandomResponse(op, rng), w));
            var mutatedRequest = Mutate(request, rng);
            var mutatedResponse = Mutate(response, rng);
            Guard(() =>
            {
                var r = new JuteReader(mutatedRequest);
                RequestCodec.Decode(op, ref r);
            });
            Guard(() =>
            {
                var r = new JuteReader(mutatedResponse);
                ResponseCodec.Decode(op, ref r);
            });
        }
    });

    private static void DecodeLikeTheServerOrClient(AnnotatedFrame a, byte[] payload)
    {
        var r = new JuteReader(payload);
        switch (a.Kind)
        {
            case FrameKind.ConnectRequest:
                SessionCodec.DecodeConnectRequest(ref r);
                break;
            case FrameKind.ConnectResponse:
                SessionCodec.DecodeConnectResponse(ref r);
                break;
            case FrameKind.Request:
                var header = r.ReadRequestHeader();
                RequestCodec.Decode(header.Type, ref r);
                break;
            case FrameKind.Notification:
                r.ReadReplyHeader();
                SessionCodec.DecodeWatcherEvent(ref r);
                break;
            case FrameKind.Reply:
                if (r.ReadReplyHeader().Err == KeeperErrorCode.Ok) ResponseCodec.Decode(a.Op, ref r);
                break;
        }
    }

    private static void Guard(Action decode)
    {
        try
        {
            decode();
        }
        catch (MalformedFrameException)
        {
        }
    }

    // Runs the body on a worker with a deadline, so a decoder that loops forever fails the test instead of
    // hanging it, and names the seed on any failure.
    private static void Run(int salt, Action<Random> body)
    {
        var seed = Environment.GetEnvironmentVariable("ZK_FUZZ_SEED") is { } s ? int.Parse(s) : 20240601;
        seed += salt;
        var work = Task.Run(() => body(new Random(seed)));
        try
        {
            Assert.True(work.Wait(Budget), $"fuzz seed {seed}: no result within {Budget} (an endless loop?)");
        }
        catch (AggregateException e)
        {
            throw new Xunit.Sdk.XunitException($"fuzz seed {seed} (replay with ZK_FUZZ_SEED={seed - salt}): {e.InnerException}");
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"fuzz seed {seed}: {e}");
        }
    }

    private static byte[] RandomBody(Random rng)
    {
        // Mostly small ints and lengths near the boundaries, so decoders get past their first field.
        var n = rng.Next(0, 64);
        using var w = new JuteWriter();
        for (var i = 0; i < n; i++)
        {
            switch (rng.Next(5))
            {
                case 0: w.WriteInt(InterestingInts[rng.Next(InterestingInts.Length)]); break;
                case 1: w.WriteInt(rng.Next(-3, 24)); break;
                case 2: w.WriteBool(rng.Next(2) == 1); break;
                case 3: w.WriteString(Samples.Path(rng)); break;
                default: w.WriteRaw([(byte)rng.Next(256)]); break;
            }
        }
        return w.ToArray();
    }

    private static byte[] Mutate(byte[] original, Random rng)
    {
        var bytes = original.ToList();
        var edits = rng.Next(1, 4);
        for (var e = 0; e < edits; e++)
        {
            switch (rng.Next(5))
            {
                case 0 when bytes.Count > 0:
                    bytes[rng.Next(bytes.Count)] = (byte)rng.Next(256);
                    break;
                case 1 when bytes.Count > 0:
                    bytes.RemoveAt(rng.Next(bytes.Count));
                    break;
                case 2:
                    bytes = bytes.GetRange(0, rng.Next(bytes.Count + 1));
                    break;
                case 3 when bytes.Count >= 4:
                    var at = rng.Next(bytes.Count - 3);
                    var value = InterestingInts[rng.Next(InterestingInts.Length)];
                    for (var k = 0; k < 4; k++) bytes[at + k] = (byte)(value >> (24 - 8 * k));
                    break;
                default:
                    bytes.InsertRange(rng.Next(bytes.Count + 1), Enumerable.Range(0, rng.Next(1, 9)).Select(_ => (byte)rng.Next(256)));
                    break;
            }
        }
        return bytes.ToArray();
    }

    private static byte[] RandomStream(Random rng)
    {
        using var w = new JuteWriter();
        var frames = rng.Next(0, 6);
        for (var i = 0; i < frames; i++)
        {
            if (rng.Next(6) == 0) w.WriteInt(InterestingInts[rng.Next(InterestingInts.Length)]);
            else
            {
                var mark = w.BeginFrame();
                w.WriteRaw(RandomBody(rng));
                w.EndFrame(mark);
            }
        }
        var tail = new byte[rng.Next(0, 4)];
        rng.NextBytes(tail);
        w.WriteRaw(tail);
        return w.ToArray();
    }

    private static ReadOnlySequence<byte> Split(byte[] stream, Random rng)
    {
        if (stream.Length < 2 || rng.Next(2) == 0) return new ReadOnlySequence<byte>(stream);
        var cuts = new SortedSet<int>();
        for (var i = 0; i < rng.Next(1, 5); i++) cuts.Add(rng.Next(1, stream.Length));
        Chunk? first = null;
        Chunk? last = null;
        var start = 0;
        foreach (var cut in cuts.Append(stream.Length))
        {
            var chunk = new Chunk(stream.AsMemory(start, cut - start), start);
            if (last is null) first = chunk;
            else last.SetNext(chunk);
            last = chunk;
            start = cut;
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Chunk : ReadOnlySequenceSegment<byte>
    {
        public Chunk(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Chunk next) => Next = next;
    }
}
