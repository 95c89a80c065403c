using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using StructuredLog.Extensions.Logging.Tests.Support;

namespace StructuredLog.Extensions.Logging.Tests.Logging;

/// <summary>
/// A typed event inside the same scopes as the thread's previous one compares the scope pairs instead of copying them and
/// takes their shared snapshot (<see cref="ScopePropertySnapshot"/>, by reference in the ring cell). Each event must
/// still carry exactly the pairs its scopes hold at its call.
/// </summary>
public sealed class ScopeSnapshotTests
{
    private static LoggingHost SmallRingHost() => new(configure: o => o.ConfigurePipeline(b => b.BufferSize(64)));

    [Fact]
    public async Task Events_in_unchanged_scopes_share_a_snapshot_over_many_laps_of_a_small_ring()
    {
        await using var host = SmallRingHost();
        var logger = host.Factory.CreateLogger("Snapshots");
        var request = new List<KeyValuePair<string, object?>> { new("RequestId", "r-1"), new("Path", "/orders") };
        var user = new Dictionary<string, object?> { ["UserId"] = 4711, ["Tenant"] = "acme" };
        long before = PropertyBuffer.ForThread?.SnapshotEvents ?? 0;
        using (logger.BeginScope(request))
        using (logger.BeginScope(user))
        using (logger.BeginScope("Batch {BatchId}", 99))
        {
            // 300 events through 64 cells: the cells refer to the snapshot lap after lap, and their release must leave it whole.
            for (int i = 0; i < 300; i++) LoggerMessages.OrderShipped(logger, i, "Ada", 1.5);
        }
        // Every event after the first took the snapshot (the first records the pairs it is compared with).
        Assert.Equal(299, PropertyBuffer.ForThread!.SnapshotEvents - before);
        var events = await host.FlushAsync();
        Assert.Equal(300, events.Count);
        for (int i = 0; i < 300; i++)
        {
            var p = events[i].Properties;
            Assert.Equal(i, p["OrderId"].ToObject());
            Assert.Equal("r-1", p["RequestId"].AsString);
            Assert.Equal("/orders", p["Path"].AsString);
            Assert.Equal(4711, p["UserId"].ToObject());
            Assert.Equal("acme", p["Tenant"].AsString);
            Assert.Equal(99, p["BatchId"].ToObject());
            Assert.Equal(["OrderId", "Customer", "Elapsed", "RequestId", "Path", "UserId", "Tenant", "BatchId"], p.Keys.ToArray());
        }
    }

