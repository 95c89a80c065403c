using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace StructuredLog.TestSupport.Certificates;

/// <summary>
/// A throw-away certificate authority for TLS tests, made with <see cref="CertificateRequest"/>: a self-signed
/// CA and server certificates it issues for <c>localhost</c> / <c>127.0.0.1</c>, exportable as PEM files.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    /// <summary>Creates a new CA named <paramref name="name"/> (RSA 2048, valid one day).</summary>
    public TestCertificateAuthority(string name = "StructuredLog Test CA")
    {
        using var key = RSA.Create(2048);
        var req = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        Certificate = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>The CA certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA certificate without its key (what a client trusts).</summary>
    public X509Certificate2 PublicCertificate => X509CertificateLoader.LoadCertificate(Certificate.RawData);

    /// <summary>Issues a certificate for <paramref name="dnsName"/> and 127.0.0.1, server or client usage.</summary>
    public X509Certificate2 Issue(string dnsName = "localhost", bool server = true)
    {
        using var key = RSA.Create(2048);
        var req = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [server ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        san.AddIpAddress(IPAddress.Loopback);
        req.CertificateExtensions.Add(san.Build());
        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        using var issued = req.Create(Certificate, DateTimeOffset.UtcNow.AddMinutes(-30), DateTimeOffset.UtcNow.AddHours(12), serial);
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>Writes <paramref name="certificate"/> (and its key, when <paramref name="keyPath"/> is given) as PEM files.</summary>
    public static void WritePem(X509Certificate2 certificate, string certPath, string? keyPath = null)
    {
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        if (keyPath is not null)
        {
            using var rsa = certificate.GetRSAPrivateKey() ?? throw new InvalidOperationException("certificate has no RSA private key");
            File.WriteAllText(keyPath, rsa.ExportRSAPrivateKeyPem());
        }
    }

    /// <inheritdoc />
    public void Dispose() => Certificate.Dispose();
}
