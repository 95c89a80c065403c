using System.Runtime.CompilerServices;
using StructuredLog.Events;
using StructuredLog.Formatting;
using StructuredLog.Pipeline;
using StructuredLog.Sinks;

namespace StructuredLog.Tests.Pipeline;

/// <summary>
/// The ring's slots and the writer's event records are reused from batch to batch; whatever they hold
/// must be let go once events are written, so that a quiet application does not keep alive what it
/// logged. (A variant that released record references only when the ring ran empty failed this test
/// first, and was dropped when it measured no faster.)
/// </summary>
public sealed class RetentionTests
{
    private sealed class Payload(int id)
    {
        public override string ToString() => "payload-" + id;
    }

    private static readonly string[] s_names = ["Id", "Payload"];
    private static readonly string[] s_names6 = ["Id", "B", "C", "D", "E", "Payload"];

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference[] LogPayloads(Logger log, Exception failure, string how)
    {
        var refs = new WeakReference[300];
        for (int i = 0; i < refs.Length; i++)
        {
            var payload = new Payload(i);
            refs[i] = new WeakReference(payload);
            if (i % 50 == 0) log.Error(failure, "Failed {Id} with {Payload}", i, payload);
            else if (how == "interpolated") log.Info($"Logged {i} with {payload}"); // also through the thread's capture buffer
            // Values inline in the cell with a names array, and a scope pair in the parts beside it.
            else if (how == "names") log.Write(LogLevel.Info, null, "Logged {Id} with {Payload}", s_names, [LogValue.From(i), LogValue.FromObject(payload)], [new("Scoped", payload)]);
            // Six values: the fifth and sixth are in the cell's cold part (EventSlot.HotValues).
            else if (how == "template6") log.Info("Logged {Id} {B} {C} {D} {E} with {Payload}", i, i, i, i, i, payload);
            else if (how == "interpolated6") log.Info($"Logged {i} {i} {i} {i} {i} with {payload}");
            else if (how == "names6") log.Write(LogLevel.Info, null, "Logged {Id} {B} {C} {D} {E} with {Payload}", s_names6,
                [LogValue.From(i), LogValue.From(i), LogValue.From(i), LogValue.From(i), LogValue.From(i), LogValue.FromObject(payload)], []);
            // More parts than fit beside the cell: the cell's own overflow array, or a pooled one past RingBuffer.MaxKeptSpill.
            else if (how == "spill") log.Write(LogLevel.Info, null, "Logged {P0} with {Payload}", SpillProperties(i, 16, payload));
            else if (how == "spillPooled") log.Write(LogLevel.Info, null, "Logged {P0} with {Payload}", SpillProperties(i, RingBuffer.MaxKeptSpill + 6, payload));
            else if (how == "spillScopes") log.Write(LogLevel.Info, null, "Logged {Id} with {Payload}", s_names, [LogValue.From(i), LogValue.FromObject(payload)], SpillScopes(payload));
            else if (how == "interpolated8") log.Info($"Logged {i} {i} {i} {i} {i} {i} {i} with {payload}");
            else log.Info("Logged {Id} with {Payload}", i, payload);
        }
        return refs;
    }

    private static LogProperty[] SpillProperties(int i, int count, Payload payload)
    {
        var props = new LogProperty[count];
        for (int k = 0; k < count - 1; k++) props[k] = new LogProperty("P" + k, LogValue.From(i + k));
        props[^1] = new LogProperty("Payload", LogValue.FromObject(payload));
        return props;
    }

