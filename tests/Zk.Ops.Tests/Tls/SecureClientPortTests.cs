// secureClientPort against real clients: kazoo (use_ssl with a CA and a client certificate) and Apache ZooKeeper's
// zkCli.sh (Netty, a JKS truststore from keytool, a PKCS#12 client key store); a plain-text client is refused on the
// TLS port with the connection closed while the server carries on; PKCS#12 and split PEM key stores load too.
using System.Buffers.Binary;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Zk.Ops.Tests.Tls;

public sealed class TlsFixture : IAsyncLifetime
{
    public TestCertificates Certs { get; private set; } = null!;

    public ZkActorsProcess Server { get; private set; } = null!;

    public int SecurePort { get; private set; }

    public async Task InitializeAsync()
    {
        Certs = await TestCertificates.CreateAsync();
        SecurePort = FreePort.Next();
        Server = await ZkActorsProcess.LaunchAsync(new Dictionary<string, string>
        {
            ["secureClientPort"] = SecurePort.ToString(CultureInfo.InvariantCulture),
            ["secureClientPortAddress"] = "127.0.0.1",
            ["ssl.keyStore.location"] = Certs.ServerPem,
            ["ssl.trustStore.location"] = Certs.CaPem,
            ["ssl.clientAuth"] = "need",
        }, "tls");
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Certs.Dispose();
    }
}

public sealed class SecureClientPortTests(TlsFixture fx, ITestOutputHelper output) : IClassFixture<TlsFixture>
{
    [Fact]
    public async Task Kazoo_with_use_ssl_and_a_client_certificate_creates_and_reads_a_node()
    {
        var result = await KazooAsync(fx.SecurePort, "/tls-kazoo", "over tls", withClientCert: true);
        Assert.True(result.ExitCode == 0, result.Combined);
        using var json = JsonDocument.Parse(result.Stdout.Trim().Split('\n')[^1]);
        Assert.Equal("over tls", json.RootElement.GetProperty("data").GetString());
    }

