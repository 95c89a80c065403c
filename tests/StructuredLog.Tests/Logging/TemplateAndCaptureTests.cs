using System.Diagnostics;
using StructuredLog.Events;
using StructuredLog.Formatting;
using StructuredLog.Tests.Support;
using StructuredLog.TestSupport.Allocations;

namespace StructuredLog.Tests.Logging;

public sealed class TemplateAndCaptureTests : IAsyncLifetime
{
    private LogPipeline _pipeline = null!;
    private readonly CollectingSink _sink = new(JsonFormatter.Default);
    private Logger _log = null!;

    public Task InitializeAsync()
    {
        _pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Trace).WriteTo(_sink).FlushOnProcessExit(false).Build();
        _log = _pipeline.GetLogger("Capture");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _pipeline.DisposeAsync();

    private async Task<Captured> One()
    {
        await _pipeline.FlushAsync();
        Assert.True(_sink.Events.TryDequeue(out var e));
        return e!;
    }

    [Fact]
    public async Task Template_holes_bind_arguments_in_order_with_formats_and_types()
    {
        _log.Info("Order {OrderId} shipped in {Elapsed:F1} ms to {City}", 42, 12.345, "Zürich");
        var e = await One();
        Assert.Equal("Order 42 shipped in 12.3 ms to Zürich", e.Message);
        Assert.Equal(42, e.Properties["OrderId"]);
        Assert.Equal(12.345, e.Properties["Elapsed"]);
        Assert.Contains("\"Elapsed\":12.345", e.Formatted);
        Assert.Equal(LogLevel.Info, e.Level);
        Assert.Equal("Capture", e.Category);
    }

    [Fact]
    public async Task Escaped_braces_repeated_names_missing_and_extra_arguments_are_handled()
    {
        _log.Info("{{literal}} {A} and {A} again, missing {B}", 1);
        var e = await One();
        Assert.Equal("{literal} 1 and 1 again, missing {B}", e.Message);
        _log.Info("only {X}", 1, "extra");
        e = await One();
        Assert.Equal("extra", e.Properties["arg1"]);
        _log.Info("positional {1} then {0}", "a", "b");
        e = await One();
        Assert.Equal("positional b then a", e.Message);
        _log.Info("broken {hole and {Good}", 7);
        e = await One();
        Assert.Equal("broken {hole and 7", e.Message);
    }

    [Fact]
    public async Task Interpolated_holes_are_named_after_their_expressions()
    {
        int orderId = 7;
        var order = new { Total = 19.5m };
        _log.Warn($"Order {orderId} costs {order.Total:F2} ({orderId * 2:@Double}) {orderId + 1}");
        var e = await One();
        Assert.Equal("Order 7 costs 19.50 (14) 8", e.Message);
        Assert.Equal("Order {orderId} costs {order.Total:F2} ({Double}) {arg3}", e.Template);
        Assert.Equal(7, e.Properties["orderId"]);
        Assert.Equal(19.5m, e.Properties["order.Total"]);
        Assert.Equal(14, e.Properties["Double"]);
        Assert.Equal(LogLevel.Warn, e.Level);
    }

    [Fact]
    public async Task Nine_holes_and_a_literal_fill_the_parts_beside_the_cell()
    {
        int a = 1, b = 2, c = 3, d = 4, f = 5, g = 6, h = 7, i = 8, j = 9;
        _log.Info($"{a}{b}{c}{d}{f}{g}{h}{i}{j} done");
        var e = await One();
        Assert.Equal("123456789 done", e.Message);
        Assert.Equal(9, e.Properties["j"]);
    }