    private static KeyValuePair<string, object?>[] SpillScopes(Payload payload)
    {
        var scopes = new KeyValuePair<string, object?>[14];
        for (int k = 0; k < scopes.Length; k++) scopes[k] = new("S" + k, payload);
        return scopes;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference LogWithAThrowingHole(Logger log)
    {
        var payload = new Payload(-1);
        static int Boom() => throw new InvalidOperationException("hole failed");
        try
        {
            log.Info($"captured {payload} then {Boom()}");
        }
        catch (InvalidOperationException)
        {
            // the application's own exception, as without logging; the call's capture is abandoned
        }
        return new WeakReference(payload);
    }

    [Fact]
    public async Task A_call_whose_hole_threw_does_not_keep_what_it_captured_alive()
    {
        await using var pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Info).WriteTo(new StreamSink(new MemoryStream(), JsonFormatter.Default))
            .FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Retention");
        WeakReference? payload = null;
        Exception? failure = null;
        using var logged = new ManualResetEventSlim();
        using var checkedDone = new ManualResetEventSlim();
        // On a thread of its own that stays alive while the payload is checked: capture buffers are per
        // thread, and a thread's buffers go with it when it ends.
        var thread = new Thread(() =>
        {
            try
            {
                payload = LogWithAThrowingHole(log);
                for (int i = 0; i < 100; i++) log.Info($"later {i}");
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            logged.Set();
            checkedDone.Wait(TimeSpan.FromSeconds(60));
        });
        thread.Start();
        try
        {
            Assert.True(logged.Wait(TimeSpan.FromSeconds(60)), "the logging thread did not finish");
            Assert.Null(failure);
            await pipeline.FlushAsync();
            bool released = SpinWait.SpinUntil(() =>
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                return !payload!.IsAlive;
            }, TimeSpan.FromSeconds(20));
            Assert.True(released, "the value captured before the hole threw is still reachable");
        }
        finally
        {
            checkedDone.Set();
            thread.Join(TimeSpan.FromSeconds(60));
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> LogInScopesAndDispose(string template)
    {
        var pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Info).WriteTo(new StreamSink(new MemoryStream(), JsonFormatter.Default))
            .FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Retention");
        // Two events with scope pairs: the second makes the template's scope plan, kept on the process-wide template.
        for (int i = 0; i < 2; i++) log.Write(LogLevel.Info, null, template, [new LogProperty("Id", LogValue.From(i))], [new("RequestId", "r1")]);
        await pipeline.DisposeAsync();
        return new WeakReference(pipeline);
    }

    [Fact]
    public async Task A_disposed_pipeline_is_not_kept_alive_by_the_templates_its_writer_resolved()
    {
        const string Template = "Retention of the writer {Id}";
        var pipeline = await LogInScopesAndDispose(Template);
        Assert.IsType<ScopePlan>(MessageTemplate.Parse(Template).ScopePlan); // the template (cached process-wide) holds a plan
        bool collected = SpinWait.SpinUntil(() =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            return !pipeline.IsAlive;
        }, TimeSpan.FromSeconds(20));
        Assert.True(collected, "the disposed pipeline is still reachable");
    }

    [Theory]
    [InlineData(true, "template")]
    [InlineData(false, "template")]
    [InlineData(true, "interpolated")]
    [InlineData(false, "interpolated")]
    [InlineData(true, "names")]
    [InlineData(false, "names")]
    [InlineData(false, "template6")]
    [InlineData(false, "interpolated6")]
    [InlineData(false, "names6")]
    [InlineData(false, "spill")]
    [InlineData(false, "spillPooled")]
    [InlineData(false, "spillScopes")]
    [InlineData(false, "interpolated8")]
    public async Task Logged_arguments_are_not_kept_alive_once_the_writer_is_idle(bool parallel, string how)
    {
        var file = new StreamSink(new MemoryStream(), JsonFormatter.Default);
        await using var pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Info).ParallelFormatting(parallel)
            .WriteTo(file).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Retention");
        var refs = LogPayloads(log, new InvalidOperationException("failed"), how);
        await pipeline.FlushAsync();
        // Poll, bounded: the writer may still be finishing the batch the flush waited for.
        bool released = SpinWait.SpinUntil(() =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            return refs.All(r => !r.IsAlive);
        }, TimeSpan.FromSeconds(20));
        Assert.True(released, $"{refs.Count(r => r.IsAlive)} of {refs.Length} logged payloads are still reachable");
    }
}
