using StructuredLog.Sinks;

namespace StructuredLog.Pipeline;

/// <summary>A sink as the pipeline holds it: its own minimum level, how it is called, and the writer's counters for it.</summary>
internal sealed class SinkRegistration
{
    public SinkRegistration(ILogSink sink, LogLevel minimumLevel, string? name, bool? isolate)
    {
        Sink = sink;
        MinimumLevel = minimumLevel;
        Name = name ?? (sink as ISinkCounters)?.Name ?? sink.GetType().Name;
        // A BatchingSink's Emit only copies bytes into memory: calling it inline is safe and cheapest.
        Isolated = isolate ?? sink is not BatchingSink;
    }

    public ILogSink Sink { get; }
    public LogLevel MinimumLevel { get; }
    public string Name { get; }

    /// <summary>Emit runs on a dispatcher thread with a stall timeout instead of inline on the writer thread.</summary>
    public bool Isolated { get; }

    public SinkDispatcher? Dispatcher { get; private set; }

    /// <summary>True from a stall until the stalled call returns (writer thread only).</summary>
    public bool Stalled;
    public long DroppedSinceStall;

    public long EventsEmitted;
    public long Failures;
    public long EventsDropped;

    public void Start()
    {
        if (Isolated) Dispatcher ??= new SinkDispatcher(this);
    }
}
