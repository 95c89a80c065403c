using System.Buffers;
using System.Diagnostics;
using StructuredLog.Events;
using StructuredLog.Formatting;
using StructuredLog.TestSupport.Allocations;

namespace StructuredLog.Tests.Formatting;

/// <summary>
/// The text formats allocate nothing per event once each thread's caches exist, including in the first
/// calls, before tiered compilation has optimised them (the CSV formatter used to create a JSON writer per
/// event, 136 bytes).
/// </summary>
public sealed class FormatterAllocationTests
{
    public static TheoryData<string> Formatters => ["json", "json-otel", "text", "text-colors", "logfmt", "csv"];

    private static ILogFormatter Create(string name) => name switch
    {
        "json" => new JsonFormatter(),
        "json-otel" => new JsonFormatter(JsonFieldNaming.OpenTelemetry),
        "text" => new TextFormatter(),
        "text-colors" => new TextFormatter(colors: true),
        "logfmt" => new LogfmtFormatter(),
        _ => new CsvFormatter(),
    };

    [Theory]
    [MemberData(nameof(Formatters))]
    public void A_line_allocates_nothing_once_the_caches_exist(string name)
    {
        var formatter = Create(name);
        var template = MessageTemplate.Parse("Order {A} in {B} ms for {C} at {D}");
        var traceId = ActivityTraceId.CreateRandom();
        var spanId = ActivitySpanId.CreateRandom();
        var records = Enumerable.Range(0, 4).Select(j =>
        {
            var r = new EventRecord
            {
                TimestampTicks = 638_000_000_000_000_000 + j * 1_234_567,
                Level = LogLevel.Info,
                Category = "Orders",
                Template = template,
                TraceId = j % 2 == 0 ? traceId : default,
                SpanId = j % 2 == 0 ? spanId : default,
            };
            r.AddProperty(new LogProperty(template.PropertyNames[0], LogValue.From(4711 + j)));
            r.AddProperty(new LogProperty(template.PropertyNames[1], LogValue.From(j * 0.25)));
            r.AddProperty(new LogProperty(template.PropertyNames[2], LogValue.From("customer-" + j)));
            r.AddProperty(new LogProperty(template.PropertyNames[3], LogValue.From((long)j << 40)));
            r.ArgumentCount = 4;
            return r;
        }).ToArray();
        var output = new ArrayBufferWriter<byte>(1 << 20);
        foreach (var r in records) formatter.Format(new LogEvent(r), output); // per-thread caches, number tables, hex strings
        var measured = ThreadAllocations.Measure(() =>
        {
            for (int i = 0; i < 200; i++) formatter.Format(new LogEvent(records[i & 3]), output);
        });
        Assert.True(measured.Bytes == 0, "allocated: " + measured);
    }
}
