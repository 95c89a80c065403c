using StructuredLog.Events;
using StructuredLog.Tests.Support;
using StructuredLog.TestSupport.Allocations;

namespace StructuredLog.Tests.Logging;

public sealed class AllocationTests
{
    private static readonly Guid s_guid = Guid.NewGuid();
    private static readonly DateTime s_time = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    private static long MeasureCallerBytes(Action<Logger, int> call)
    {
        var sink = new NullSink();
        var pipeline = new LogPipelineBuilder().BufferSize(1 << 14).WriteTo(sink).FlushOnProcessExit(false).Build();
        try
        {
            var log = pipeline.GetLogger("Alloc");
            for (int i = 0; i < 20_000; i++) call(log, i); // warm-up: JIT, tiering, pools
            pipeline.FlushAsync().GetAwaiter().GetResult();
            // Rounds of 100,000 calls until one allocates nothing (see ThreadAllocations: a background GC can
            // raise the counter once without an allocation; a per-call allocation shows in every round).
            return ThreadAllocations.Measure(() =>
            {
                for (int i = 0; i < 100_000; i++) call(log, i);
            }).Bytes;
        }
        finally
        {
            pipeline.Dispose();
        }
    }

    [Fact]
    public void Template_calls_with_int_double_string_guid_datetime_allocate_nothing_on_the_calling_thread()
    {
        long bytes = MeasureCallerBytes(static (log, i) =>
            log.Info("Order {Id} took {Ms} ms for {User} ({Trace}) at {When}", i, i * 0.5, "alice", s_guid, s_time));
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void Interpolated_calls_with_typed_holes_allocate_nothing_on_the_calling_thread()
    {
        long bytes = MeasureCallerBytes(static (log, i) =>
            log.Info($"Order {i} took {i * 0.5:F1} ms for {"alice"} ({s_guid}) at {s_time}"));
        Assert.Equal(0, bytes);
    }

    private static readonly LogProperty[] s_sixteen = Enumerable.Range(0, 16).Select(k => new LogProperty("P" + k, LogValue.From(k))).ToArray();
    private static readonly string[] s_names = ["Id"];
    private static readonly KeyValuePair<string, object?>[] s_scopes = Enumerable.Range(0, 13).Select(k => new KeyValuePair<string, object?>("S" + k, "v")).ToArray();

    [Fact]
    public void Calls_with_more_parts_than_fit_beside_the_cell_allocate_nothing_once_their_cells_have_arrays()
    {
        // Named properties, another framework's scope pairs and an interpolated call with many holes: more than
        // RingBuffer.PartsPerCell parts each, kept in arrays the ring's cells keep (allocated on a cell's first such call).
        long bytes = MeasureCallerBytes(static (log, i) =>
        {
            switch (i % 3)
            {
                case 0: log.Write(LogLevel.Info, null, "Sixteen {P0} {P15}", s_sixteen); break;
                case 1: log.Write(LogLevel.Info, null, "Scoped {Id}", s_names, [LogValue.From(i)], s_scopes); break;
                default: log.Info($"{i} {i} {i} {i} {i} {i} {i} {i} end"); break;
            }
        });
        Assert.Equal(0, bytes);
    }

    private static readonly string[] s_literals = Enumerable.Range(0, 600).Select(i => "call site " + i + " took ").ToArray();

    [Fact]
    public void Many_interpolated_call_sites_in_turn_allocate_nothing_once_each_was_seen()
    {
        // 600 call sites in turn, each with its own constant literal: the writer's template cache keys them all.
        long bytes = MeasureCallerBytes(static (log, i) =>
        {
            var handler = new InfoInterpolatedStringHandler(16, 1, log, out _);
            handler.AppendLiteral(s_literals[i % s_literals.Length]);
            handler.AppendFormatted(i);
            log.Info(ref handler);
        });
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void Disabled_calls_allocate_nothing_and_do_not_evaluate_interpolation_holes()
    {
        int evaluated = 0;
        int Count() => ++evaluated;
        var pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Warn).WriteTo(new NullSink()).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Off");
        log.Debug($"value {Count()}");
        log.Info($"value {Count()} and {Count()}");
        Assert.Equal(0, evaluated);
        log.Warn($"value {Count()}");
        Assert.Equal(1, evaluated);
        pipeline.Dispose();

        long bytes = MeasureCallerBytes(static (log, i) => log.Trace("never {A} {B}", i, "x"));
        Assert.Equal(0, bytes);
    }
}
