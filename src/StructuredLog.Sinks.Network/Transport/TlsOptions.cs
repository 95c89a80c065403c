using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace StructuredLog.Sinks.Network.Transport;

/// <summary>
/// TLS settings of a stream transport. The server certificate is validated by default against the
/// system's trust store and the host name; set <see cref="TrustedAuthorities"/> to trust a private CA.
/// </summary>
public sealed class TlsOptions
{
    /// <summary>The name the server certificate must carry; default the sink's host.</summary>
    public string? TargetHost { get; set; }

    /// <summary>
    /// CA certificates trusted in addition to the system store (a private PKI). A chain ending in one of
    /// them is accepted; the host name is still checked.
    /// </summary>
    public X509Certificate2Collection TrustedAuthorities { get; } = new();

    /// <summary>Client certificates offered when the server asks for one (mutual TLS). Each needs its private key.</summary>
    public X509CertificateCollection ClientCertificates { get; } = new();

    /// <summary>Protocols allowed; default <see cref="SslProtocols.None"/> (let the OS choose: TLS 1.2/1.3).</summary>
    public SslProtocols EnabledProtocols { get; set; } = SslProtocols.None;

    /// <summary>
    /// Replaces the validation entirely (for pinning or special policies). Leave null to keep the safe default.
    /// Returning true for every certificate disables security: do not.
    /// </summary>
    public RemoteCertificateValidationCallback? ServerCertificateValidation { get; set; }

    internal SslClientAuthenticationOptions CreateClientOptions(string host) => new()
    {
        TargetHost = TargetHost ?? host,
        EnabledSslProtocols = EnabledProtocols,
        ClientCertificates = ClientCertificates.Count > 0 ? ClientCertificates : null,
        RemoteCertificateValidationCallback = ServerCertificateValidation ?? (TrustedAuthorities.Count > 0 ? ValidateWithCustomRoots : null),
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
    };

    private bool ValidateWithCustomRoots(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None) return true; // trusted by the system store
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0) return false;
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(TrustedAuthorities);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements) custom.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }
}
