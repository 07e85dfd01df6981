// Sends a four-letter word to a server's client port and reads everything it writes back until it closes the
// connection. Thread-safe (one connection per call).
using System.Net.Sockets;
using System.Text;

namespace Zk.TestSupport;

public static class FourLetterWord
{
    public static async Task<string> SendAsync(int port, string word, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, cts.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(word), cts.Token);
        using var text = new MemoryStream();
        await stream.CopyToAsync(text, cts.Token);
        return Encoding.UTF8.GetString(text.ToArray());
    }

    /// <summary>Like <see cref="SendAsync"/>, but null when nothing listens yet or the answer does not come in time.</summary>
    public static async Task<string?> TryAsync(int port, string word, TimeSpan? timeout = null)
    {
        try
        {
            return await SendAsync(port, word, timeout ?? TimeSpan.FromSeconds(3));
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return null;
        }
    }
}
