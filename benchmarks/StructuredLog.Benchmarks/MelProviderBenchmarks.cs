using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Formatting.Compact;
using StructuredLog.Extensions.Logging;
using StructuredLog.Formatting;
using StructuredLog.Sinks;
using ZLogger;
using MelLevel = Microsoft.Extensions.Logging.LogLevel;

namespace StructuredLog.Benchmarks;

/// <summary>
/// <c>ILogger</c> calls through three Microsoft.Extensions.Logging providers, each writing JSON lines
/// to <see cref="Stream.Null"/> off the calling thread: StructuredLog (ring buffer + writer thread),
/// ZLogger (its own async queue) and Serilog (through Serilog.Sinks.Async, blocking when full so that
/// nothing is dropped). The calls are <c>[LoggerMessage]</c> methods (enabled: Information; disabled:
/// Debug below an Information minimum). The native StructuredLog API is measured beside them. The "in scopes"
/// cases make the same call inside a request's scopes (a list of three pairs, a dictionary of two, MEL's activity
/// scope: an <see cref="System.Diagnostics.Activity"/> is current and <c>ActivityTrackingOptions</c> are on) through
/// factories of their own with scopes included (ZLogger: <c>IncludeScopes</c>), in batches of
/// <see cref="ScopedBatch"/> calls per scope set; the scopes' properties reach every JSON line.
/// Allocations are what BenchmarkDotNet's <c>[MemoryDiagnoser]</c> reports per call.
/// Thirty warm-up iterations (3 s at 100 ms each) for every case: under sustained load a fresh process runs
/// tier-0 and instrumented code for over a second (the writer's per-batch methods need their calls counted twice,
/// on threads that leave little CPU to the JIT's background thread), and BenchmarkDotNet's automatic warm-up
/// sometimes stopped while StructuredLog's scoped case still ran at 1.9–2.2 µs per call (the first measured
/// iterations 1.0–2.7 µs, the later ones 0.5–1.4 µs), so that its median moved between runs (see "Session 20" in docs/benchmarks-history.md).
/// </summary>
[MemoryDiagnoser]
[WarmupCount(30)]
public partial class MelProviderBenchmarks
{
    private LogPipeline _pipeline = null!;
    private ILoggerFactory _structuredLogFactory = null!;
    private ILoggerFactory _zloggerFactory = null!;
    private ILoggerFactory _serilogFactory = null!;
    private Microsoft.Extensions.Logging.ILogger _structuredLog = null!;
    private Microsoft.Extensions.Logging.ILogger _zlogger = null!;
    private Microsoft.Extensions.Logging.ILogger _serilog = null!;
    private Logger _native = null!;
    private LogPipeline _scopedPipeline = null!;
    private ILoggerFactory[] _scopedFactories = [];
    private Microsoft.Extensions.Logging.ILogger _structuredLogScoped = null!;
    private Microsoft.Extensions.Logging.ILogger _zloggerScoped = null!;
    private Microsoft.Extensions.Logging.ILogger _serilogScoped = null!;

    /// <summary>Calls per scope set in the "in scopes" cases.</summary>
    public const int ScopedBatch = 100;
    private int _orderId = 1234;
    private readonly string _customer = "Ada";
    private readonly double _elapsed = 12.5;

    [GlobalSetup]
    public void Setup()
    {
        _pipeline = new LogPipelineBuilder()
            .MinimumLevel(LogLevel.Info)
            .WriteTo(new StreamSink(Stream.Null, JsonFormatter.Default))
            .FlushOnProcessExit(false)
            .Build();
        _structuredLogFactory = LoggerFactory.Create(b => b.AddStructuredLog(_pipeline).SetMinimumLevel(MelLevel.Information));
        _structuredLog = _structuredLogFactory.CreateLogger("Bench");
        _native = _pipeline.GetLogger("Bench");

        _zloggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(MelLevel.Information).AddZLoggerStream(Stream.Null, o => o.UseJsonFormatter()));
        _zlogger = _zloggerFactory.CreateLogger("Bench");

        var serilog = new LoggerConfiguration()
            .MinimumLevel.Information()
            .WriteTo.Async(a => a.Sink(new CompactJsonToNullSink()), bufferSize: 16_384, blockWhenFull: true)
            .CreateLogger();
        _serilogFactory = LoggerFactory.Create(b => b.SetMinimumLevel(MelLevel.Information).AddSerilog(serilog, dispose: true));
        _serilog = _serilogFactory.CreateLogger("Bench");

