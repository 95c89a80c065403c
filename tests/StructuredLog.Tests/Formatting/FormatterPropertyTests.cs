using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using StructuredLog.Formatting;
using StructuredLog.Tests.Support;

namespace StructuredLog.Tests.Formatting;

/// <summary>Formats arbitrary strings (lone surrogates, controls, CR/LF, quotes, long values) through a real pipeline.</summary>
public sealed class FormatterPropertyTests : IDisposable
{
    private readonly LogPipeline _pipeline;
    private readonly CollectingSink _json = new(JsonFormatter.Default);
    private readonly CollectingSink _text = new(new TextFormatter());
    private readonly CollectingSink _logfmt = new(LogfmtFormatter.Default);
    private readonly CollectingSink _csv = new(CsvFormatter.Default);
    private readonly Logger _log;

    public FormatterPropertyTests()
    {
        _pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Trace).RedactOnly().MaxValueLength(100_000)
            .WriteTo(_json).WriteTo(_text).WriteTo(_logfmt).WriteTo(_csv).FlushOnProcessExit(false).Build();
        _log = _pipeline.GetLogger("Prop");
    }

    public void Dispose() => _pipeline.Dispose();

    /// <summary>What UTF-8 transcoding with replacement makes of a string: lone surrogates become U+FFFD.</summary>
    private static string Sanitized(string s) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(s));

    private static Arbitrary<string> NastyStrings()
    {
        var chars = Gen.OneOf(
            Gen.Elements('\r', '\n', '"', '\\', '\u0000', '\u001b', '\u0085', '\u2028', '\u2029', '{', '}', '=', ',', ' ', 'é', '\uD83D', '\uDE00', '\uFFFF'),
            ArbMap.Default.GeneratorFor<char>());
        var strings = Gen.OneOf(
            chars.ArrayOf().Select(a => new string(a)),
            ArbMap.Default.GeneratorFor<string>().Where(s => s is not null),
            Gen.Choose(1000, 20_000).Select(n => new string('x', n) + "\r\n\"end"));
        return strings.ToArbitrary();
    }

    private Captured LogOne(string value, string name)
    {
        while (_json.Events.TryDequeue(out _)) { }
        while (_text.Events.TryDequeue(out _)) { }
        while (_logfmt.Events.TryDequeue(out _)) { }
        while (_csv.Events.TryDequeue(out _)) { }
        _log.Warn("Value {V} from {Name}", value, name);
        _pipeline.FlushAsync().GetAwaiter().GetResult();
        Assert.True(_json.Events.TryDequeue(out var e));
        return e!;
    }

    [Fact]
    public void Json_output_always_parses_and_round_trips_the_values()
    {
        Prop.ForAll(NastyStrings(), NastyStrings(), (value, name) =>
        {
            var e = LogOne(value, name);
            using var doc = JsonDocument.Parse(e.Formatted!);
            var root = doc.RootElement;
            Assert.EndsWith("\n", e.Formatted);
            Assert.Equal(1, e.Formatted!.Count(c => c == '\n'));
            Assert.Equal(Sanitized(value), root.GetProperty("V").GetString());
            Assert.Equal(Sanitized(name), root.GetProperty("Name").GetString());
            Assert.Equal($"Value {Sanitized(value)} from {Sanitized(name)}", root.GetProperty("@m").GetString());
            Assert.Equal("Warn", root.GetProperty("@l").GetString());
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Text_logfmt_and_csv_never_contain_a_raw_line_break_inside_an_event()
    {
        Prop.ForAll(NastyStrings(), NastyStrings(), (value, name) =>
        {
            LogOne(value, name);
            foreach (var sink in new[] { _text, _logfmt, _csv })
            {
                Assert.True(sink.Events.TryDequeue(out var e));
                string line = e!.Formatted!;
                Assert.EndsWith("\n", line);
                string body = line[..^1];
                Assert.DoesNotContain('\n', body);
                Assert.DoesNotContain('\r', body);
                Assert.DoesNotContain('\u2028', body);
                Assert.DoesNotContain('\u0085', body);
                Assert.DoesNotContain('\u001b', body);
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Logfmt_values_unescape_back_to_the_sanitized_input()
    {
        Prop.ForAll(NastyStrings(), value => AssertLogfmtReadsBack(value)).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Logfmt_value_that_starts_with_its_own_key_reads_back()
    {
        // The shape FsCheck found in CI on 2026-11-26: the value starts with "V=", so the message holds " V=" too.
        AssertLogfmtReadsBack("V=\uFFFF1\uD800=\"\u0015 \"x,\"\"\"");
    }

    private void AssertLogfmtReadsBack(string value)
    {
        LogOne(value, "n");
        Assert.True(_logfmt.Events.TryDequeue(out var e));
        // Read the whole line pair by pair: the rendered message can itself contain " V=" (FsCheck found
        // a value starting with "V="), so searching for the key's text would read the wrong field.
        var fields = ParseLogfmt(e!.Formatted!);
        Assert.Equal(Sanitized(value), Assert.Single(fields, f => f.Key == "V").Value);
        Assert.Equal($"Value {Sanitized(value)} from n", Assert.Single(fields, f => f.Key == "msg").Value);
    }

    [Fact]
    public void The_logfmt_oracle_reads_a_message_that_contains_the_key_of_a_later_field()
    {
        var fields = ParseLogfmt("level=warn msg=\"Value V=1 \\\"x\\\"\" V=\"V=1 \\\"x\\\"\" Name=n\n");
        Assert.Equal(["level", "msg", "V", "Name"], fields.Select(f => f.Key));
        Assert.Equal("Value V=1 \"x\"", fields[1].Value);
        Assert.Equal("V=1 \"x\"", fields[2].Value);
    }

    /// <summary>The key/value pairs of one logfmt line, values unescaped; throws if the line is not well formed.</summary>
    private static List<KeyValuePair<string, string>> ParseLogfmt(string line)
    {
        Assert.EndsWith("\n", line);
        var fields = new List<KeyValuePair<string, string>>();
        int i = 0, end = line.Length - 1;
        while (i < end)
        {
            int eq = line.IndexOf('=', i);
            Assert.True(eq > i, $"no key at {i}: {line}");
            string key = line[i..eq];
            Assert.DoesNotContain(' ', key);
            i = eq + 1;
            string value;
            if (i < end && line[i] == '"')
            {
                var sb = new StringBuilder();
                for (i++; line[i] != '"'; i++)
                {
                    Assert.True(i < end, $"unterminated quoted value: {line}");
                    if (line[i] != '\\') { sb.Append(line[i]); continue; }
                    char c = line[++i];
                    switch (c)
                    {
                        case 'n': sb.Append('\n'); break;
                        case 'r': sb.Append('\r'); break;
                        case 't': sb.Append('\t'); break;
                        case 'u': sb.Append((char)Convert.ToInt32(line.Substring(i + 1, 4), 16)); i += 4; break;
                        default: sb.Append(c); break;
                    }
                }
                i++; // the closing quote
                value = sb.ToString();
            }
            else
            {
                int space = line.IndexOf(' ', i);
                int stop = space < 0 || space > end ? end : space;
                value = line[i..stop];
                i = stop;
            }
            fields.Add(new(key, value));
            if (i < end)
            {
                Assert.Equal(' ', line[i]);
                i++;
            }
        }
        return fields;
    }
}
