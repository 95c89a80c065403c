using System.Buffers;
using System.Text;
using StructuredLog.Events;
using StructuredLog.Sinks.Network.Syslog;

namespace StructuredLog.Sinks.Network.Tests.Syslog;

public sealed class Rfc5424FormatterTests
{
    private static async Task<string> FormatOneAsync(ILogFormatterAction log, Formatting.ILogFormatter formatter)
    {
        var capture = new CaptureSink(formatter);
        await using (var pipeline = new LogPipelineBuilder().WriteTo(capture).Build())
        {
            log(pipeline.GetLogger("Tests.Category"));
            await pipeline.FlushAsync();
        }
        return Assert.Single(capture.Messages);
    }

    public delegate void ILogFormatterAction(Logger logger);

    [Fact]
    public async Task Header_has_pri_version_microsecond_utc_timestamp_and_nil_free_fields()
    {
        var f = new Rfc5424Formatter(new SyslogFormatterOptions { Facility = SyslogFacility.Local3, Hostname = "web 01", AppName = "shop", ProcessId = "42" });
        var text = await FormatOneAsync(l => l.Warn("disk {Free} low", 12), f);
        // <PRI> = 19*8+4 = 156
        Assert.Matches(@"^<156>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z web_01 shop 42 - \[structuredlog@32473 category=""Tests.Category"" Free=""12""\] \uFEFFdisk 12 low$", text);
    }

    [Fact]
    public async Task The_timestamp_is_the_events_time_in_utc()
    {
        var before = DateTime.UtcNow;
        var text = await FormatOneAsync(l => l.Info("one"), new Rfc5424Formatter());
        var stamp = DateTime.Parse(text.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
        Assert.InRange(stamp, before.AddSeconds(-1), DateTime.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task Param_names_are_sanitised_and_values_escaped()
    {
        var f = new Rfc5424Formatter(new SyslogFormatterOptions { IncludeCategory = false });
        var text = await FormatOneAsync(l => l.Write(LogLevel.Info, null, "x", [
            new LogProperty("a b=c]\"d", LogValue.From("v")),
            new LogProperty("this-name-is-definitely-longer-than-32-chars", LogValue.From("q\"\\]")),
            new LogProperty("nl", LogValue.From("line1\r\nline2")),
        ]), f);
        Assert.Contains(" a_b_c__d=\"v\"", text);
        Assert.Contains(" this-name-is-definitely-longer-t=\"q\\\"\\\\\\]\"", text);
        Assert.Contains(" nl=\"line1\\r\\nline2\"", text);
        Assert.DoesNotContain('\n', text);
        Assert.DoesNotContain('\r', text);
    }

    [Fact]
    public void Invalid_sd_id_is_refused_when_the_formatter_is_built()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Rfc5424Formatter(new SyslogFormatterOptions { StructuredDataId = "no enterprise" }));
        Assert.Contains("StructuredDataId", ex.Message);
    }

    [Fact]
    public async Task Rfc3164_pads_the_day_and_cuts_at_1024_bytes_visibly()
    {
        var f = new Rfc3164Formatter(new SyslogFormatterOptions { Hostname = "h", AppName = "my app", ProcessId = "7", IncludeCategory = false });
        var text = await FormatOneAsync(l => l.Error("big {V}", new string('ü', 2000)), f);
        Assert.Matches(@"^<11>[A-Z][a-z]{2} [ 1-3]\d \d\d:\d\d:\d\d h my_app\[7\]: big ", text);
        Assert.EndsWith("...[truncated]", text);
        Assert.True(Encoding.UTF8.GetByteCount(text) <= 1024);
    }

    /// <summary>Collects what a formatter produced for each event.</summary>
    private sealed class CaptureSink(Formatting.ILogFormatter formatter) : Sinks.ILogSink
    {
        public List<string> Messages { get; } = new();

        public void Emit(ReadOnlySpan<LogEvent> batch)
        {
            foreach (ref readonly var e in batch) Messages.Add(Encoding.UTF8.GetString(e.GetFormatted(formatter)));
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