    [Fact]
    public async Task Typed_values_round_trip_without_boxing_loss()
    {
        var guid = Guid.NewGuid();
        var when = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2));
        _log.Info("{G} {D} {T} {E} {M} {N}", guid, when, TimeSpan.FromSeconds(90), DayOfWeek.Friday, 1.5m, (int?)null);
        var e = await One();
        Assert.Equal(guid, e.Properties["G"]);
        Assert.Equal(when, e.Properties["D"]);
        Assert.Equal(TimeSpan.FromSeconds(90), e.Properties["T"]);
        Assert.Equal(DayOfWeek.Friday, e.Properties["E"]);
        Assert.Equal(1.5m, e.Properties["M"]);
        Assert.Null(e.Properties["N"]);
        Assert.Contains("Friday", e.Message);
        Assert.Contains("\"N\":null", e.Formatted);
    }

    [Fact]
    public async Task Exceptions_and_activity_ids_are_captured_on_the_calling_thread()
    {
        using var source = new ActivitySource("test");
        using var listener = new ActivityListener { ShouldListenTo = _ => true, Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded };
        ActivitySource.AddActivityListener(listener);
        string traceId, spanId;
        using (var activity = source.StartActivity("op")!)
        {
            traceId = activity.TraceId.ToHexString();
            spanId = activity.SpanId.ToHexString();
            _log.Error(new InvalidOperationException("bad"), "failed {Step}", "charge");
        }
        var e = await One();
        Assert.Equal(traceId, e.TraceId);
        Assert.Equal(spanId, e.SpanId);
        Assert.IsType<InvalidOperationException>(e.Exception);
        Assert.Contains($"\"@tr\":\"{traceId}\"", e.Formatted);
        Assert.Contains("\"@x\":\"System.InvalidOperationException: bad", e.Formatted);
        _log.Info("outside");
        e = await One();
        Assert.Null(e.TraceId);
    }

    [Fact]
    public async Task Scopes_flow_across_await_and_nest()
    {
        using (_log.BeginScope("RequestId", "r-1"))
        {
            await Task.Yield();
            using (_log.BeginScope("Step", 2))
            {
                await Task.Delay(1);
                _log.Info("inside");
            }
            _log.Info("outer");
        }
        _log.Info("none");
        await _pipeline.FlushAsync();
        var events = _sink.Events.ToArray();
        _sink.Events.Clear();
        Assert.Equal("r-1", events[0].Properties["RequestId"]);
        Assert.Equal(2, events[0].Properties["Step"]);
        Assert.Contains("\"RequestId\":\"r-1\"", events[0].Formatted);
        Assert.False(events[1].Properties.ContainsKey("Step"));
        Assert.Equal("r-1", events[1].Properties["RequestId"]);
        Assert.Empty(events[2].Properties);
    }

    [Fact]
    public async Task Scope_properties_never_repeat_a_name_the_event_or_an_inner_scope_has()
    {
        using (_log.BeginScope("A", "outer-a", "B", "outer-b"))
        using (_log.BeginScope("B", "inner-b", "C", "inner-c"))
            _log.Info("event {A}", "event-a");
        var e = await One();
        using var doc = System.Text.Json.JsonDocument.Parse(e.Formatted!);
        var names = doc.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal("event-a", doc.RootElement.GetProperty("A").GetString());
        Assert.Equal("inner-b", doc.RootElement.GetProperty("B").GetString());
        Assert.Equal("inner-c", doc.RootElement.GetProperty("C").GetString());
    }

    [Fact]
    public async Task Bad_input_yields_valid_output_with_the_problem_marked()
    {
        var cyclic = new Node();
        cyclic.Next = cyclic;
        _log.Info("{Bad} {Huge} {Null} {@Cycle} {@Throws}", new ThrowingToString(), new string('x', 100_000), (string?)null, cyclic, new ThrowingGetter());
        var e = await One();
        using var doc = System.Text.Json.JsonDocument.Parse(e.Formatted!);
        var root = doc.RootElement;
        Assert.Equal("<ToString threw NotSupportedException>", root.GetProperty("Bad").GetString());
        Assert.EndsWith("...[truncated 67232 chars]", root.GetProperty("Huge").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, root.GetProperty("Null").ValueKind);
        Assert.Equal("<cycle>", root.GetProperty("Cycle").GetProperty("Next").GetString());
        Assert.Equal("<threw InvalidOperationException>", root.GetProperty("Throws").GetProperty("Value").GetString());
    }

    private sealed class Node { public Node? Next { get; set; } }
    private sealed class ThrowingToString { public override string ToString() => throw new NotSupportedException(); }
    private sealed class ThrowingGetter { public int Value => throw new InvalidOperationException(); }

    [Fact]
    public void Template_parser_caches_and_exposes_tokens()
    {
        var t = MessageTemplate.Parse("User {@User} did {Action:G} {{x}}");
        Assert.Same(t, MessageTemplate.Parse("User {@User} did {Action:G} {{x}}"));
        Assert.Equal(["User", "Action"], t.PropertyNames);
        var holes = t.Tokens.Where(x => x.IsHole).ToArray();
        Assert.True(holes[0].Destructure);
        Assert.Equal("G", holes[1].Format);
        Assert.Equal(" {x}", t.Tokens[^1].Text);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(12)]
    [InlineData(20)]
    public async Task Named_properties_reach_the_event_whether_they_fit_the_ring_parts_or_overflow(int count)
    {
        // Named arguments are stored beside the cells (up to RingBuffer.PartsPerCell) or in a pooled overflow array.
        var props = new LogProperty[count];
        for (int i = 0; i < count; i++) props[i] = new LogProperty("P" + i, LogValue.From(i * 10));
        _log.Write(LogLevel.Warn, null, "First {P0} last {P" + (count - 1) + "}", props, eventId: 7);
        var e = await One();
        Assert.Equal($"First 0 last {(count - 1) * 10}", e.Message);
        for (int i = 0; i < count; i++) Assert.Equal(i * 10, e.Properties["P" + i]);
        // A template call after it on the same cells must not see leftovers of the named one.
        for (int k = 0; k < 3; k++) _log.Info("Plain {A} {B}", k, "x");
        await _pipeline.FlushAsync();
        var plain = _sink.Events.ToArray();
        Assert.Equal(3, plain.Length);
        Assert.All(plain, p => Assert.Equal(2, p.Properties.Count));
    }

    [Fact]
    public async Task An_interpolated_call_with_more_parts_than_fit_beside_the_cell_keeps_every_hole()
    {
        int a = 1, b = 2, c = 3, d = 4, e5 = 5, f = 6, g = 7;
        _log.Info($"{a} {b} {c} {d} {e5} {f} {g} end");
        var e = await One();
        Assert.Equal("1 2 3 4 5 6 7 end", e.Message);
        Assert.Equal(7, e.Properties["g"]);
    }

    [Fact]
    public async Task Interpolated_call_sites_that_share_their_first_and_last_parts_keep_their_own_templates()
    {
        // The writer keys its cache of interpolated shapes on the first and last parts and remembers the
        // last shape it saw: alternating call sites that differ only in between must not borrow each other's.
        int a = 1, b = 2;
        for (int i = 0; i < 3; i++)
        {
            _log.Info($"start {a} left {b} end");
            _log.Info($"start {a} right {b} end");
            _log.Info($"start {a} left {b} end"); // a third site with the first one's literals: the same shape
        }
        await _pipeline.FlushAsync();
        var events = _sink.Events.ToArray();
        Assert.Equal(9, events.Length);
        for (int i = 0; i < 9; i++)
        {
            bool right = i % 3 == 1;
            Assert.Equal(right ? "start 1 right 2 end" : "start 1 left 2 end", events[i].Message);
            Assert.Equal(right ? "start {a} right {b} end" : "start {a} left {b} end", events[i].Template);
        }
    }

    [Fact]
    public async Task A_hole_that_logs_or_throws_leaves_the_capture_buffer_usable()
    {
        int Inner(int x)
        {
            _log.Info($"inner {x}");
            return x * 10;
        }
        static int Boom() => throw new InvalidOperationException("hole failed");

        _log.Info($"outer {Inner(4)} after");
        Assert.Throws<InvalidOperationException>(() => _log.Info($"lost {Boom()}")); // the application's own exception, as without logging
        int n = 7;
        _log.Info($"next {n}");
        await _pipeline.FlushAsync();
        var messages = _sink.Events.Select(e => e.Message).ToList();
        Assert.Equal(["inner 4", "outer 40 after", "next 7"], messages);
    }

    private sealed record Order(int Id, string Customer);

    [Fact]
    public async Task Interpolated_calls_that_match_their_call_sites_shape_render_as_the_first_call_did()
    {
        // The first call of each site is captured as parts and teaches the thread the site's shape; the
        // next ones only match it and pass their values inline. Every call must come out the same.
        int a = 42, b = -7;
        double ms = 12.345;
        string? none = null;
        string odd = "quote \" brace { } \n newline é";
        var order = new Order(9, "ada");
        var when = new DateTime(2026, 11, 26, 8, 0, 0, DateTimeKind.Utc);
        void Sites(int i)
        {
            _log.Info($"plain {a} and {ms:F1} ms for {odd}");
            _log.Info($"{a}{b}"); // no literals
            _log.Info($"literal only {{braces}}");
            _log.Info($"sum {a + b} of {order.Id} and {order.Customer} by {none}");
            _log.Info($"named {a:@Count} and {ms:@Elapsed:F2} at {when}");
            _log.Info($"repeat {a} {a} {a}");
            _log.Info($"six {a} {b} {ms} {odd} {none} {i}"); // as many holes as fit inline
            _log.Info($"seven {a} {b} {ms} {odd} {none} {i} {when}"); // one more: always parts
            _log.Info($"object {order}");
        }
        const int SitesPerRound = 9;
        for (int i = 0; i < 3; i++) Sites(0);
        await _pipeline.FlushAsync();
        var events = _sink.Events.ToArray();
        Assert.Equal(3 * SitesPerRound, events.Length);
        for (int site = 0; site < SitesPerRound; site++)
        {
            var first = events[site];
            for (int round = 1; round < 3; round++)
            {
                var e = events[round * SitesPerRound + site];
                Assert.Equal(first.Template, e.Template);
                Assert.Equal(first.Message, e.Message);
                Assert.Equal(first.Properties, e.Properties);
                string firstLine = first.Formatted!, line = e.Formatted!;
                Assert.Equal(firstLine[firstLine.IndexOf(",\"@l\"", StringComparison.Ordinal)..], line[line.IndexOf(",\"@l\"", StringComparison.Ordinal)..]);
            }
        }
        Assert.Equal("plain 42 and 12.3 ms for " + odd, events[0].Message);
        Assert.Equal(42, events[SitesPerRound + 4].Properties["Count"]);
    }

    [Fact]
    public async Task Interpolated_call_sites_that_differ_only_in_a_format_keep_their_own_formats()
    {
        // Same literal, same expression, same lengths (so the same shape key): only the format differs.
        double x = 1.23456;
        for (int i = 0; i < 3; i++)
        {
            _log.Info($"value {x:F1}");
            _log.Info($"value {x:F3}");
        }
        await _pipeline.FlushAsync();
        Assert.Equal(["value 1.2", "value 1.235", "value 1.2", "value 1.235", "value 1.2", "value 1.235"], _sink.Events.Select(e => e.Message));
    }

    [Fact]
    public async Task Interpolated_calls_with_up_to_six_holes_never_need_the_rings_parts_array()
    {
        // Their values go inline like a template call's, from the first call of each site on; the parts
        // array beside the ring (capacity x 12 parts of 48 bytes: 3 MB for this ring) is made only for
        // calls that need it (here, seven holes).
        // On a fresh thread: shapes are per thread, and another test's call site with the same key on a
        // reused thread would (by design) send the first calls here through the parts.
        int a = 1, b = 2, c = 3, d = 4, e5 = 5, f = 6, g = 7;
        var thread = new Thread(() =>
        {
            for (int i = 0; i < 3; i++)
            {
                _log.Info($"one {a}");
                _log.Info($"three {a} {b} {c}");
                _log.Info($"six {a} {b} {c} {d} {e5} {f}");
                _log.Info($"none");
            }
        });
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(60)));
        await _pipeline.FlushAsync();
        Assert.False(_pipeline.Ring.PartsAllocated);
        Assert.Equal(12, _sink.Events.Count);
        _log.Info($"seven {a}{b}{c}{d}{e5}{f}{g}"); // 8 parts: beside the cell (more than 12 would take a pooled array)
        await _pipeline.FlushAsync();
        Assert.Equal("seven 1234567", _sink.Events.Last().Message);
        Assert.True(_pipeline.Ring.PartsAllocated);
    }

    [Fact]
    public async Task A_hole_that_logs_allocates_nothing_per_call_once_warm()
    {
        // The nested call takes the thread's second capture buffer: no new buffer per call.
        int Inner(int x)
        {
            _log.Info($"inner {x}");
            return x;
        }
        void Burst(int n)
        {
            for (int i = 0; i < n; i++) _log.Info($"outer {Inner(i)} after");
        }
        // All on one thread of its own: capture buffers are per thread, and an await could move the test
        // to a thread that has not made its buffers yet.
        AllocationRounds? allocated = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                // Warm up past tiering and on-stack replacement of the loop (their one-off allocations, ~3.5 KB here).
                for (int i = 0; i < 3; i++)
                {
                    Burst(2000);
                    _pipeline.FlushAsync().GetAwaiter().GetResult();
                }
                // 4,000 events a round: within the ring (8,192), so the calls never wait for the writer.
                allocated = ThreadAllocations.Measure(() => Burst(2000), between: () => _pipeline.FlushAsync().GetAwaiter().GetResult());
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(60)), "the logging thread did not finish");
        Assert.Null(failure);
        await _pipeline.FlushAsync();
        // A new buffer per call would be ~1.5 KB per call; the bound is 0.5 B per call.
        Assert.True(allocated!.Bytes is >= 0 and < 1000, $"allocated on the calling thread for 2,000 calls with a nested call in a hole: {allocated}");
        Assert.Equal(2 * 2000 * (3 + allocated.Rounds.Count), _sink.Events.Count);
    }

    [Fact]
    public async Task Named_arguments_in_template_order_format_like_positional_ones_and_others_bind_by_name()
    {
        const string Template = "Order {OrderId} took {Elapsed:F1} ms for {Customer} ({OrderId})";
        _log.Info(Template, 42, 12.345, "Ada \"A\"");
        _log.Write(LogLevel.Info, null, Template, [new("OrderId", LogValue.From(42)), new("Elapsed", LogValue.From(12.345)), new("Customer", LogValue.From("Ada \"A\""))]);
        _log.Write(LogLevel.Info, null, Template, [new("Customer", LogValue.From("Ada \"A\"")), new("OrderId", LogValue.From(42)), new("Elapsed", LogValue.From(12.345))]);
        _log.Write(LogLevel.Info, null, Template, [new("OrderId", LogValue.From(42)), new("Elapsed", LogValue.From(12.345))]); // a hole left unfilled
        _log.Write(LogLevel.Info, null, Template, [new("OrderId", LogValue.From(42)), new("Elapsed", LogValue.From(12.345)), new("Customer", LogValue.From("Ada")), new("Extra", LogValue.From(true))]);
        await _pipeline.FlushAsync();
        var e = _sink.Events.ToArray();
        Assert.Equal(5, e.Length);
        Assert.Equal("Order 42 took 12.3 ms for Ada \"A\" (42)", e[0].Message);
        // In template order: the same JSON line as the positional call (timestamps aside).
        static string WithoutTime(string line) => System.Text.RegularExpressions.Regex.Replace(line, "\"@t\":\"[^\"]*\"", "");
        Assert.Equal(WithoutTime(e[0].Formatted!), WithoutTime(e[1].Formatted!));
        // Another order binds by name: same message, properties in the order given.
        Assert.Equal(e[0].Message, e[2].Message);
        Assert.Equal(["Customer", "OrderId", "Elapsed"], e[2].Properties.Keys);
        Assert.Equal("Order 42 took 12.3 ms for {Customer} (42)", e[3].Message);
        Assert.Equal("Order 42 took 12.3 ms for Ada (42)", e[4].Message);
        Assert.Equal(true, e[4].Properties["Extra"]);
        foreach (var c in e) System.Text.Json.JsonDocument.Parse(c.Formatted!).Dispose();
    }

    [Fact]
    public async Task Scope_properties_of_another_framework_are_converted_on_the_writer_and_give_way_as_documented()
    {
        // Outermost first, as Microsoft.Extensions.Logging's scopes come: the event's own property wins, an inner scope's
        // value replaces an outer one's in its place, a null key is ignored, a hole the event left unfilled is bound.
        _log.Write(LogLevel.Info, null, "Order {OrderId} for {Customer}", [new("OrderId", LogValue.From(42))],
        [
            new("RequestId", "outer"), new("OrderId", 7), new("UserId", 4711), new("Customer", "from a scope"),
            new("RequestId", "inner"), new(null!, "ignored"), new("When", new DateTime(2026, 11, 27, 3, 4, 5, DateTimeKind.Utc)),
            new("Nothing", null), new("Ratio", 0.5m),
        ], eventId: 9);
        var e = await One();
        Assert.Equal("Order 42 for from a scope", e.Message);
        Assert.Equal(["OrderId", "RequestId", "UserId", "Customer", "When", "Nothing", "Ratio"], e.Properties.Keys);
        Assert.Equal(42, e.Properties["OrderId"]);
        Assert.Equal("inner", e.Properties["RequestId"]);
        Assert.Equal(4711, e.Properties["UserId"]); // a boxed int becomes a number, as LogValue.FromObject makes it
        Assert.Null(e.Properties["Nothing"]);
        // Each name once in the line (the collected Properties would hide a duplicate).
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(e.Formatted!, "\"OrderId\":"));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(e.Formatted!, "\"RequestId\":"));
        Assert.Contains("\"UserId\":4711", e.Formatted);
        Assert.Contains("\"Ratio\":0.5", e.Formatted);
        Assert.Contains("\"When\":\"2026-11-27T03:04:05", e.Formatted);
        Assert.Contains("\"@i\":9", e.Formatted);
        System.Text.Json.JsonDocument.Parse(e.Formatted!).Dispose();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(14)]
    public async Task Values_with_a_names_array_are_the_same_event_as_named_properties_inline_or_not(int scopes)
    {
        // Inline in the cell (as many names as values, at most six) or through the parts (more values, fewer names):
        // each call must give the same line as the LogProperty overload, and a template call after it on the same cells
        // must not see leftovers.
        const string Template = "Order {OrderId} took {Elapsed:F1} ms for {Customer}";
        var pairs = Enumerable.Range(0, scopes).Select(i => new KeyValuePair<string, object?>("S" + i, i)).ToArray();
        string[][] nameSets =
        [
            ["OrderId", "Elapsed", "Customer"],                  // in template order
            ["Customer", "OrderId", "Elapsed"],                  // another order: bound by name
            ["OrderId", "Elapsed", "Customer", "A", "B", "C", "D"], // seven: through the parts
            ["OrderId", "Elapsed"],                              // fewer names than values: the third takes the hole at its position
        ];
        foreach (var names in nameSets)
        {
            var values = names.Select(ValueFor).ToList();
            if (names.Length == 2) values.Add(LogValue.From("Ada"));
            var properties = values.Select((v, i) => new LogProperty(i < names.Length ? names[i] : "Customer", v)).ToArray();
            _log.Write(LogLevel.Info, null, Template, properties, pairs, eventId: 5, eventName: "Shipped");
            _log.Write(LogLevel.Info, null, Template, names, values.ToArray(), pairs, eventId: 5, eventName: "Shipped");
            _log.Info("Plain {A} {B}", 1, "x");
        }
        await _pipeline.FlushAsync();
        var events = _sink.Events.ToArray();
        Assert.Equal(nameSets.Length * 3, events.Length);
        static string WithoutTime(string line) => System.Text.RegularExpressions.Regex.Replace(line, "\"@t\":\"[^\"]*\"", "");
        for (int k = 0; k < nameSets.Length; k++)
        {
            var (expected, actual, plain) = (events[3 * k], events[3 * k + 1], events[3 * k + 2]);
            Assert.Equal(WithoutTime(expected.Formatted!), WithoutTime(actual.Formatted!));
            Assert.Equal("Order 42 took 12.3 ms for Ada", actual.Message);
            Assert.Equal(expected.Properties.Keys, actual.Properties.Keys);
            Assert.Equal(["A", "B"], plain.Properties.Keys);
        }
        if (scopes > 0) Assert.Contains($"\"S{scopes - 1}\":{scopes - 1}", events[1].Formatted);

        static LogValue ValueFor(string name) => name switch
        {
            "OrderId" => LogValue.From(42),
            "Elapsed" => LogValue.From(12.345),
            "Customer" => LogValue.From("Ada"),
            _ => LogValue.From(name.Length),
        };
    }

    [Fact]
    public async Task Values_with_a_names_array_from_call_sites_alternating_on_the_same_cells_keep_their_own_names()
    {
        // The cell keeps the names array like the template (compared before storing); two call sites alternating on
        // the same cells must each keep their own names.
        string[] first = ["A", "B"], second = ["C", "D"];
        for (int i = 0; i < 20; i++)
        {
            _log.Write(LogLevel.Info, null, "{A} {B}", first, [LogValue.From(i), LogValue.From("x" + i)], default);
            _log.Write(LogLevel.Info, null, "{C} {D}", second, [LogValue.From(-i), LogValue.From(i % 2 == 0)], default);
        }
        await _pipeline.FlushAsync();
        var events = _sink.Events.ToArray();
        Assert.Equal(40, events.Length);
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal($"{i} x{i}", events[2 * i].Message);
            Assert.Equal(["A", "B"], events[2 * i].Properties.Keys);
            Assert.Equal(["C", "D"], events[2 * i + 1].Properties.Keys);
            Assert.Equal(i % 2 == 0, events[2 * i + 1].Properties["D"]);
        }
    }

    [Fact]
    public async Task A_scope_snapshot_lands_as_its_pairs_would_whether_the_cell_takes_it_by_reference_or_copies_it()
    {
        var snapshot = new ScopePropertySnapshot([new("RequestId", "r-1"), new("A", 99), new(null!, 5), new("Tenant", "acme"), new("Tenant", "globex")]);
        Assert.Equal(5, snapshot.Count);
        Assert.Equal(new KeyValuePair<string, object?>("A", 99), snapshot[1]);
        string[] two = ["A", "B"];
        string[] seven = ["A", "B", "C", "D", "E", "F", "G"];
        LogValue[] sevenValues = [.. Enumerable.Range(1, 7).Select(i => LogValue.From(i))];
        for (int i = 0; i < 3; i++)
        {
            // By reference (two inline values), copied (seven values: not inline), and without pairs.
            _log.WriteInScopes(LogLevel.Info, null, "{A} {B}", two, [LogValue.From(i), LogValue.From("x")], snapshot, 12, "Named");
            _log.WriteInScopes(LogLevel.Info, null, "{A} {B} {C}", seven, sevenValues, snapshot);
            _log.WriteInScopes(LogLevel.Info, null, "{A} {B}", two, [LogValue.From(i), LogValue.From("y")], new ScopePropertySnapshot([]));
            _log.WriteInScopes(LogLevel.Info, null, "{A} {B}", two, [LogValue.From(i), LogValue.From("z")], null!);
        }
        await _pipeline.FlushAsync();
        var events = _sink.Events.ToArray();
        Assert.Equal(12, events.Length);
        for (int i = 0; i < 3; i++)
        {
            // The event's own A wins over the scope's; a null key is ignored; the later Tenant replaces the earlier in its place.
            var byReference = events[4 * i];
            Assert.Equal(["A", "B", "RequestId", "Tenant"], byReference.Properties.Keys);
            Assert.Equal(i, byReference.Properties["A"]);
            Assert.Equal("r-1", byReference.Properties["RequestId"]);
            Assert.Equal("globex", byReference.Properties["Tenant"]);
            Assert.Contains("\"@i\":12", byReference.Formatted);
            var copied = events[4 * i + 1];
            Assert.Equal(["A", "B", "C", "D", "E", "F", "G", "RequestId", "Tenant"], copied.Properties.Keys);
            Assert.Equal(1, copied.Properties["A"]);
            Assert.Equal("globex", copied.Properties["Tenant"]);
            Assert.Equal(["A", "B"], events[4 * i + 2].Properties.Keys);
            Assert.Equal(["A", "B"], events[4 * i + 3].Properties.Keys);
        }
    }

    [Fact]
    public async Task Scope_pairs_land_by_the_same_rules_when_scope_sets_and_own_names_change_from_event_to_event()
    {
        // The writer keeps one resolution per template (checked by reference) and resolves other events directly:
        // scope sets and own names alternating, repeating and changing for good must all land by the same rules.
        LogProperty[][] owns =
        [
            [new("A", LogValue.From(1))],
            [new("A", LogValue.From(1)), new("B", LogValue.From(2))],
            [new("B", LogValue.From(2)), new("A", LogValue.From(1))],
            [new("A", LogValue.From(1)), new("T", LogValue.From(3))], // as many names as the one before, one of them a scope's
        ];
        KeyValuePair<string, object?>[][] scopeSets =
        [
            [new("S1", 10), new("S2", 20), new("S1", 30)],
            [new("A", 40), new("B", 50), new("T", 60)],
            [new(null!, 70), new("T", 80), new("S2", 90), new("T", 100)],
            [],
            [new("S1", 110), new("S2", 120), new("S3", 130), new("S1", 140), new("B", 150)],
        ];
        var random = new Random(18);
        var expected = new List<List<(string Name, object? Value)>>();
        for (int i = 0; i < 300; i++)
        {
            // Runs of one choice (a plan is made again after eight misses in a row) between stretches of alternation.
            int own = i % 60 < 30 ? (i / 60) % owns.Length : random.Next(owns.Length);
            int set = i % 60 < 30 ? (i / 30) % scopeSets.Length : random.Next(scopeSets.Length);
            _log.Write(LogLevel.Info, null, "Event {A} {B}", owns[own], scopeSets[set]);
            var model = owns[own].Select(p => (p.Name, (object?)p.Value.ToObject())).ToList();
            int ownCount = model.Count;
            foreach (var (key, value) in scopeSets[set])
            {
                if (key is null || model.Take(ownCount).Any(m => m.Name == key)) continue;
                int at = model.FindIndex(ownCount, m => m.Name == key);
                if (at >= 0) model[at] = (key, value);
                else model.Add((key, value));
            }
            expected.Add(model);
        }
        await _pipeline.FlushAsync();
        var events = _sink.Events.ToArray();
        Assert.Equal(expected.Count, events.Length);
        for (int i = 0; i < events.Length; i++)
        {
            Assert.Equal(expected[i].Select(m => m.Name), events[i].Properties.Keys);
            Assert.Equal(expected[i].Select(m => m.Value), events[i].Properties.Values);
            var counts = new Dictionary<string, int>();
            using var json = System.Text.Json.JsonDocument.Parse(events[i].Formatted!);
            foreach (var property in json.RootElement.EnumerateObject()) counts[property.Name] = counts.GetValueOrDefault(property.Name) + 1;
            Assert.All(counts, c => Assert.Equal(1, c.Value));
            Assert.Equal($"Event {expected[i].First(m => m.Name == "A").Value} {expected[i].FirstOrDefault(m => m.Name == "B").Value ?? "{B}"}", events[i].Message);
        }
    }

    [Fact]
    public async Task A_template_gets_a_scope_plan_on_its_second_event_with_scope_pairs_not_its_first()
    {
        // Templates made per event (a message built at run time) must not cost the writer a plan each.
        string text = "Made at run time " + Guid.NewGuid().ToString("N") + " {A}";
        KeyValuePair<string, object?>[] pairs = [new("RequestId", "r1"), new("UserId", 7)];
        _log.Write(LogLevel.Info, null, text, [new LogProperty("A", LogValue.From(1))], pairs);
        await _pipeline.FlushAsync();
        var template = MessageTemplate.Parse(text);
        Assert.IsNotType<StructuredLog.Pipeline.ScopePlan>(template.ScopePlan);
        _log.Write(LogLevel.Info, null, text, [new LogProperty("A", LogValue.From(2))], pairs);
        await _pipeline.FlushAsync();
        Assert.IsType<StructuredLog.Pipeline.ScopePlan>(template.ScopePlan);
        var events = _sink.Events.ToArray();
        Assert.Equal(2, events.Length);
        Assert.All(events, e => Assert.Equal(["A", "RequestId", "UserId"], e.Properties.Keys));
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(3, 9)]
    [InlineData(3, 20)]
    public async Task Scope_properties_reach_the_event_whether_they_fit_the_ring_parts_or_overflow_and_are_redacted(int own, int scopes)
    {
        var props = new LogProperty[own];
        for (int i = 0; i < own; i++) props[i] = new LogProperty("P" + i, LogValue.From(i));
        var pairs = new KeyValuePair<string, object?>[scopes];
        for (int i = 0; i < scopes; i++) pairs[i] = new("S" + i, i * 10);
        pairs[^1] = new("ApiToken", "secret-value"); // a sensitive name (the default redaction words) from a scope
        _log.Write(LogLevel.Info, null, "Event", props, pairs);
        var e = await One();
        Assert.Equal(own + scopes, e.Properties.Count);
        for (int i = 0; i < own; i++) Assert.Equal(i, e.Properties["P" + i]);
        for (int i = 0; i < scopes - 1; i++) Assert.Equal(i * 10, e.Properties["S" + i]);
        Assert.Equal(StructuredLog.Filtering.Redactor.Mask, e.Properties["ApiToken"]);
        Assert.DoesNotContain("secret-value", e.Formatted);
        // A template call after it on the same cells must not see leftovers of the scope properties.
        _log.Info("Plain {A}", 1);
        e = await One();
        Assert.Equal(["A"], e.Properties.Keys);
    }

    [Fact]
    public async Task Interpolated_call_sites_with_the_same_literals_keep_their_own_holes_formats_and_values()
    {
        int orderId = 7, count = 3;
        double elapsed = 1.25;
        for (int i = 0; i < 3; i++)
        {
            _log.Info($"Order {orderId} took {elapsed} ms");
            _log.Info($"Order {count} took {elapsed:F3} ms");
            _log.Info($"Order {orderId + i} took {elapsed} ms");
        }
        await _pipeline.FlushAsync();
        var e = _sink.Events.ToArray();
        Assert.Equal(9, e.Length);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("Order {orderId} took {elapsed} ms", e[3 * i].Template);
            Assert.Equal(7, e[3 * i].Properties["orderId"]);
            Assert.Equal("Order {count} took {elapsed:F3} ms", e[3 * i + 1].Template);
            Assert.Equal("Order 3 took 1.250 ms", e[3 * i + 1].Message);
            Assert.Equal("Order {arg0} took {elapsed} ms", e[3 * i + 2].Template);
            Assert.Equal(7 + i, e[3 * i + 2].Properties["arg0"]);
        }
    }

    [Fact]
    public async Task Interpolated_templates_are_right_from_many_threads_and_with_literals_built_at_run_time()
    {
        const int Threads = 4, Calls = 1500; // 6,000 call sites made of run-time strings, from four threads at once
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            for (int i = 0; i < Calls; i++)
            {
                // A handler fed strings built at run time: every call is a new template (the template cache must not confuse them).
                var handler = new InfoInterpolatedStringHandler(8, 1, _log, out bool enabled);
                Assert.True(enabled);
                handler.AppendLiteral("t" + t + " i" + (i % 70) + " ");
                handler.AppendFormatted(i, "v" + (i % 3));
                _log.Info(ref handler);
                int password = i; // redacted by name
                _log.Info($"thread {t} call {i} secret {password}");
            }
        })).ToArray();
        foreach (var th in threads) th.Start();
        foreach (var th in threads) th.Join();
        await _pipeline.FlushAsync();
        var e = _sink.Events.ToArray();
        Assert.Equal(Threads * Calls * 2, e.Length);
        foreach (var c in e.Where(c => c.Template.StartsWith("thread ")))
        {
            Assert.Equal("thread {t} call {i} secret {password}", c.Template);
            Assert.Equal("***", c.Properties["password"]);
            Assert.EndsWith(" secret ***", c.Message);
        }
        var dynamic = e.Where(c => !c.Template.StartsWith("thread ")).ToArray();
        Assert.Equal(Threads * Calls, dynamic.Length);
        foreach (var c in dynamic)
        {
            var (name, value) = Assert.Single(c.Properties);
            int i = (int)value!;
            Assert.Equal("v" + i % 3, name); // the hole's name came with this call's strings, not another call's
            Assert.Matches("^t[0-3] i" + i % 70 + " " + i + "$", c.Message);
        }
    }

    [Fact]
    public async Task A_handler_used_by_hand_on_a_disabled_level_or_default_records_nothing_and_never_throws()
    {
        var sink = new CollectingSink(JsonFormatter.Default);
        await using (var pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Warn).WriteTo(sink).FlushOnProcessExit(false).Build())
        {
            var log = pipeline.GetLogger("ByHand");
            var handler = new InfoInterpolatedStringHandler(5, 1, log, out bool enabled);
            Assert.False(enabled);
            Assert.True(handler.AppendLiteral("x "));
            Assert.True(handler.AppendFormatted(1));
            log.Info(ref handler);
            var empty = default(WarnInterpolatedStringHandler);
            Assert.True(empty.AppendLiteral("y"));
            Assert.True(empty.AppendFormatted(2, "F1"));
            log.Warn(ref empty);
            log.Warn($"kept {3}");
        }
        Assert.Equal(["kept 3"], sink.Events.Select(e => e.Message));
    }
}
