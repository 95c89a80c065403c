using System.Runtime.CompilerServices;
using StructuredLog.Diagnostics;
using StructuredLog.Events;

namespace StructuredLog.Pipeline;

/// <summary>
/// Runs one isolated sink's <c>Emit</c> on a thread of its own while the writer waits for it, at most
/// the stall timeout. A sink that exceeds it keeps its thread (it is stuck in <c>Emit</c>) while the
/// writer moves on without it: the sink is skipped, and its events counted as dropped for it, until
/// that call returns. So a sink that blocks can only ever cost the pipeline one timeout.
/// </summary>
internal sealed class SinkDispatcher
{
    private readonly SinkRegistration _sink;
    private readonly ManualResetEventSlim _go = new(false);
    private readonly ManualResetEventSlim _done = new(false);
    private LogEvent[] _events = new LogEvent[256];
    private int _count;
    private volatile bool _busy;
    private volatile bool _stopping;

    public SinkDispatcher(SinkRegistration sink)
    {
        _sink = sink;
        new Thread(Run) { IsBackground = true, Name = "StructuredLog sink " + sink.Name }.Start();
    }

    /// <summary>True while a call to the sink has not returned (after a stall: until it does).</summary>
    public bool Busy => _busy;

    /// <summary>Writer thread: hands the batch over and waits. False when the sink stalled (its call goes on).</summary>
    public bool Emit(ReadOnlySpan<LogEvent> events, TimeSpan timeout)
    {
        // The sink gets its own copy of the views: the writer reuses its arrays while a stalled call may still read these.
        if (_events.Length < events.Length) _events = new LogEvent[Math.Max(events.Length, _events.Length * 2)];
        events.CopyTo(_events);
        _count = events.Length;
        _done.Reset();
        _busy = true;
        _go.Set();
        return _done.Wait(timeout);
    }

    public void Stop()
    {
        _stopping = true;
        _go.Set();
    }

    // A thread's loop, entered once per pipeline and left only at disposal: compiled fully optimised at once. Tiered
    // compilation would run it as tier-0 code (then on-stack replacement) for the pipeline's whole life, and move it to
    // instrumented tier-0 after 30 pipelines, which a process that builds pipelines one after another then runs.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Run()
    {
        while (true)
        {
            _go.Wait();
            _go.Reset();
            if (_stopping) return;
            int count = _count;
            try
            {
                _sink.Sink.Emit(_events.AsSpan(0, count));
                Interlocked.Add(ref _sink.EventsEmitted, count);
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref _sink.Failures);
                SelfLog.Write(_sink.Name, $"Emit threw {ex.GetType().Name}: {ex.Message}");
            }
            finally
            {
                Array.Clear(_events, 0, count);
                _busy = false;
                _done.Set();
            }
        }
    }
}
