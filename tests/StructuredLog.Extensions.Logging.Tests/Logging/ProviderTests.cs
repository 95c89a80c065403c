using System.Diagnostics;
using Microsoft.Extensions.Logging;
using StructuredLog.Events;
using StructuredLog.Extensions.Logging.Tests.Support;
using MelLevel = Microsoft.Extensions.Logging.LogLevel;
using StructuredLog.TestSupport.Sinks;

namespace StructuredLog.Extensions.Logging.Tests.Logging;

public sealed class ProviderTests
{
    [Fact]
    public async Task A_LoggerMessage_method_keeps_its_template_typed_properties_and_event_id()
    {
        await using var host = new LoggingHost();
        var logger = host.Factory.CreateLogger("Shop.Orders");

        LoggerMessages.OrderShipped(logger, 1234, "Ada", 12.345);

        var e = Assert.Single(await host.FlushAsync());
        Assert.Equal(LogLevel.Info, e.Level);
        Assert.Equal("Shop.Orders", e.Category);
        Assert.Equal("Order {OrderId} shipped to {Customer} in {Elapsed:F1} ms", e.Template);
        Assert.Equal("Order 1234 shipped to Ada in 12.3 ms", e.Message);
        Assert.Equal(42, e.EventId);
        Assert.Equal("OrderShipped", e.EventName);
        Assert.Equal(LogValueKind.Int32, e.Properties["OrderId"].Kind);
        Assert.Equal(1234, e.Properties["OrderId"].ToObject());
        Assert.Equal("Ada", e.Properties["Customer"].AsString);
        Assert.Equal(LogValueKind.Double, e.Properties["Elapsed"].Kind);
        Assert.False(e.Properties.ContainsKey(StateCapture.OriginalFormat));
        Assert.Contains("\"@i\":42", e.Json);
        Assert.Contains("\"OrderId\":1234", e.Json);
    }

    [Fact]
    public async Task A_LoggerMessage_method_with_more_than_six_arguments_keeps_every_type()
    {
        await using var host = new LoggingHost();
        var logger = host.Factory.CreateLogger("T");
        var when = new DateTime(2026, 11, 25, 20, 0, 0, DateTimeKind.Utc);

        LoggerMessages.Seven(logger, 1, 2L, true, "d", when, 6.5m, 'g');

        var e = Assert.Single(await host.FlushAsync());
        Assert.Equal(LogLevel.Warn, e.Level);
        Assert.Equal(9, e.EventId);
        Assert.Equal(LogValueKind.Int32, e.Properties["A"].Kind);
        Assert.Equal(LogValueKind.Int64, e.Properties["B"].Kind);
        Assert.Equal(LogValueKind.Boolean, e.Properties["C"].Kind);
        Assert.Equal(LogValueKind.String, e.Properties["D"].Kind);
        Assert.Equal(LogValueKind.DateTime, e.Properties["E"].Kind);
        Assert.Equal(LogValueKind.Decimal, e.Properties["F"].Kind);
        Assert.Equal(LogValueKind.Char, e.Properties["G"].Kind);
        Assert.Equal(when, e.Properties["E"].ToObject());
    }

    [Fact]
    public async Task The_LogInformation_extension_binds_properties_by_name_and_keeps_the_exception()
    {
        await using var host = new LoggingHost();
        var logger = host.Factory.CreateLogger<ProviderTests>();
        var ex = new InvalidOperationException("card declined");

        logger.LogError(ex, "User {UserId} could not pay {Amount:0.00} {Currency}", 17, 9.5m, "EUR");
        LoggerMessages.PaymentFailed(logger, Guid.Empty, ex);

        var events = await host.FlushAsync();
        Assert.Equal(2, events.Count);
        Assert.Equal(typeof(ProviderTests).FullName, events[0].Category);
        Assert.Equal(LogLevel.Error, events[0].Level);
        Assert.Equal("User 17 could not pay 9.50 EUR", events[0].Message);
        Assert.Same(ex, events[0].Exception);
        Assert.Equal(0, events[0].EventId);
        Assert.Same(ex, events[1].Exception);
        Assert.Equal(7, events[1].EventId);
        Assert.Equal(LogValueKind.Guid, events[1].Properties["PaymentId"].Kind);
    }

    [Fact]
    public async Task A_destructuring_hole_is_written_as_an_object()
    {
        await using var host = new LoggingHost();
        var logger = host.Factory.CreateLogger("T");

        LoggerMessages.Placed(logger, new Order(5, "Grace"));

        var e = Assert.Single(await host.FlushAsync());
        Assert.True(e.Properties.ContainsKey("Order"), e.Json);
        Assert.Contains("\"Order\":{", e.Json);
        Assert.Contains("\"Customer\":\"Grace\"", e.Json);
    }

