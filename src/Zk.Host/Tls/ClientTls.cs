// TLS for secureClientPort from zoo.cfg's ssl.* keys: the server's certificate and key (PEM or PKCS#12), the CAs
// that client certificates must chain to, whether clients must present one, and the protocols. Built once at
// start-up (an unreadable key store stops the server with a clear error); the validation callback is thread-safe.
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Zk.Host.Config;

namespace Zk.Host.Tls;

public static class ClientTls
{
    /// <summary>ZkActors' own key: a PEM private key in its own file when ssl.keyStore.location holds only the certificate.</summary>
    public const string KeyLocationKey = "keyStore.keyLocation";

    public static HttpsConnectionAdapterOptions Build(TlsSettings tls)
    {
        var location = tls.KeyStoreLocation
            ?? throw new HostConfigurationException("secureClientPort is set but ssl.keyStore.location is not");
        var certificate = LoadServerCertificate(tls, location);
        var trusted = tls.TrustStoreLocation is { } trust
            ? LoadCertificates(trust, tls.TrustStoreType, Password(tls.TrustStorePassword, tls.TrustStorePasswordPath))
            : null;
        var mode = ClientAuth(tls, trusted is not null);
        return new HttpsConnectionAdapterOptions
        {
            ServerCertificate = certificate,
            ClientCertificateMode = mode,
            ClientCertificateValidation = trusted is null ? null : (cert, _, _) => ChainsTo(cert, trusted),
            SslProtocols = Protocols(tls),
            HandshakeTimeout = TimeSpan.FromSeconds(10),
            CheckCertificateRevocation = false,
        };
    }

    private static X509Certificate2 LoadServerCertificate(TlsSettings tls, string location)
    {
        var password = Password(tls.KeyStorePassword, tls.KeyStorePasswordPath);
        try
        {
            if (IsPkcs12(tls.KeyStoreType, location))
                return X509CertificateLoader.LoadPkcs12FromFile(location, password, X509KeyStorageFlags.EphemeralKeySet);
            if (tls.KeyStoreType is { } t && !t.Equals("PEM", StringComparison.OrdinalIgnoreCase))
                throw new HostConfigurationException($"ssl.keyStore.type={t} is not supported; use PEM or PKCS12");
            var keyFile = tls.Other.GetValueOrDefault(KeyLocationKey) ?? location;
            using var pem = string.IsNullOrEmpty(password)
                ? X509Certificate2.CreateFromPemFile(location, keyFile)
                : X509Certificate2.CreateFromEncryptedPemFile(location, password, keyFile);
            // A PEM-loaded key is ephemeral; SslStream on Linux wants it exported and reloaded once.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new HostConfigurationException($"ssl.keyStore.location={location}: cannot load the server certificate and key: {e.Message}");
        }
    }

    /// <summary>The CA certificates of a trust store: every certificate of a PEM file or a PKCS#12 bundle.</summary>
    private static X509Certificate2Collection LoadCertificates(string location, string? type, string? password)
    {
        try
        {
            var all = new X509Certificate2Collection();
            if (IsPkcs12(type, location)) all.AddRange(X509CertificateLoader.LoadPkcs12Collection(File.ReadAllBytes(location), password));
            else all.ImportFromPemFile(location);
            if (all.Count == 0) throw new HostConfigurationException($"ssl.trustStore.location={location} holds no certificate");
            return all;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new HostConfigurationException($"ssl.trustStore.location={location}: cannot load: {e.Message}");
        }
    }

    private static bool ChainsTo(X509Certificate2 cert, X509Certificate2Collection trusted)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // A trust store may list an intermediate rather than the root; it then anchors the chain too.
        chain.ChainPolicy.ExtraStore.AddRange(trusted);
        return chain.Build(cert);
    }

    /// <summary>ssl.clientAuth: none, want or need. Unset: need when a trust store says whom to trust, else none.</summary>
    private static ClientCertificateMode ClientAuth(TlsSettings tls, bool hasTrustStore)
    {
        var value = tls.Other.GetValueOrDefault("clientAuth")?.Trim().ToLowerInvariant();
        return value switch
        {
            null or "" => hasTrustStore ? ClientCertificateMode.RequireCertificate : ClientCertificateMode.NoCertificate,
            "need" => hasTrustStore ? ClientCertificateMode.RequireCertificate
                : throw new HostConfigurationException("ssl.clientAuth=need needs ssl.trustStore.location (the CAs client certificates must chain to)"),
            "want" => ClientCertificateMode.AllowCertificate,
            "none" => ClientCertificateMode.NoCertificate,
            _ => throw new HostConfigurationException($"ssl.clientAuth={value} is not none, want or need"),
        };
    }

    /// <summary>ssl.enabledProtocols (comma-separated) or ssl.protocol; TLSv1.2 and TLSv1.3 unless set.</summary>
    private static SslProtocols Protocols(TlsSettings tls)
    {
        var names = tls.Other.GetValueOrDefault("enabledProtocols") ?? tls.Other.GetValueOrDefault("protocol");
        if (names is null) return SslProtocols.Tls12 | SslProtocols.Tls13;
        var result = SslProtocols.None;
        foreach (var name in names.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            result |= name switch
            {
                "TLSv1.2" => SslProtocols.Tls12,
                "TLSv1.3" => SslProtocols.Tls13,
                "TLS" => SslProtocols.Tls12 | SslProtocols.Tls13,
                _ => throw new HostConfigurationException($"ssl protocol {name} is not supported; use TLSv1.2 or TLSv1.3"),
            };
        }
        return result;
    }

    private static bool IsPkcs12(string? type, string location) =>
        type is { } t ? t.Equals("PKCS12", StringComparison.OrdinalIgnoreCase)
        : location.EndsWith(".p12", StringComparison.OrdinalIgnoreCase) || location.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase);

    private static string? Password(string? password, string? passwordPath)
    {
        if (password is not null) return password;
        if (passwordPath is null) return null;
        try
        {
            return File.ReadAllText(passwordPath).TrimEnd('\r', '\n');
        }
        catch (IOException e)
        {
            throw new HostConfigurationException($"{passwordPath}: cannot read the password: {e.Message}");
        }
    }
}