    [Fact]
    public async Task Scope_states_changed_between_events_are_logged_as_they_are_at_each_call()
    {
        await using var host = SmallRingHost();
        var logger = host.Factory.CreateLogger("Snapshots");
        var request = new List<KeyValuePair<string, object?>> { new("RequestId", "r-1") };
        var user = new Dictionary<string, object?> { ["Tenant"] = "acme", ["Plan"] = "gold" };
        using (logger.BeginScope(request))
        using (logger.BeginScope(user))
        {
            for (int i = 0; i < 3; i++) LoggerMessages.OrderShipped(logger, 1, "Ada", 1.5); // the snapshot is in use
            user["Tenant"] = "globex"; // a dictionary does not count an overwrite in its version
            LoggerMessages.OrderShipped(logger, 2, "Ada", 1.5);
            LoggerMessages.OrderShipped(logger, 3, "Ada", 1.5);
            user.Remove("Plan");
            LoggerMessages.OrderShipped(logger, 4, "Ada", 1.5);
            request[0] = new("RequestId", "r-2");
            LoggerMessages.OrderShipped(logger, 5, "Ada", 1.5);
            using (logger.BeginScope(new Dictionary<string, object?> { ["Step"] = "charge" }))
            {
                LoggerMessages.OrderShipped(logger, 6, "Ada", 1.5);
                LoggerMessages.OrderShipped(logger, 7, "Ada", 1.5);
            }
            LoggerMessages.OrderShipped(logger, 8, "Ada", 1.5);
            user["Plan"] = "silver";
            LoggerMessages.OrderShipped(logger, 9, "Ada", 1.5);
        }
        LoggerMessages.OrderShipped(logger, 10, "Ada", 1.5);
        LoggerMessages.OrderShipped(logger, 11, "Ada", 1.5);

        var byOrder = (await host.FlushAsync()).ToLookup(e => (int)e.Properties["OrderId"].ToObject()!);
        static string Describe(CapturedEventView e) => e.Describe();
        Assert.Equal("RequestId=r-1 Tenant=acme Plan=gold", Describe(new(byOrder[1].Last())));
        Assert.Equal("RequestId=r-1 Tenant=globex Plan=gold", Describe(new(byOrder[2].Single())));
        Assert.Equal("RequestId=r-1 Tenant=globex Plan=gold", Describe(new(byOrder[3].Single())));
        Assert.Equal("RequestId=r-1 Tenant=globex", Describe(new(byOrder[4].Single())));
        Assert.Equal("RequestId=r-2 Tenant=globex", Describe(new(byOrder[5].Single())));
        Assert.Equal("RequestId=r-2 Tenant=globex Step=charge", Describe(new(byOrder[6].Single())));
        Assert.Equal("RequestId=r-2 Tenant=globex Step=charge", Describe(new(byOrder[7].Single())));
        Assert.Equal("RequestId=r-2 Tenant=globex", Describe(new(byOrder[8].Single())));
        Assert.Equal("RequestId=r-2 Tenant=globex Plan=silver", Describe(new(byOrder[9].Single())));
        Assert.Equal("", Describe(new(byOrder[10].Single())));
        Assert.Equal("", Describe(new(byOrder[11].Single())));
    }

    [Fact]
    public async Task The_sweep_lets_a_quiet_thread_forget_its_scope_values()
    {
        // A sink that keeps nothing (the collecting sink keeps every event's values).
        var sink = new CountingSink();
        await using var pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Trace).WriteTo(sink).FlushOnProcessExit(false).Build();
        using var factory = LoggerFactory.Create(b => b.AddStructuredLog(pipeline));
        var logger = factory.CreateLogger("Snapshots");
        var (value, buffer) = LogInScopes(logger);
        await pipeline.FlushAsync();
        Assert.Equal(5, sink.Count);
        Assert.True(buffer.HoldsSnapshot);
        // A sweep finds the snapshot used since the previous sweep and only marks it; the next finds the thread quiet and
        // drops it. The process's own sweep timer may run one of them meanwhile, so at most two are needed here.
        for (int i = 0; i < 2 && buffer.HoldsSnapshot; i++) ScopeSnapshotSweep.SweepNow();
        Assert.False(buffer.HoldsSnapshot);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(value.IsAlive, "the thread's buffer still kept a scope value of a finished request");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (WeakReference Value, PropertyBuffer Buffer) LogInScopes(ILogger logger)
    {
        var order = new object();
        using (logger.BeginScope(new Dictionary<string, object?> { ["Order"] = order }))
        {
            for (int i = 0; i < 3; i++) LoggerMessages.CacheMissed(logger, "k");
            LoggerMessages.OrderShipped(logger, 1, "Ada", 1.5);
            LoggerMessages.OrderShipped(logger, 2, "Ada", 1.5);
        }
        // The logging thread's own buffer (the test's continuation after an await may run on another thread).
        return (new WeakReference(order), PropertyBuffer.ForThread!);
    }

    private sealed class CountingSink : StructuredLog.Sinks.ILogSink
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public void Emit(ReadOnlySpan<StructuredLog.Events.LogEvent> batch) => Interlocked.Add(ref _count, batch.Length);

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>The scope pairs of an event, in order, as <c>Name=value</c>.</summary>
    private readonly record struct CapturedEventView(StructuredLog.TestSupport.Sinks.CapturedEvent Event)
    {
        public string Describe() => string.Join(" ", Event.Properties
            .Where(p => p.Key is not ("OrderId" or "Customer" or "Elapsed"))
            .Select(p => $"{p.Key}={p.Value.ToObject()}"));
    }
}