    [Fact]
    public async Task A_plain_message_state_keeps_its_braces_literal()
    {
        await using var host = new LoggingHost();
        var logger = host.Factory.CreateLogger("T");

        logger.Log(MelLevel.Warning, new EventId(3, "Raw"), new { Text = "x" }, null, (_, _) => "json {\"a\":1} and {NotAHole}");

        var e = Assert.Single(await host.FlushAsync());
        Assert.Equal("json {\"a\":1} and {NotAHole}", e.Message);
        Assert.Empty(e.Properties);
        Assert.Equal("Raw", e.EventName);
    }

    [Fact]
    public async Task A_state_whose_enumeration_throws_still_yields_a_marked_event()
    {
        await using var host = new LoggingHost();
        var logger = host.Factory.CreateLogger("T");

        logger.Log(MelLevel.Information, default, new ThrowingState(), null, (_, _) => "never");

        var e = Assert.Single(await host.FlushAsync());
        Assert.Contains("state could not be captured", e.Message);
        Assert.Contains("NotSupportedException", e.Properties["StateError"].AsString);
    }

    [Fact]
    public async Task Scopes_from_the_factory_are_attached_and_inner_scopes_and_event_properties_win()
    {
        await using var host = new LoggingHost();
        var logger = host.Factory.CreateLogger("T");

        using (logger.BeginScope(new Dictionary<string, object?> { ["TenantId"] = "t1", ["Shared"] = "outer", ["UserId"] = 1 }))
        using (logger.BeginScope("Processing batch {BatchId}", 99))
        using (logger.BeginScope(new Dictionary<string, object?> { ["Shared"] = "inner" }))
        using (logger.BeginScope("plain text scope"))
        {
            logger.LogInformation("Handled {UserId}", 2);
        }
        logger.LogInformation("After");

        var events = await host.FlushAsync();
        Assert.Equal(2, events.Count);
        var e = events[0];
        Assert.Equal("t1", e.Properties["TenantId"].AsString);
        Assert.Equal("inner", e.Properties["Shared"].AsString);
        Assert.Equal(2, e.Properties["UserId"].ToObject());
        Assert.Equal(99, e.Properties["BatchId"].ToObject());
        Assert.Equal("plain text scope", e.Properties["Scope"].AsString);
        Assert.Equal(["UserId", "TenantId", "Shared", "BatchId", "Scope"], e.Properties.Keys.ToArray());
        Assert.Empty(events[1].Properties);
    }

    [Fact]
    public async Task String_dictionaries_single_pairs_and_name_value_tuples_are_scope_properties()
    {
        await using var host = new LoggingHost();
        var logger = host.Factory.CreateLogger("T");

        using (logger.BeginScope(new Dictionary<string, string> { ["Tenant"] = "t1", ["Region"] = "eu" }))
        using (logger.BeginScope(new List<KeyValuePair<string, string>> { new("Header", "h1") }))
        using (logger.BeginScope(new KeyValuePair<string, object?>("Attempt", 3)))
        using (logger.BeginScope(new KeyValuePair<string, string>("Route", "/orders")))
        using (logger.BeginScope(("OrderId", 42)))
        using (logger.BeginScope(Tuple.Create("Batch", 7L)))
        using (logger.BeginScope((1, 2))) // not a name and a value: its text
        {
            logger.LogInformation("Handled");
        }

        var e = Assert.Single(await host.FlushAsync());
        Assert.Equal("t1", e.Properties["Tenant"].AsString);
        Assert.Equal("eu", e.Properties["Region"].AsString);
        Assert.Equal("h1", e.Properties["Header"].AsString);
        Assert.Equal(3, e.Properties["Attempt"].ToObject());
        Assert.Equal("/orders", e.Properties["Route"].AsString);
        Assert.Equal(42, e.Properties["OrderId"].ToObject());
        Assert.Equal(7L, e.Properties["Batch"].ToObject());
        Assert.Equal("(1, 2)", e.Properties["Scope"].AsString);
    }

