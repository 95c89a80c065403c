using StructuredLog.Diagnostics;
using StructuredLog.Events;
using StructuredLog.Formatting;

namespace StructuredLog.Pipeline;

/// <summary>
/// A second formatting thread for the writer: while the writer formats the first half of a batch for
/// the batching sinks, this thread formats the second half into an arena of its own, so that on a
/// machine with a spare core the formatting, the writer's largest cost, is split in two. Only
/// formatters known to be thread-safe are used (<see cref="JsonFormatter"/>, whose per-line state is
/// per thread); everything else still formats lazily on the writer during dispatch. The writer waits
/// for the half before dispatching, so sinks see exactly what they would have seen.
/// </summary>
internal sealed class FormatWorker
{
    private readonly (ILogFormatter Formatter, LogLevel MinimumLevel)[] _targets;
    private readonly ManualResetEventSlim _start = new(false, 64);
    private readonly ManualResetEventSlim _done = new(true, 64);
    private LogEvent[] _events = [];
    private int _from;
    private int _to;
    private volatile bool _stopping;

    private FormatWorker((ILogFormatter, LogLevel)[] targets)
    {
        _targets = targets;
        new Thread(Run) { IsBackground = true, Name = "StructuredLog formatter" }.Start();
    }

    /// <summary>The arena the worker's renderings live in until the batch ends.</summary>
    public FormatArena Arena { get; private set; } = new();

    /// <summary>A worker for the pipeline's batching sinks with thread-safe formatters, or null when there is nothing to share or no spare core.</summary>
    public static FormatWorker? Create(IReadOnlyList<SinkRegistration> sinks)
    {
        if (Environment.ProcessorCount < 2) return null;
        var targets = new List<(ILogFormatter, LogLevel)>();
        foreach (var s in sinks)
        {
            if (s.Sink is Sinks.BatchingSink { Formatter: JsonFormatter json } && !targets.Exists(t => ReferenceEquals(t.Item1, json)))
                targets.Add((json, s.MinimumLevel));
        }
        return targets.Count == 0 ? null : new FormatWorker(targets.ToArray());
    }

    /// <summary>Writer: formats <paramref name="events"/>[from..to) on the worker; call <see cref="Wait"/> before using them.</summary>
    public void Begin(LogEvent[] events, int from, int to)
    {
        _events = events;
        _from = from;
        _to = to;
        _done.Reset();
        _start.Set();
    }

    /// <summary>Writer: the renderings of the second half (or nothing) are complete and visible.</summary>
    public void Wait() => _done.Wait();

    /// <summary>Formats <paramref name="events"/> for every target formatter, on the calling thread.</summary>
    public void FormatRange(ReadOnlySpan<LogEvent> events)
    {
        foreach (var e in events)
        {
            foreach (var (formatter, minimumLevel) in _targets)
            {
                if (e.Level >= minimumLevel) e.GetFormatted(formatter);
            }
        }
    }

    /// <summary>Writer, after the batch: the worker's renderings are no longer referenced.</summary>
    public void ResetArena(bool abandoned)
    {
        if (abandoned) Arena = new FormatArena(); // a stalled sink still holds spans into the old one
        else Arena.Reset();
    }

    public void Stop()
    {
        _stopping = true;
        _start.Set();
    }

    private void Run()
    {
        while (true)
        {
            _start.Wait();
            _start.Reset();
            if (_stopping) return;
            try
            {
                var arena = Arena;
                for (int i = _from; i < _to; i++)
                {
                    var r = _events[i].Record;
                    r.Arena = arena;
                }
                FormatRange(_events.AsSpan(_from, _to - _from));
            }
            catch (Exception ex)
            {
                // GetFormatted already turns a throwing formatter into a marked line; anything else is a bug.
                SelfLog.Write("pipeline", $"format worker failed: {ex.GetType().Name}: {ex.Message}");
            }
            finally
            {
                _done.Set();
            }
        }
    }
}
