// Reads the .frames files written by Golden/capture/capture.py: connections of whole frames, in arrival order.
// Test-only; pure.
namespace Zk.Protocol.Tests.Support;

internal sealed record GoldenFrame(bool FromClient, byte[] Bytes, int Line);

internal sealed record GoldenConnection(int Number, IReadOnlyList<GoldenFrame> Frames);

internal sealed record GoldenFile(string Name, string Header, IReadOnlyList<GoldenConnection> Connections)
{
    public static readonly string[] Names = ["zkcli.frames", "cli_mt.frames", "kazoo.frames", "java-api.frames"];

    public static GoldenFile Load(string name)
    {
        var path = System.IO.Path.Combine(AppContext.BaseDirectory, "Golden", name);
        var header = new List<string>();
        var connections = new List<GoldenConnection>();
        List<GoldenFrame>? frames = null;
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.StartsWith('#'))
            {
                header.Add(line);
                continue;
            }
            if (line.Length == 0) continue;
            if (line.StartsWith("connection ", StringComparison.Ordinal))
            {
                frames = [];
                connections.Add(new GoldenConnection(int.Parse(line["connection ".Length..]), frames));
                continue;
            }
            if (frames is null) throw new FormatException($"{name}:{lineNumber}: frame before any connection");
            var fromClient = line.StartsWith("C> ", StringComparison.Ordinal);
            if (!fromClient && !line.StartsWith("S> ", StringComparison.Ordinal))
                throw new FormatException($"{name}:{lineNumber}: unknown line");
            frames.Add(new GoldenFrame(fromClient, Convert.FromHexString(line[3..]), lineNumber));
        }
        return new GoldenFile(name, string.Join('\n', header), connections);
    }

    public static IEnumerable<GoldenFrame> AllFrames() =>
        Names.Select(Load).SelectMany(f => f.Connections).SelectMany(c => c.Frames);
}

internal enum FrameKind
{
    ConnectRequest,
    ConnectResponse,
    Request,
    Reply,
    Notification,
}

internal sealed record AnnotatedFrame(GoldenFrame Frame, FrameKind Kind, OpCode Op, string Where);

internal static class GoldenAnnotation
{
    /// <summary>
    /// Names each frame of a connection and, for replies, the opcode of the request with the same xid (the
    /// handshake frames come first in each direction; xid -1 is a notification).
    /// </summary>
    public static IReadOnlyList<AnnotatedFrame> Annotate(string file, GoldenConnection connection)
    {
        var opByXid = new Dictionary<int, OpCode>();
        var sawConnectRequest = false;
        var sawConnectResponse = false;
        var result = new List<AnnotatedFrame>();
        foreach (var frame in connection.Frames)
        {
            var where = $"{file}:{frame.Line} (connection {connection.Number})";
            var payload = frame.Bytes.AsSpan(4);
            if (frame.FromClient && !sawConnectRequest)
            {
                sawConnectRequest = true;
                result.Add(new AnnotatedFrame(frame, FrameKind.ConnectRequest, OpCode.CreateSession, where));
            }
            else if (!frame.FromClient && !sawConnectResponse)
            {
                sawConnectResponse = true;
                result.Add(new AnnotatedFrame(frame, FrameKind.ConnectResponse, OpCode.CreateSession, where));
            }
            else if (frame.FromClient)
            {
                var xid = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(payload);
                var op = (OpCode)System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(payload[4..]);
                opByXid[xid] = op;
                result.Add(new AnnotatedFrame(frame, FrameKind.Request, op, where));
            }
            else
            {
                var xid = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(payload);
                if (xid == Xids.Notification)
                {
                    result.Add(new AnnotatedFrame(frame, FrameKind.Notification, OpCode.Notification, where));
                    continue;
                }
                if (!opByXid.TryGetValue(xid, out var op)) throw new InvalidOperationException($"{where}: reply to unknown xid {xid}");
                result.Add(new AnnotatedFrame(frame, FrameKind.Reply, op, where));
            }
        }
        return result;
    }
}