    [Fact]
    public async Task A_scope_that_logs_while_an_event_gathers_the_scopes_leaves_both_events_whole()
    {
        await using var host = new LoggingHost();
        var logger = host.Factory.CreateLogger("T");

        // The thread's buffer is in use by the outer event when the scope's ToString logs: the inner call must get a
        // buffer of its own (sharing it would clear the outer event's gathered pairs).
        using (logger.BeginScope(new Dictionary<string, object?> { ["RequestId"] = "r1" }))
        using (logger.BeginScope(new LoggingScope(logger)))
        {
            LoggerMessages.OrderShipped(logger, 7, "Ada", 1.5);
        }

        var events = await host.FlushAsync();
        Assert.Equal(2, events.Count);
        var inner = events.Single(e => e.Properties.ContainsKey("Inner"));
        var outer = events.Single(e => e.Properties.ContainsKey("OrderId"));
        Assert.Equal(["OrderId", "Customer", "Elapsed", "RequestId", "Scope"], outer.Properties.Keys.ToArray());
        Assert.Equal("r1", outer.Properties["RequestId"].AsString);
        Assert.Equal("logging scope", outer.Properties["Scope"].AsString);
        Assert.Equal(["Inner", "RequestId", "Scope"], inner.Properties.Keys.ToArray());
        Assert.Equal(5, inner.Properties["Inner"].ToObject());
    }

    /// <summary>A scope whose text, the first time it is asked for, logs an event through the same logger.</summary>
    private sealed class LoggingScope(ILogger logger)
    {
        private bool _logged;

        public override string ToString()
        {
            if (!_logged)
            {
                _logged = true;
                logger.LogInformation("Inner {Inner}", 5);
            }
            return "logging scope";
        }
    }

    [Fact]
    public async Task Scopes_flow_across_await_and_are_isolated_between_flows()
    {
        await using var host = new LoggingHost();
        var logger = host.Factory.CreateLogger("T");

        async Task Work(int id)
        {
            using (logger.BeginScope(new Dictionary<string, object?> { ["WorkId"] = id }))
            {
                await Task.Yield();
                logger.LogInformation("Work {Step}", id * 10);
            }
        }
        await Task.WhenAll(Work(1), Work(2), Work(3));

        var events = await host.FlushAsync();
        Assert.Equal(3, events.Count);
        foreach (var e in events) Assert.Equal((int)e.Properties["Step"].ToObject()! / 10, e.Properties["WorkId"].ToObject());
    }

    [Fact]
    public async Task Core_scopes_and_activities_are_kept_for_MEL_calls()
    {
        await using var host = new LoggingHost();
        var logger = host.Factory.CreateLogger("T");
        using var activity = new Activity("test").SetIdFormat(ActivityIdFormat.W3C).Start();

        using (host.Pipeline.GetLogger("T").BeginScope("RequestId", "r-1"))
        {
            logger.LogInformation("Inside");
        }

        var e = Assert.Single(await host.FlushAsync());
        Assert.Equal(activity.TraceId.ToHexString(), e.TraceId);
        Assert.Equal(activity.SpanId.ToHexString(), e.SpanId);
        Assert.Equal("r-1", e.ScopeProperties["RequestId"].AsString);
        Assert.Contains("\"RequestId\":\"r-1\"", e.Json);
    }

    [Fact]
    public async Task MEL_activity_tracking_scope_reaches_the_event()
    {
        await using var host = new LoggingHost(logging: b => b.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId));
        var logger = host.Factory.CreateLogger("T");
        using var activity = new Activity("test").SetIdFormat(ActivityIdFormat.W3C).Start();

        logger.LogInformation("Tracked");

        var e = Assert.Single(await host.FlushAsync());
        Assert.Equal(activity.TraceId.ToHexString(), e.Properties["TraceId"].AsString);
        Assert.Equal(activity.SpanId.ToHexString(), e.Properties["SpanId"].AsString);
    }

    [Fact]
    public async Task The_provider_can_be_used_without_a_factory()
    {
        var sink = new CollectingSink();
        await using var pipeline = new LogPipelineBuilder().WriteTo(sink).FlushOnProcessExit(false).Build();
        using var provider = new StructuredLogLoggerProvider(pipeline);
        var logger = provider.CreateLogger("Direct");

        using (logger.BeginScope(new Dictionary<string, object?> { ["Job"] = "j" }))
        {
            logger.LogWarning("Direct {N}", 1);
        }
        Assert.Same(logger, provider.CreateLogger("Direct"));

        await pipeline.FlushAsync();
        var e = Assert.Single(sink.Events);
        Assert.Equal(LogLevel.Warn, e.Level);
        Assert.Equal("j", e.Properties["Job"].AsString);
    }

    private sealed class ThrowingState : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public KeyValuePair<string, object?> this[int index] => throw new NotSupportedException("boom");
        public int Count => 1;
        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => throw new NotSupportedException("boom");
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