    [Fact]
    public async Task ZkCli_over_netty_with_a_java_truststore_creates_and_reads_a_node()
    {
        var c = fx.Certs;
        var flags = string.Join(' ',
            "-Xshare:auto -XX:TieredStopAtLevel=1",
            // Debian's zookeeper.jar lists Netty's buffer/handler/transport jars but not codec and resolver, which the
            // Netty client socket (and its SslHandler) need; the JVM takes the last -cp, so this one replaces zkCli's.
            "-cp /etc/zookeeper/conf:/usr/share/java/zookeeper.jar:/usr/share/java/netty-codec.jar:/usr/share/java/netty-resolver.jar",
            "-Dzookeeper.client.secure=true",
            "-Dzookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty",
            $"-Dzookeeper.ssl.trustStore.location={c.JavaTrustStore}",
            $"-Dzookeeper.ssl.trustStore.password={TestCertificates.Password}",
            "-Dzookeeper.ssl.trustStore.type=JKS",
            $"-Dzookeeper.ssl.keyStore.location={c.ClientP12}",
            $"-Dzookeeper.ssl.keyStore.password={TestCertificates.Password}",
            "-Dzookeeper.ssl.keyStore.type=PKCS12");
        var result = await ExternalTool.RunAsync(TestPaths.ZkCli, ["-server", $"127.0.0.1:{fx.SecurePort}", "-waitforconnection"],
            stdin: "create /tls-zkcli from-zkcli\nget /tls-zkcli\nquit\n", timeout: TimeSpan.FromSeconds(90),
            environment: new Dictionary<string, string> { ["CLIENT_JVMFLAGS"] = flags }, mergeStderr: true);
        output.WriteLine(result.Stdout);
        output.WriteLine(fx.Server.LogText());
        Assert.Contains("Created /tls-zkcli", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("\nfrom-zkcli", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plain_text_client_on_the_tls_port_is_closed_and_the_server_carries_on()
    {
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync("127.0.0.1", fx.SecurePort);
            var stream = tcp.GetStream();
            await stream.WriteAsync(ConnectRequestFrame());
            var answer = await ReadUntilClosedAsync(stream, TimeSpan.FromSeconds(15));
            // No ConnectResponse (a 4-byte length then 36+ bytes) ever comes back; at most a TLS alert record (0x15).
            Assert.True(answer.Length == 0 || answer[0] == 0x15, $"got {answer.Length} bytes: {Convert.ToHexString(answer)}");
        }
        Assert.Contains("Mode: standalone", await FourLetterWord.TryAsync(fx.Server.ClientPort, "srvr") ?? "", StringComparison.Ordinal);
        var again = await KazooAsync(fx.SecurePort, "/tls-after-plain", "still fine", withClientCert: true);
        Assert.True(again.ExitCode == 0, again.Combined);
        Assert.True(fx.Server.IsRunning);
    }

    [Fact]
    public async Task A_tls_client_without_a_certificate_is_refused_when_client_auth_is_need()
    {
        var result = await KazooAsync(fx.SecurePort, "/tls-no-cert", "x", withClientCert: false, timeoutSeconds: 3);
        Assert.NotEqual(0, result.ExitCode);
        Assert.True(fx.Server.IsRunning);
    }

    [Theory]
    [InlineData("pkcs12")]
    [InlineData("split-pem")]
    public async Task Pkcs12_and_split_pem_key_stores_serve_tls_without_client_auth(string kind)
    {
        var secure = FreePort.Next();
        var keys = new Dictionary<string, string>
        {
            ["secureClientPort"] = secure.ToString(CultureInfo.InvariantCulture),
            ["secureClientPortAddress"] = "127.0.0.1",
        };
        if (kind == "pkcs12")
        {
            keys["ssl.keyStore.location"] = fx.Certs.ServerP12;
            keys["ssl.keyStore.type"] = "PKCS12";
            keys["ssl.keyStore.password"] = TestCertificates.Password;
        }
        else
        {
            keys["ssl.keyStore.location"] = fx.Certs.ServerCertPem;
            keys["ssl.keyStore.keyLocation"] = fx.Certs.ServerKeyPem;
        }
        await using var server = await ZkActorsProcess.LaunchAsync(keys, $"tls-{kind}");
        var result = await KazooAsync(secure, "/tls-" + kind, kind, withClientCert: false);
        Assert.True(result.ExitCode == 0, result.Combined + server.LogText());
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", secure);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            RemoteCertificateValidationCallback = (_, cert, _, _) => cert is X509Certificate2 c && c.Subject == "CN=127.0.0.1",
        });
        Assert.True(tls.IsAuthenticated);
    }

    private Task<ToolResult> KazooAsync(int port, string path, string data, bool withClientCert, int timeoutSeconds = 60)
    {
        var c = fx.Certs;
        return ExternalTool.RunAsync(TestPaths.Python,
            [TestPaths.TestFile("Tls", "tls_client.py"), $"127.0.0.1:{port}", c.CaPem, withClientCert ? c.ClientCertPem : "",
             withClientCert ? c.ClientKeyPem : "", path, data, timeoutSeconds.ToString(CultureInfo.InvariantCulture)],
            timeout: TimeSpan.FromSeconds(timeoutSeconds + 60));
    }

    /// <summary>A ZooKeeper ConnectRequest frame: protocol 0, zxid 0, 30 s timeout, new session, 16-byte password.</summary>
    private static byte[] ConnectRequestFrame()
    {
        var frame = new byte[4 + 45];
        BinaryPrimitives.WriteInt32BigEndian(frame, 45);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(4 + 12), 30_000);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(4 + 24), 16);
        return frame;
    }

    private static async Task<byte[]> ReadUntilClosedAsync(NetworkStream stream, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var all = new List<byte>();
        var buffer = new byte[1024];
        try
        {
            while (true)
            {
                var n = await stream.ReadAsync(buffer, cts.Token);
                if (n == 0) return [.. all];
                all.AddRange(buffer.AsSpan(0, n).ToArray());
            }
        }
        catch (IOException)
        {
            return [.. all];
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the TLS port kept a plain-text connection open for {timeout} ({all.Count} bytes read)");
        }
    }
}
