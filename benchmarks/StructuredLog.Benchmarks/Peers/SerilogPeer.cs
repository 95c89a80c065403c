using System.Runtime.CompilerServices;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace StructuredLog.Benchmarks.Peers;

/// <summary>
/// Serilog 4.4 as its documentation recommends for throughput: <c>WriteTo.Async</c> (Serilog.Sinks.Async,
/// default buffer of 10,000 events, <c>blockWhenFull: true</c> so that nothing is lost) around the File
/// sink with <c>buffered: true</c> and <see cref="CompactJsonFormatter"/>; <c>Enrich.FromLogContext()</c>
/// for scopes (Serilog 4 records the current Activity's trace and span ids by itself).
/// </summary>
public sealed class SerilogPeer : Peer
{
    private readonly Serilog.Core.Logger _log;
    private readonly CountingSink? _counter;

    public SerilogPeer(string? path) : base(Library.Serilog)
    {
        _log = Configure(path, out _counter).CreateLogger();
    }

    /// <summary>The configuration shared with <see cref="MelPeer"/>.</summary>
    internal static LoggerConfiguration Configure(string? path, out CountingSink? counter)
    {
        var config = new LoggerConfiguration().MinimumLevel.Information().Enrich.FromLogContext();
        if (path is null)
        {
            var sink = counter = new CountingSink();
            config.WriteTo.Async(a => a.Sink(sink), blockWhenFull: true);
        }
        else
        {
            counter = null;
            config.WriteTo.Async(a => a.File(new CompactJsonFormatter(), path, buffered: true), blockWhenFull: true);
        }
        return config;
    }

    public override long Delivered => _counter?.Count ?? 0;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void DisabledBurst(int count)
    {
        var log = _log;
        for (int i = 0; i < count; i++) log.Debug(Template, i, 1.5, "alice");
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void LogBurst(int start, int count, int exceptionEvery)
    {
        var log = _log;
        int end = start + count;
        for (int i = start; i < end; i++)
        {
            if (exceptionEvery > 0 && i % exceptionEvery == 0) log.Error(SampleException, ErrorTemplate, i);
            else log.Information(Template, i, i * 0.25, Customer(i));
        }
    }

    protected override IDisposable BeginScope(string name, int value) => Serilog.Context.LogContext.PushProperty(name, value);

    public override async ValueTask DisposeAsync() => await _log.DisposeAsync();

    /// <summary>A Serilog sink that only counts.</summary>
    public sealed class CountingSink : ILogEventSink
    {
        private long _count;

        public long Count => Volatile.Read(ref _count);

        public void Emit(LogEvent logEvent) => Interlocked.Increment(ref _count);
    }
}
