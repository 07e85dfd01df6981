// Sends one four-letter word (ruok, mntr, …) on a fresh connection and reads the text until the server closes it.
// Stateless; every call has its own socket.
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Zk.Bench.Compare;

public static class FourLetterWordClient
{
    public static async Task<string> SendAsync(EndPoint server, string word, TimeSpan timeout, CancellationToken ct)
    {
        if (word.Length != 4) throw new ArgumentException("a four-letter word has four letters", nameof(word));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server, cts.Token).ConfigureAwait(false);
        await socket.SendAsync(Encoding.ASCII.GetBytes(word), SocketFlags.None, cts.Token).ConfigureAwait(false);
        var text = new StringBuilder();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token).ConfigureAwait(false);
            if (n == 0) return text.ToString();
            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
    }

    /// <summary>The tab-separated key/value lines of mntr as a dictionary (keys keep their zk_ prefix).</summary>
    public static Dictionary<string, string> ParseMntr(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var tab = line.IndexOf('\t');
            if (tab > 0) values[line[..tab]] = line[(tab + 1)..].Trim();
        }
        return values;
    }

    public static long? MntrLong(IReadOnlyDictionary<string, string> mntr, string key) =>
        mntr.TryGetValue(key, out var v) && long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
}
