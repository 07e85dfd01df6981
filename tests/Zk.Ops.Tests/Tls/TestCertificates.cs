// Test PKI made with .NET's CertificateRequest in a temp dir: a CA, a server certificate for 127.0.0.1/localhost and a
// client certificate, both signed by the CA, as PEM (cert+key in one file, and separate) and PKCS#12, plus a Java
// truststore made by keytool for zkCli.sh. Valid for a day; deleted with the directory.
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Zk.Ops.Tests.Tls;

public sealed class TestCertificates : IDisposable
{
    public const string Password = "zkops-secret";

    private TestCertificates(string dir) => Dir = dir;

    public string Dir { get; }

    public string CaPem => Path.Combine(Dir, "ca.pem");

    /// <summary>Certificate then unencrypted PKCS#8 key in one PEM file (ZooKeeper's PEM key store layout).</summary>
    public string ServerPem => Path.Combine(Dir, "server.pem");

    public string ServerCertPem => Path.Combine(Dir, "server-cert.pem");

    public string ServerKeyPem => Path.Combine(Dir, "server-key.pem");

    public string ServerP12 => Path.Combine(Dir, "server.p12");

    public string ClientCertPem => Path.Combine(Dir, "client-cert.pem");

    public string ClientKeyPem => Path.Combine(Dir, "client-key.pem");

    public string ClientP12 => Path.Combine(Dir, "client.p12");

    public string JavaTrustStore => Path.Combine(Dir, "truststore.jks");

    public static async Task<TestCertificates> CreateAsync()
    {
        var certs = new TestCertificates(Directory.CreateTempSubdirectory("zkops-tls-").FullName);
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=ZkActors Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(1));
        await File.WriteAllTextAsync(certs.CaPem, ca.ExportCertificatePem() + "\n");

        using var server = Issue(ca, "CN=127.0.0.1", serverAuth: true, now);
        await WritePemAsync(server, certs.ServerCertPem, certs.ServerKeyPem, certs.ServerPem);
        await File.WriteAllBytesAsync(certs.ServerP12, server.Export(X509ContentType.Pkcs12, Password));
        using var client = Issue(ca, "CN=zkops-client", serverAuth: false, now);
        await WritePemAsync(client, certs.ClientCertPem, certs.ClientKeyPem, null);
        await File.WriteAllBytesAsync(certs.ClientP12, client.Export(X509ContentType.Pkcs12, Password));

        var keytool = await ExternalTool.RunAsync("keytool",
            ["-importcert", "-noprompt", "-alias", "zkops-ca", "-file", certs.CaPem, "-keystore", certs.JavaTrustStore,
             "-storetype", "JKS", "-storepass", Password]);
        Assert.True(keytool.ExitCode == 0, "keytool failed:\n" + keytool.Combined);
        return certs;
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, bool serverAuth, DateTimeOffset now)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            san.AddDnsName("localhost");
            request.CertificateExtensions.Add(san.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(12);
        using var cert = request.Create(ca, now.AddHours(-1), now.AddHours(23), serial);
        return cert.CopyWithPrivateKey(key);
    }

    private static async Task WritePemAsync(X509Certificate2 cert, string certPath, string keyPath, string? bothPath)
    {
        var certPem = cert.ExportCertificatePem() + "\n";
        var keyPem = cert.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n";
        await File.WriteAllTextAsync(certPath, certPem);
        await File.WriteAllTextAsync(keyPath, keyPem);
        if (bothPath is not null) await File.WriteAllTextAsync(bothPath, certPem + keyPem);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS.
        }
    }
}
