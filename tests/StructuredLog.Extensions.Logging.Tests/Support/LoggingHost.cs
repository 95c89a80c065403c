using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StructuredLog.TestSupport.Sinks;

namespace StructuredLog.Extensions.Logging.Tests.Support;

/// <summary>A service provider with logging through StructuredLog into a <see cref="CollectingSink"/>.</summary>
public sealed class LoggingHost : IAsyncDisposable, IDisposable
{
    public LoggingHost(IDictionary<string, string?>? settings = null, Action<StructuredLogOptions>? configure = null, Action<ILoggingBuilder>? logging = null)
    {
        Configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(Configuration);
        services.AddLogging(b =>
        {
            b.AddStructuredLog(o =>
            {
                o.WriteTo(Sink);
                configure?.Invoke(o);
            });
            logging?.Invoke(b);
        });
        Services = services.BuildServiceProvider();
        Factory = Services.GetRequiredService<ILoggerFactory>();
        Pipeline = Services.GetRequiredService<LogPipeline>();
    }

    public CollectingSink Sink { get; } = new();

    public IConfigurationRoot Configuration { get; }

    public ServiceProvider Services { get; }

    public ILoggerFactory Factory { get; }

    public LogPipeline Pipeline { get; }

    public async Task<IReadOnlyList<CapturedEvent>> FlushAsync()
    {
        await Pipeline.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        return Sink.Events;
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();

    public void Dispose() => Services.Dispose();
}
