using System.Diagnostics;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;
using StructuredLog.OpenTelemetry.Tests.Support;

namespace StructuredLog.OpenTelemetry.Tests.Sinks;

public sealed class OpenTelemetrySinkTests
{
    private static LogPipeline Build(OtlpReceiver receiver, out OpenTelemetrySink sink, bool renderedBody = true)
    {
        sink = new OpenTelemetrySink(new OpenTelemetrySinkOptions
        {
            RenderedMessageAsBody = renderedBody,
            ConfigureOpenTelemetry = o =>
            {
                o.SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("otel-bridge-tests"));
                o.AddOtlpExporter(e =>
                {
                    e.Endpoint = receiver.LogsEndpoint;
                    e.Protocol = OtlpExportProtocol.HttpProtobuf;
                });
            },
        });
        return new LogPipelineBuilder().MinimumLevel(LogLevel.Trace).WriteTo(sink).FlushOnProcessExit(false).Build();
    }

    [Fact]
    public async Task Events_reach_an_OTLP_receiver_with_the_documented_mapping()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var pipeline = Build(receiver, out var sink);
        var log = pipeline.GetLogger("Shop.Checkout");
        using var activity = new Activity("checkout").SetIdFormat(ActivityIdFormat.W3C);
        activity.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        activity.Start();
        var before = DateTime.UtcNow;

        using (log.BeginScope("TenantId", "acme"))
        {
            log.Write(LogLevel.Warn, null, "Order {OrderId} total {Total} paid {Paid} by {Customer}",
                [new("OrderId", StructuredLog.Events.LogValue.From(42)), new("Total", StructuredLog.Events.LogValue.From(19.5)),
                 new("Paid", StructuredLog.Events.LogValue.From(true)), new("Customer", StructuredLog.Events.LogValue.From("Ada"))],
                eventId: 7, eventName: "OrderPaid");
        }
        activity.Stop();
        log.Error(new InvalidOperationException("card declined"), "Payment failed");
        log.Trace("t");
        log.Debug("d");
        log.Info("i");
        log.Fatal("f");

        await pipeline.FlushAsync();
        var records = await receiver.WaitForAsync(6);

        Assert.Equal(6, records.Count);
        Assert.All(receiver.ContentTypes, ct => Assert.StartsWith("application/x-protobuf", ct));
        var r = records[0];
        string describe = OtlpLogsDecoder.Describe(r);
        Assert.Equal(13, r.SeverityNumber);
        Assert.Equal("Warning", r.SeverityText);
        Assert.Equal("Order 42 total 19.5 paid true by Ada", r.Body);
        Assert.Equal(activity.TraceId.ToHexString(), r.TraceId);
        Assert.Equal(activity.SpanId.ToHexString(), r.SpanId);
        Assert.Equal(1u, r.Flags & 0xFF);
        Assert.Equal(42L, r.Attributes["OrderId"]);
        Assert.Equal(19.5, r.Attributes["Total"]);
        Assert.Equal(true, r.Attributes["Paid"]);
        Assert.Equal("Ada", r.Attributes["Customer"]);
        Assert.Equal("acme", r.Attributes["TenantId"]);
        Assert.Equal("Order {OrderId} total {Total} paid {Paid} by {Customer}", r.Attributes["{OriginalFormat}"]);
        Assert.Equal("Shop.Checkout", r.ScopeName);
        Assert.Equal("otel-bridge-tests", r.Resource["service.name"]);
        Assert.True(r.Timestamp >= before.AddSeconds(-1) && r.Timestamp <= DateTime.UtcNow, describe);
        Assert.Equal("OrderPaid", r.EventName);
        Assert.Equal(7L, r.Attributes["event.id"]);
        Assert.Equal(["OrderId", "Total", "Paid", "Customer", "TenantId", "event.id", "{OriginalFormat}"], r.Attributes.Keys.ToArray());

        var error = records[1];
        Assert.Equal(17, error.SeverityNumber);
        Assert.Null(error.TraceId);
        Assert.Equal("InvalidOperationException", error.Attributes["exception.type"]);
        Assert.Contains("card declined", (string)error.Attributes["exception.stacktrace"]!);
        Assert.Equal("card declined", error.Attributes["exception.message"]);

        Assert.Equal([1, 5, 9, 21], records.Skip(2).Select(x => x.SeverityNumber).ToArray());
        Assert.Equal(6, sink.EventsForwarded);
        Assert.Equal(0, sink.EventsFailed);
    }

    [Fact]
    public async Task The_template_can_be_the_body_and_the_event_time_is_kept()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var pipeline = Build(receiver, out _, renderedBody: false);
        var log = pipeline.GetLogger("T");

        log.Info("User {UserId} signed in", 5);
        var afterLog = DateTime.UtcNow;
        await pipeline.FlushAsync();
        var r = Assert.Single(await receiver.WaitForAsync(1));

        Assert.Equal("User {UserId} signed in", r.Body);
        Assert.Equal(5L, r.Attributes["UserId"]);
        Assert.True(r.Timestamp <= afterLog, OtlpLogsDecoder.Describe(r));
    }

    [Fact]
    public async Task A_dead_collector_never_blocks_or_throws_into_the_application()
    {
        // A port nobody listens on: take a free one and close it again.
        var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        int port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var sink = new OpenTelemetrySink(new OpenTelemetrySinkOptions
        {
            FlushTimeout = TimeSpan.FromSeconds(2),
            ConfigureOpenTelemetry = o => o.AddOtlpExporter(e =>
            {
                e.Endpoint = new Uri($"http://127.0.0.1:{port}/v1/logs");
                e.Protocol = OtlpExportProtocol.HttpProtobuf;
                e.TimeoutMilliseconds = 1000;
            }),
        });
        var pipeline = new LogPipelineBuilder().WriteTo(sink).FlushOnProcessExit(false).ShutdownTimeout(TimeSpan.FromSeconds(5)).Build();
        var log = pipeline.GetLogger("T");

        var watch = Stopwatch.StartNew();
        for (int i = 0; i < 100; i++) log.Info("Event {N}", i);
        await pipeline.FlushAsync().WaitAsync(TimeSpan.FromSeconds(15));
        await pipeline.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(100, sink.EventsForwarded);
        Assert.Equal(0, pipeline.EventsLost);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15));
    }

    [Fact]
    public void The_exporter_must_be_configured()
    {
        var ex = Assert.Throws<LogConfigurationException>(() => new OpenTelemetrySink(new OpenTelemetrySinkOptions()));
        Assert.Contains("ConfigureOpenTelemetry", ex.Message);
    }
}
