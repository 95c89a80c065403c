using System.Runtime.CompilerServices;
using System.Diagnostics;
using NLog;
using NLog.Config;
using NLog.Layouts;
using NLog.Targets;
using NLog.Targets.Wrappers;

namespace StructuredLog.Benchmarks.Peers;

/// <summary>
/// NLog 6.2 as its performance guidance recommends: an <see cref="AsyncTargetWrapper"/> (queue 10,000,
/// <c>OverflowAction = Block</c> so nothing is lost, <c>TimeToSleepBetweenBatches = 0</c>) around a
/// <see cref="FileTarget"/> with <c>KeepFileOpen = true</c> and <c>AutoFlush = false</c>, and a
/// <see cref="JsonLayout"/> (time, level, message, exception, event properties, scope properties, trace
/// and span id from <c>Activity.Current</c> through <c>Layout.FromMethod</c>, which the async wrapper
/// captures on the calling thread). A private <see cref="LogFactory"/> per instance.
/// </summary>
public sealed class NLogPeer : Peer
{
    private readonly LogFactory _factory;
    private readonly NLog.Logger _log;
    private readonly CountingTarget? _counter;

    public NLogPeer(string? path) : base(Library.NLog)
    {
        _factory = new LogFactory();
        var config = new LoggingConfiguration(_factory);
        Target inner;
        if (path is null)
        {
            inner = _counter = new CountingTarget { Name = "count" };
        }
        else
        {
            var layout = new JsonLayout
            {
                IncludeEventProperties = true,
                IncludeScopeProperties = true,
            };
            layout.Attributes.Add(new JsonAttribute("time", "${date:universalTime=true:format=o}"));
            layout.Attributes.Add(new JsonAttribute("level", "${level:upperCase=true}"));
            layout.Attributes.Add(new JsonAttribute("message", "${message}"));
            layout.Attributes.Add(new JsonAttribute("exception", "${exception:format=tostring}"));
            layout.Attributes.Add(new JsonAttribute("traceId", Layout.FromMethod(_ => (object?)Activity.Current?.TraceId.ToHexString() ?? "", LayoutRenderOptions.None)));
            layout.Attributes.Add(new JsonAttribute("spanId", Layout.FromMethod(_ => (object?)Activity.Current?.SpanId.ToHexString() ?? "", LayoutRenderOptions.None)));
            inner = new FileTarget
            {
                Name = "file",
                FileName = path,
                Layout = layout,
                KeepFileOpen = true,
                AutoFlush = false,
            };
        }
        var async = new AsyncTargetWrapper(inner)
        {
            Name = "async",
            QueueLimit = 10_000,
            OverflowAction = AsyncTargetWrapperOverflowAction.Block,
            TimeToSleepBetweenBatches = 0,
        };
        config.AddRule(NLog.LogLevel.Info, NLog.LogLevel.Fatal, async);
        _factory.Configuration = config;
        _log = _factory.GetLogger("Benchmarks.Orders");
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
            else log.Info(Template, i, i * 0.25, Customer(i));
        }
    }

    protected override IDisposable BeginScope(string name, int value) => ScopeContext.PushProperty(name, value);

    public override ValueTask DisposeAsync()
    {
        _factory.Flush(TimeSpan.FromSeconds(60));
        _factory.Shutdown();
        return ValueTask.CompletedTask;
    }

    /// <summary>An NLog target that only counts.</summary>
    [Target("Counting")]
    public sealed class CountingTarget : Target
    {
        private long _count;

        public long Count => Volatile.Read(ref _count);

        protected override void Write(LogEventInfo logEvent) => Interlocked.Increment(ref _count);
    }
}