        _scopedPipeline = new LogPipelineBuilder()
            .MinimumLevel(LogLevel.Info)
            .WriteTo(new StreamSink(Stream.Null, JsonFormatter.Default))
            .FlushOnProcessExit(false)
            .Build();
        var scopedSerilog = new LoggerConfiguration()
            .MinimumLevel.Information()
            .WriteTo.Async(a => a.Sink(new CompactJsonToNullSink()), bufferSize: 16_384, blockWhenFull: true)
            .CreateLogger();
        static ILoggerFactory Scoped(Action<ILoggingBuilder> provider) => LoggerFactory.Create(b =>
        {
            b.SetMinimumLevel(MelLevel.Information);
            b.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
            provider(b);
        });
        _scopedFactories =
        [
            Scoped(b => b.AddStructuredLog(_scopedPipeline)),
            Scoped(b => b.AddZLoggerStream(Stream.Null, o => { o.UseJsonFormatter(); o.IncludeScopes = true; })),
            Scoped(b => b.AddSerilog(scopedSerilog, dispose: true)),
        ];
        _structuredLogScoped = _scopedFactories[0].CreateLogger("Bench");
        _zloggerScoped = _scopedFactories[1].CreateLogger("Bench");
        _serilogScoped = _scopedFactories[2].CreateLogger("Bench");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pipeline.FlushAsync().GetAwaiter().GetResult();
        Console.WriteLine($"// StructuredLog: enqueued {_pipeline.EventsEnqueued}, lost {_pipeline.EventsLost}, sink dropped " +
            string.Join(",", _pipeline.SinkStatuses.Select(s => (s.Sink as ISinkCounters)?.EventsDropped ?? -1)));
        _scopedPipeline.FlushAsync().GetAwaiter().GetResult();
        Console.WriteLine($"// StructuredLog in scopes: enqueued {_scopedPipeline.EventsEnqueued}, lost {_scopedPipeline.EventsLost}");
        foreach (var factory in _scopedFactories) factory.Dispose();
        _scopedPipeline.Dispose();
        _structuredLogFactory.Dispose();
        _pipeline.Dispose();
        _zloggerFactory.Dispose();
        _serilogFactory.Dispose();
    }

    [LoggerMessage(EventId = 1, Level = MelLevel.Information, Message = "Order {OrderId} shipped to {Customer} in {Elapsed} ms")]
    private static partial void OrderShipped(Microsoft.Extensions.Logging.ILogger logger, int orderId, string customer, double elapsed);

    [LoggerMessage(EventId = 2, Level = MelLevel.Debug, Message = "Order {OrderId} shipped to {Customer} in {Elapsed} ms")]
    private static partial void OrderShippedDebug(Microsoft.Extensions.Logging.ILogger logger, int orderId, string customer, double elapsed);

    [Benchmark(Description = "StructuredLog MEL provider, [LoggerMessage]")]
    public void StructuredLogProvider() => OrderShipped(_structuredLog, _orderId, _customer, _elapsed);

    [Benchmark(Description = "ZLogger MEL provider, [LoggerMessage]")]
    public void ZLoggerProvider() => OrderShipped(_zlogger, _orderId, _customer, _elapsed);

    [Benchmark(Description = "Serilog MEL provider, [LoggerMessage]")]
    public void SerilogProvider() => OrderShipped(_serilog, _orderId, _customer, _elapsed);

    [Benchmark(Description = "StructuredLog MEL provider, [LoggerMessage] in scopes", OperationsPerInvoke = ScopedBatch)]
    public void StructuredLogProviderInScopes() => InScopes(_structuredLogScoped);

    [Benchmark(Description = "ZLogger MEL provider, [LoggerMessage] in scopes", OperationsPerInvoke = ScopedBatch)]
    public void ZLoggerProviderInScopes() => InScopes(_zloggerScoped);

    [Benchmark(Description = "Serilog MEL provider, [LoggerMessage] in scopes", OperationsPerInvoke = ScopedBatch)]
    public void SerilogProviderInScopes() => InScopes(_serilogScoped);

    private void InScopes(Microsoft.Extensions.Logging.ILogger log)
    {
        using var activity = new System.Diagnostics.Activity("request").SetIdFormat(System.Diagnostics.ActivityIdFormat.W3C).Start();
        using var request = log.BeginScope(Peers.MelPeer.RequestScope);
        using var user = log.BeginScope(Peers.MelPeer.UserScope);
        for (int i = 0; i < ScopedBatch; i++) OrderShipped(log, _orderId, _customer, _elapsed);
    }

    [Benchmark(Description = "StructuredLog native Logger.Info (no MEL)")]
    public void StructuredLogNative() => _native.Info("Order {OrderId} shipped to {Customer} in {Elapsed} ms", _orderId, _customer, _elapsed);

    [Benchmark(Description = "StructuredLog MEL provider, disabled")]
    public void StructuredLogProviderDisabled() => OrderShippedDebug(_structuredLog, _orderId, _customer, _elapsed);

    [Benchmark(Description = "ZLogger MEL provider, disabled")]
    public void ZLoggerProviderDisabled() => OrderShippedDebug(_zlogger, _orderId, _customer, _elapsed);

    [Benchmark(Description = "Serilog MEL provider, disabled")]
    public void SerilogProviderDisabled() => OrderShippedDebug(_serilog, _orderId, _customer, _elapsed);
}

/// <summary>Formats each Serilog event as compact JSON into <see cref="TextWriter.Null"/> (the work a JSON file sink does, minus the disk).</summary>
internal sealed class CompactJsonToNullSink : Serilog.Core.ILogEventSink
{
    private readonly CompactJsonFormatter _formatter = new();

    public void Emit(Serilog.Events.LogEvent logEvent) => _formatter.Format(logEvent, TextWriter.Null);
}
