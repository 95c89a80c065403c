using System.Collections.Concurrent;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using StructuredLog.Events;
using StructuredLog.Sinks.Network.Syslog;

namespace StructuredLog.Sinks.Network.Tests.Syslog;

/// <summary>
/// Arbitrary names and values (lone surrogates, controls, CR/LF, NEL, U+2028, quotes, brackets, backslashes)
/// through a real pipeline: every RFC 5424 message parses with a strict parser, and the values come back as
/// the reference neutralisation of the input.
/// </summary>
public sealed class Rfc5424PropertyTests : IDisposable
{
    private readonly Capture _sink = new(new Rfc5424Formatter(new SyslogFormatterOptions { Hostname = "h", AppName = "a", ProcessId = "1", IncludeCategory = false }));
    private readonly Capture _limited = new(new Rfc5424Formatter(new SyslogFormatterOptions { Hostname = "h", AppName = "a", ProcessId = "1" }) { MaxMessageBytes = 480 });
    private readonly LogPipeline _pipeline;
    private readonly Logger _log;

    public Rfc5424PropertyTests()
    {
        _pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Trace).MaxValueLength(100_000).WriteTo(_sink).WriteTo(_limited).FlushOnProcessExit(false).Build();
        _log = _pipeline.GetLogger("Prop");
    }

    public void Dispose() => _pipeline.Dispose();

    private static Arbitrary<string> NastyStrings()
    {
        var chars = Gen.OneOf(
            Gen.Elements('\r', '\n', '"', '\\', ']', '[', '=', ' ', '\u0000', '\u001b', '\u007f', '\u0085', '\u2028', '\u2029', 'é', '東', '\uD83D', '\uDE00', '\uFEFF'),
            ArbMap.Default.GeneratorFor<char>());
        return Gen.OneOf(
            chars.ArrayOf().Select(a => new string(a)),
            ArbMap.Default.GeneratorFor<string>().Where(s => s is not null)).ToArbitrary();
    }

    /// <summary>The reference: UTF-8 round trip (lone surrogates → U+FFFD), then controls, DEL, NEL, U+2028/9 made visible.</summary>
    private static string Neutralised(string s)
    {
        var sb = new StringBuilder();
        foreach (char c in Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(s)))
        {
            sb.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' or '\u007f' or '\u0085' or '\u2028' or '\u2029' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return sb.ToString();
    }

    [Fact]
    public void Every_message_parses_strictly_and_values_round_trip()
    {
        Prop.ForAll(NastyStrings(), NastyStrings(), (value, name) =>
        {
            _sink.Messages.Clear();
            _log.Write(LogLevel.Warn, null, "v={V}", [new LogProperty("V", LogValue.From(value)), new LogProperty(name, LogValue.From(value))]);
            _pipeline.FlushAsync().GetAwaiter().GetResult();
            Assert.True(_sink.Messages.TryDequeue(out var bytes));
            foreach (byte b in bytes!) Assert.False(b < 0x20 || b == 0x7F, $"raw control byte 0x{b:x2} in the message");
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes); // valid UTF-8
            Assert.DoesNotContain('\u0085', text);
            Assert.DoesNotContain('\u2028', text);
            Assert.DoesNotContain('\u2029', text);

            var parsed = StrictRfc5424.Parse(bytes);
            Assert.Equal(1 * 8 + 4, parsed.Pri); // user.warning
            var (sdId, parameters) = Assert.Single(parsed.Elements);
            Assert.Equal("structuredlog@32473", sdId);
            Assert.Equal(2, parameters.Count);
            Assert.Equal(("V", Neutralised(value)), parameters[0]);
            Assert.Equal(Neutralised(value), parameters[1].Value);
            Assert.Equal("v=" + Neutralised(value), parsed.Message);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Messages_cut_to_a_datagram_limit_stay_within_it_and_well_formed()
    {
        var big = NastyStrings().Generator.Select(x => string.Concat(Enumerable.Repeat(x + "€ü\"]\\", 40))).ToArbitrary();
        Prop.ForAll(big, NastyStrings(), (value, name) =>
        {
            _limited.Messages.Clear();
            _log.Write(LogLevel.Error, null, "m {A} " + value.Length, [new LogProperty("A", LogValue.From(value)), new LogProperty(name, LogValue.From(value))]);
            _pipeline.FlushAsync().GetAwaiter().GetResult();
            Assert.True(_limited.Messages.TryDequeue(out var bytes));
            Assert.True(bytes!.Length <= 480, $"{bytes.Length} bytes");
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            var parsed = StrictRfc5424.Parse(bytes);
            Assert.Equal(1 * 8 + 3, parsed.Pri);
            Assert.Single(parsed.Elements);
        }).QuickCheckThrowOnFailure();
    }

    private sealed class Capture(Formatting.ILogFormatter formatter) : ILogSink
    {
        public ConcurrentQueue<byte[]> Messages { get; } = new();

        public void Emit(ReadOnlySpan<LogEvent> batch)
        {
            foreach (ref readonly var e in batch) Messages.Enqueue(e.GetFormatted(formatter).ToArray());
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>A strict RFC 5424 parser (§6 ABNF) for the tests: throws on anything malformed.</summary>
internal static class StrictRfc5424
{
    public sealed record Parsed(int Pri, string[] Header, List<(string Id, List<(string Name, string Value)> Params)> Elements, string? Message);

    public static Parsed Parse(byte[] bytes)
    {
        int pos = 0;
        if (bytes[pos++] != '<') throw new FormatException("no PRI");
        int pri = 0;
        while (bytes[pos] != '>') pri = pri * 10 + Digit(bytes[pos++]);
        pos++;
        if (pri > 191) throw new FormatException("PRI out of range");
        if (bytes[pos++] != '1' || bytes[pos++] != ' ') throw new FormatException("VERSION");
        var header = new string[5]; // TIMESTAMP HOSTNAME APP-NAME PROCID MSGID
        int[] max = [64, 255, 48, 128, 32];
        for (int f = 0; f < 5; f++)
        {
            int start = pos;
            while (bytes[pos] != ' ')
            {
                if (bytes[pos] is < 33 or > 126) throw new FormatException($"header field {f} not PRINTUSASCII");
                pos++;
            }
            if (pos == start || pos - start > max[f]) throw new FormatException($"header field {f} length");
            header[f] = Encoding.ASCII.GetString(bytes, start, pos - start);
            pos++;
        }
        if (!System.Text.RegularExpressions.Regex.IsMatch(header[0], @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")) throw new FormatException("TIMESTAMP");
        var elements = new List<(string, List<(string, string)>)>();
        if (bytes[pos] == '-') pos++;
        else
        {
            while (pos < bytes.Length && bytes[pos] == '[')
            {
                pos++;
                string id = Name(bytes, ref pos);
                var ps = new List<(string, string)>();
                while (bytes[pos] == ' ')
                {
                    pos++;
                    string name = Name(bytes, ref pos);
                    if (bytes[pos++] != '=' || bytes[pos++] != '"') throw new FormatException("PARAM syntax");
                    var value = new List<byte>();
                    while (bytes[pos] != '"')
                    {
                        if (bytes[pos] == ']') throw new FormatException("unescaped ] in PARAM-VALUE");
                        if (bytes[pos] == '\\' && bytes[pos + 1] is (byte)'"' or (byte)'\\' or (byte)']') { value.Add(bytes[pos + 1]); pos += 2; continue; }
                        value.Add(bytes[pos++]);
                    }
                    pos++;
                    ps.Add((name, Encoding.UTF8.GetString(value.ToArray())));
                }
                if (bytes[pos++] != ']') throw new FormatException("SD-ELEMENT not closed");
                elements.Add((id, ps));
            }
        }
        string? msg = null;
        if (pos < bytes.Length)
        {
            if (bytes[pos++] != ' ') throw new FormatException("no SP before MSG");
            if (bytes.Length - pos >= 3 && bytes[pos] == 0xEF && bytes[pos + 1] == 0xBB && bytes[pos + 2] == 0xBF) pos += 3;
            else throw new FormatException("MSG without BOM");
            msg = Encoding.UTF8.GetString(bytes, pos, bytes.Length - pos);
        }
        return new Parsed(pri, header, elements, msg);
    }

    private static string Name(byte[] bytes, ref int pos)
    {
        int start = pos;
        while (bytes[pos] is >= 33 and <= 126 and not (byte)'=' and not (byte)']' and not (byte)'"') pos++;
        if (pos == start || pos - start > 32) throw new FormatException("SD-NAME length");
        return Encoding.ASCII.GetString(bytes, start, pos - start);
    }

    private static int Digit(byte b) => b is >= (byte)'0' and <= (byte)'9' ? b - '0' : throw new FormatException("digit");
}
