using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using StructuredLog.Diagnostics;
using StructuredLog.Events;
using StructuredLog.Sinks;
using MelLevel = Microsoft.Extensions.Logging.LogLevel;

namespace StructuredLog.OpenTelemetry;

/// <summary>
/// Forwards events to an OpenTelemetry logger provider (and so to its exporters, e.g. OTLP). The
/// OpenTelemetry .NET Logs Bridge API is not public in 1.x, so the sink goes through
/// Microsoft.Extensions.Logging: its own private <see cref="ILoggerFactory"/> holds only the
/// OpenTelemetry provider, one MEL logger per category, and each event becomes one
/// <c>ILogger.Log</c> call whose state is the list of attributes. Mapping (see docs/opentelemetry.md):
/// timestamp ← event time; severity number ← level (Trace 1, Debug 5, Info 9, Warn 13, Error 17, Fatal 21) and severity text ← the MEL level name (the SDK 1.x sets it; Fatal is "Critical");
/// body ← rendered message; attributes ← properties, scope properties and <c>{OriginalFormat}</c>;
/// trace id / span id / flags ← the event's; event id and name; exception. The OpenTelemetry SDK
/// batches, exports and retries on its own task; its queue bound (2,048 by default) applies.
/// </summary>
public sealed class OpenTelemetrySink : ILogSink
{
    private readonly OpenTelemetrySinkOptions _options;
    private readonly ServiceProvider _services;
    private readonly ILoggerFactory _factory;
    private readonly LoggerProvider? _provider;
    private readonly EventContextProcessor _context = new();
    private readonly Dictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);
    private long _forwarded;
    private long _failed;
    private int _disposed;

    /// <summary>Creates the sink and its OpenTelemetry logger provider.</summary>
    public OpenTelemetrySink(OpenTelemetrySinkOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        var configure = options.ConfigureOpenTelemetry
            ?? throw new LogConfigurationException(nameof(OpenTelemetrySinkOptions.ConfigureOpenTelemetry), null, "configure the OpenTelemetry exporter (e.g. o => o.AddOtlpExporter())");
        var services = new ServiceCollection();
        services.AddLogging(b =>
        {
            b.SetMinimumLevel(MelLevel.Trace);
            b.AddOpenTelemetry(o =>
            {
                o.IncludeScopes = true;
                o.IncludeFormattedMessage = true;
                o.ParseStateValues = true;
                // First, so that every exporter sees the event's own time and trace context.
                o.AddProcessor(_context);
                configure(o);
            });
        });
        _services = services.BuildServiceProvider();
        _factory = _services.GetRequiredService<ILoggerFactory>();
        _provider = _services.GetService<LoggerProvider>();
    }

    /// <summary>Creates the sink with the exporter configured by <paramref name="configureOpenTelemetry"/>.</summary>
    public OpenTelemetrySink(Action<OpenTelemetryLoggerOptions> configureOpenTelemetry)
        : this(new OpenTelemetrySinkOptions { ConfigureOpenTelemetry = configureOpenTelemetry })
    {
    }

    /// <summary>Events handed to the OpenTelemetry provider.</summary>
    public long EventsForwarded => Interlocked.Read(ref _forwarded);

    /// <summary>Events the OpenTelemetry provider threw on (counted, never re-thrown).</summary>
    public long EventsFailed => Interlocked.Read(ref _failed);

    /// <inheritdoc />
    public void Emit(ReadOnlySpan<LogEvent> batch)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            Interlocked.Add(ref _failed, batch.Length);
            return;
        }
        foreach (ref readonly var e in batch)
        {
            try
            {
                Forward(e);
                _forwarded++;
            }
            catch (Exception ex)
            {
                _failed++;
                SelfLog.Write("opentelemetry", $"an event could not be forwarded: {ex.GetType().Name}: {ex.Message}");
            }
            finally
            {
                _context.End();
            }
        }
    }

    private void Forward(in LogEvent e)
    {
        if (!_loggers.TryGetValue(e.Category, out var logger))
        {
            logger = _factory.CreateLogger(e.Category);
            _loggers[e.Category] = logger;
        }
        var level = ToMicrosoft(e.Level);
        var attributes = new LogAttributes(e, _options.IncludeScopeProperties);
        string body = _options.RenderedMessageAsBody ? e.RenderMessage() : e.Template.Text;
        _context.Begin(e.Timestamp, e.HasTrace, e.TraceId, e.SpanId, e.TraceFlags);
        logger.Log(level, new EventId(e.EventId, e.EventName), attributes, e.Exception, (_, _) => body);
    }

    /// <summary>StructuredLog level to the MEL level the OpenTelemetry logger maps to a severity number.</summary>
    internal static MelLevel ToMicrosoft(LogLevel level) => level switch
    {
        LogLevel.Trace => MelLevel.Trace,
        LogLevel.Debug => MelLevel.Debug,
        LogLevel.Info => MelLevel.Information,
        LogLevel.Warn => MelLevel.Warning,
        LogLevel.Error => MelLevel.Error,
        _ => MelLevel.Critical,
    };

    /// <summary>Asks the OpenTelemetry provider to export everything it holds (bounded by <see cref="OpenTelemetrySinkOptions.FlushTimeout"/>).</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_provider is null || Volatile.Read(ref _disposed) != 0) return ValueTask.CompletedTask;
        int timeout = (int)Math.Clamp(_options.FlushTimeout.TotalMilliseconds, 0, int.MaxValue);
        return new ValueTask(Task.Run(() =>
        {
            if (!_provider.ForceFlush(timeout)) SelfLog.Write("opentelemetry", "flush did not complete in time");
        }, cancellationToken));
    }

    /// <summary>Flushes and shuts the OpenTelemetry provider down.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _services.DisposeAsync().ConfigureAwait(false);
    }
}
