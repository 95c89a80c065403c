using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using StructuredLog.Sinks.Network.Transport;
using StructuredLog.TestSupport.Certificates;

namespace StructuredLog.Sinks.Network.Tests.Transport;

/// <summary>Client certificates against a loopback TLS server (SslStream) that requires one.</summary>
public sealed class MutualTlsTests
{
    [Fact]
    public async Task Client_certificate_is_presented_and_validated_by_the_server()
    {
        using var ca = new TestCertificateAuthority();
        using var serverCert = ca.Issue("localhost");
        using var clientCert = ca.Issue("client", server: false);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var serverSide = Task.Run(async () =>
        {
            using var tcp = await listener.AcceptTcpClientAsync();
            await using var ssl = new SslStream(tcp.GetStream());
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = serverCert,
                ClientCertificateRequired = true,
                RemoteCertificateValidationCallback = (_, cert, _, _) =>
                {
                    if (cert is null) return false;
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca.PublicCertificate);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(X509CertificateLoader.LoadCertificate(cert.GetRawCertData()));
                },
            });
            using var reader = new StreamReader(ssl, Encoding.UTF8);
            var line = await reader.ReadLineAsync();
            return (ssl.RemoteCertificate?.Subject, line);
        });

        var options = new RawNetworkSinkOptions
        {
            Port = port,
            Protocol = NetworkProtocol.Tls,
            Tls = new TlsOptions { TargetHost = "localhost" },
            Batching = new BatchingOptions { Period = TimeSpan.FromMilliseconds(20), MaxRetries = 0 },
        };
        options.Tls.TrustedAuthorities.Add(ca.PublicCertificate);
        options.Tls.ClientCertificates.Add(clientCert);
        await using var sink = new RawNetworkSink(options);
        await using (var pipeline = new LogPipelineBuilder().WriteTo(sink).Build())
        {
            pipeline.GetLogger("mtls").Info("hello over mutual TLS");
            await pipeline.FlushAsync();
        }
        var (subject, received) = await serverSide.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal("CN=client", subject);
        Assert.Contains("hello over mutual TLS", received);
        Assert.Equal(1, sink.EventsWritten);
    }
}
