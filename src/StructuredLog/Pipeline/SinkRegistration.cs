using StructuredLog.Sinks;

namespace StructuredLog.Pipeline;

/// <summary>A sink as the pipeline holds it: its own minimum level and the writer's counters for it.</summary>
internal sealed class SinkRegistration
{
    public SinkRegistration(ILogSink sink, LogLevel minimumLevel, string? name)
    {
        Sink = sink;
        MinimumLevel = minimumLevel;
        Name = name ?? (sink as ISinkCounters)?.Name ?? sink.GetType().Name;
    }

    public ILogSink Sink { get; }
    public LogLevel MinimumLevel { get; }
    public string Name { get; }
    public long EventsEmitted;
    public long Failures;
}
