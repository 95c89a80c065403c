using System.Diagnostics;
using StructuredLog.Context;
using StructuredLog.Formatting;
using StructuredLog.Tests.Support;

namespace StructuredLog.Tests.Logging;

/// <summary>
/// A call reads its thread once (<see cref="ThreadFlow"/>) and skips the scope and activity look-ups on a thread whose
/// async flow holds nothing. These tests run on threads started without the test's flow, where that path is taken.
/// </summary>
public sealed class ThreadFlowTests
{
    [Fact]
    public void The_runtime_field_is_found_so_calls_on_empty_flows_skip_the_look_ups()
    {
        // If a runtime renames the field, calls still capture everything (HasFlow then answers true), but each pays the
        // look-ups again: this test says so rather than letting the cost come back unnoticed.
        Assert.True(ThreadFlow.CanReadContext);
    }

    [Fact]
    public void A_thread_has_a_flow_exactly_while_an_async_local_value_is_set_on_it()
    {
        var seen = OnCleanThread(() =>
        {
            var results = new List<bool> { ThreadFlow.HasFlow(Thread.CurrentThread) };
            var local = new AsyncLocal<string?> { Value = "set" };
            results.Add(ThreadFlow.HasFlow(Thread.CurrentThread));
            local.Value = null;
            // Reset to null the runtime may keep an (empty) context or drop it; either answer is safe, so it is not checked.
            var activity = new Activity("op").Start();
            results.Add(ThreadFlow.HasFlow(Thread.CurrentThread));
            activity.Stop();
            return results;
        });
        Assert.Equal([false, true, true], seen);
    }

    [Fact]
    public async Task Activity_and_scope_are_captured_on_a_thread_that_started_with_an_empty_flow()
    {
        var sink = new CollectingSink(JsonFormatter.Default);
        await using var pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Trace).WriteTo(sink).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Flow");
        string traceId = "";
        int threadId = OnCleanThread(() =>
        {
            log.Info("before {Step}", 1); // no flow: nothing to capture
            var activity = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();
            traceId = activity.TraceId.ToHexString();
            log.Info("inside {Step}", 2);
            activity.Stop();
            using (log.BeginScope("RequestId", "r-7")) log.Info("scoped {Step}", 3);
            log.Info("after {Step}", 4);
            return Environment.CurrentManagedThreadId;
        });
        await pipeline.FlushAsync();
        var events = sink.Events.ToArray();
        Assert.Equal(4, events.Length);
        Assert.All(events, e => Assert.Equal(threadId, e.ThreadId));
        Assert.Null(events[0].TraceId);
        Assert.False(events[0].Properties.ContainsKey("RequestId"));
        Assert.Equal(traceId, events[1].TraceId);
        Assert.Null(events[2].TraceId);
        Assert.Equal("r-7", events[2].Properties["RequestId"]);
        Assert.Null(events[3].TraceId);
        Assert.False(events[3].Properties.ContainsKey("RequestId"));
    }

    /// <summary>Runs <paramref name="work"/> on a new thread that does not take the test's execution context (UnsafeStart).</summary>
    private static T OnCleanThread<T>(Func<T> work)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { result = work(); }
            catch (Exception ex) { failure = ex; }
        });
        thread.UnsafeStart();
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)), "the thread did not finish");
        if (failure is not null) throw new Xunit.Sdk.XunitException("the thread failed: " + failure);
        return result;
    }
}
