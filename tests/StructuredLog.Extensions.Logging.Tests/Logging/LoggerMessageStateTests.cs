using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StructuredLog.Events;
using StructuredLog.Extensions.Logging.Tests.Support;
using StructuredLog.TestSupport.Allocations;
using MelLevel = Microsoft.Extensions.Logging.LogLevel;

namespace StructuredLog.Extensions.Logging.Tests.Logging;

/// <summary>
/// The states of <c>LoggerMessage.Define</c> (what <c>[LoggerMessage]</c> methods of up to six parameters
/// create) are read field by field instead of through MEL's boxing indexer. Every state is read both ways
/// here and must give the same template and the same properties (names, destructuring, kinds, values);
/// a call through the provider must allocate nothing on the calling thread.
/// </summary>
public sealed class LoggerMessageStateTests
{
    public enum Color { Red = 1, Minus = -5 }

    public readonly record struct Point(int X, int Y);

    private static readonly EventId Id = new(5, "Shape");
    private static readonly Action<ILogger, int, Exception?> s_one = LoggerMessage.Define<int>(MelLevel.Information, Id, "One {A}");
    private static readonly Action<ILogger, string?, double, Exception?> s_two = LoggerMessage.Define<string?, double>(MelLevel.Information, Id, "Two {Name} {Value:F2}");
    private static readonly Action<ILogger, int, string, double, Exception?> s_three = LoggerMessage.Define<int, string, double>(MelLevel.Information, Id, "Order {OrderId} for {Customer} in {Elapsed} ms");
    // Same argument types as s_three, other names: the two call sites share one reader and must not share names.
    private static readonly Action<ILogger, int, string, double, Exception?> s_threeOther = LoggerMessage.Define<int, string, double>(MelLevel.Information, Id, "Item {Sku} of {Owner} weighs {Kg}");
    private static readonly Action<ILogger, int?, Color, decimal, Guid, Exception?> s_four = LoggerMessage.Define<int?, Color, decimal, Guid>(MelLevel.Information, Id, "Four {N} {C} {M} {G}");
    private static readonly Action<ILogger, DateTime, DateTimeOffset, TimeSpan, char, bool, Exception?> s_five = LoggerMessage.Define<DateTime, DateTimeOffset, TimeSpan, char, bool>(MelLevel.Information, Id, "Five {T} {O} {S} {Ch} {B}");
    private static readonly Action<ILogger, Point, Order?, float, long, byte[]?, object?, Exception?> s_six = LoggerMessage.Define<Point, Order?, float, long, byte[]?, object?>(MelLevel.Information, Id, "Six {@P} {@Order} {$F} {L} {Bytes} {Obj}");

    [Fact]
    public void Every_LoggerMessage_Define_state_reads_the_same_typed_as_through_the_list()
    {
        var logger = new ComparingLogger();
        var when = new DateTime(2026, 11, 26, 17, 0, 0, DateTimeKind.Utc);
        var order = new Order(7, "Ada");
        for (int round = 0; round < 3; round++)
        {
            s_one(logger, -42, null);
            s_two(logger, "Grace", double.NaN, null);
            s_two(logger, null, 2.5, null);
            s_three(logger, 1234, "Ada", 12.5, null);
            s_threeOther(logger, 99, "Bob", 0.1, null);
            s_three(logger, 5, "Eve \"quoted\"\n", -0.0, null);
            s_four(logger, null, Color.Minus, 1.5m, Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), null);
            s_four(logger, 3, Color.Red, -7m, Guid.Empty, null);
            s_five(logger, when, new DateTimeOffset(when).ToOffset(TimeSpan.FromHours(2)), TimeSpan.FromMilliseconds(1500), 'x', true, null);
            s_six(logger, new Point(1, 2), order, 1.25f, long.MinValue, [1, 2, 3], null, null);
            s_six(logger, default, null, float.PositiveInfinity, 0, null, order, null);
        }
        Assert.Empty(logger.Failures);
        Assert.Equal(33, logger.Compared);
        Assert.Equal(6, logger.TypedStateTypes.Count); // one LogValues<...> type per Define signature above, each read typed
    }

    [Fact]
    public void Every_LogInformation_state_reads_the_same_from_its_values_as_through_the_list()
    {
        // The LogInformation(...) extensions' state (FormattedLogValues) is read from its values array with the call
        // site's names and template; anything it cannot hold (no formatter, more than six values) goes through the list.
        var logger = new ComparingLogger();
        var order = new Order(7, "Ada");
        for (int round = 0; round < 3; round++)
        {
            logger.LogInformation("One {A}", -42);
            logger.LogInformation("Two {Name} {Value:F2}", "Grace", double.NaN);
            logger.LogInformation("Two {Name} {Value:F2}", null, 2.5);
            logger.LogInformation("Order {OrderId} for {Customer} in {Elapsed} ms", 1234, "Ada \"quoted\"\n", 12.5);
            logger.LogInformation("Item {Sku} of {Owner} weighs {Kg}", 99, "Bob", 0.1); // as many values, other names
            logger.LogInformation("Four {N} {C} {M} {G}", (int?)null, Color.Minus, 1.5m, Guid.Empty);
            logger.LogInformation("Six {@P} {@Order} {$F} {L} {Bytes} {Obj}", new Point(1, 2), order, 1.25f, long.MinValue, new byte[] { 1, 2, 3 }, null);
            logger.LogInformation("Twice {A} and {A}", 1, 2);
            logger.LogInformation("Braces {{literal}} {A}", 5);
#pragma warning disable CA2017 // deliberately more values than holes: MEL keeps the holes' values only
            logger.LogInformation("More values than holes {A}", 1, 2, 3);
            logger.LogInformation("No holes but a value", 1);
#pragma warning restore CA2017
            logger.LogWarning(new InvalidOperationException("boom"), "With an exception {Code}", 500);
            logger.LogInformation("Seven {A} {B} {C} {D} {E} {F} {G}", 1, 2, 3, 4, 5, 6, 7); // more than six: the list
            logger.LogInformation("No holes at all"); // no formatter: the list
        }
        Assert.Empty(logger.Failures);
        Assert.Equal(14 * 3, logger.Compared);
        Assert.Equal(12 * 3, logger.ReadFromValues);
    }

    [Fact]
    public void LogInformation_call_sites_beyond_the_cap_are_read_through_the_list_and_not_kept()
    {
        // Templates built per call (an interpolated string passed as the template) give MEL a new formatter each
        // time once its own cache is full: the reader keeps at most 1,024 call sites and reads the others as a list.
        var logger = new FreshReaderLogger();
        for (int i = 0; i < 1_500; i++) logger.LogInformation("Built per call " + i + " {A}", i);
        Assert.Equal(1_024, logger.ShapeCount);
        Assert.Equal(1_024, logger.ReadFromValues);
        Assert.Empty(logger.Failures);
    }

    [Fact]
    public void Prefixed_names_made_per_call_are_stripped_without_growing_the_cache_without_bound()
    {
        // A cache of its own: filling the process-wide one would make other tests' names new strings per call.
        var names = new StateCapture.StrippedNames(16);
        string first = names.Strip("@First");
        for (int i = 0; i < 100; i++) Assert.Equal("PerCall" + i, names.Strip("$PerCall" + i));
        Assert.Equal(16, names.Count);
        Assert.Same(first, names.Strip("@First")); // kept: one string per key
        Assert.Equal("Late", names.Strip("@Late")); // past the cap: stripped, not kept
        Assert.Equal(16, names.Count);
        Assert.Equal(("Order", true), StateCapture.PropertyName("@Order"));
        Assert.Equal(("F", false), StateCapture.PropertyName("$F"));
        Assert.Equal(("@", false), StateCapture.PropertyName("@"));
    }

    [Fact]
    public async Task A_LogInformation_call_with_fewer_values_than_holes_still_yields_a_marked_event()
    {
        await using var host = new LoggingHost();
        var logger = host.Factory.CreateLogger("T");
#pragma warning disable CA2017 // deliberately fewer values than holes
        logger.LogInformation("Two holes {A} {B}", 1); // MEL's list throws for the missing value
#pragma warning restore CA2017
        var e = Assert.Single(await host.FlushAsync());
        Assert.Contains("state could not be captured", e.Message);
        Assert.Contains("IndexOutOfRangeException", e.Properties["StateError"].AsString);
    }

    [Fact]
    public async Task A_LoggerMessage_call_through_the_provider_allocates_nothing_on_the_calling_thread()
    {
        await using var host = new LoggingHost();
        var logger = host.Factory.CreateLogger("Shop.Orders");
        // Rounds of 1,000 calls until one allocates nothing (the first rounds may still run unoptimised code,
        // which allocates in places optimised code does not), then three more that must allocate nothing.
        // Before the typed reading every round allocated 48,000 bytes (an int and a double boxed per call).
        var rounds = new List<long>();
        int calls = 0;
        long Round()
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1_000; i++) LoggerMessages.OrderShipped(logger, calls + i, "Ada", (calls + i) * 0.25);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            calls += 1_000;
            rounds.Add(allocated);
            return allocated;
        }
        for (int warm = 0; warm < 20 && Round() != 0; warm++)
        {
            await host.FlushAsync();
            await Task.Delay(50); // lets tiered compilation install the optimised code
        }
        Assert.True(rounds[^1] == 0, "never reached 0 bytes a round: " + string.Join(", ", rounds));
        // Three more, each measured as ThreadAllocations does (a background GC can raise the counter once
        // without an allocation; an allocation per call shows in every round).
        for (int i = 0; i < 3; i++)
        {
            var measured = ThreadAllocations.Measure(() =>
            {
                for (int j = 0; j < 1_000; j++) LoggerMessages.OrderShipped(logger, calls + j, "Ada", (calls + j) * 0.25);
                calls += 1_000;
            });
            Assert.True(measured.Bytes == 0, "allocated: " + measured);
        }

        var events = await host.FlushAsync();
        Assert.Equal(calls, events.Count);
        var last = events[^1];
        Assert.Equal(calls - 1, last.Properties["OrderId"].ToObject());
        Assert.Equal((calls - 1) * 0.25, last.Properties["Elapsed"].ToObject());
        Assert.Equal(FormattableString.Invariant($"Order {calls - 1} shipped to Ada in {(calls - 1) * 0.25:F1} ms"), last.Message);
    }

    [Fact]
    public async Task A_call_inside_scopes_through_the_provider_allocates_nothing_on_the_calling_thread()
    {
        // The scopes an ASP.NET Core request has (lists of pairs: MEL's activity scope, the hosting scope), a dictionary,
        // a template scope and a text scope: their properties are read by index or through a struct enumerator (an
        // enumerator through the interface was 176 B a call for these).
        await using var host = new LoggingHost(logging: b => b.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId));
        var logger = host.Factory.CreateLogger("Shop.Orders");
        using var activity = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();
        using var list = logger.BeginScope(new List<KeyValuePair<string, object?>> { new("RequestId", "r-1"), new("@Route", "/orders") });
        using var dictionary = logger.BeginScope(new Dictionary<string, object?> { ["Tenant"] = "acme", ["Attempt"] = 2 });
        using var formatted = logger.BeginScope("Order {OrderId} of {Basket}", 42, "b-7");
        using var text = logger.BeginScope("plain text");
        int calls = 0;
        void Calls()
        {
            for (int i = 0; i < 1_000; i++) LoggerMessages.OrderShipped(logger, calls + i, "Ada", 0.5);
            calls += 1_000;
        }
        var rounds = new List<long>();
        for (int warm = 0; warm < 20 && (rounds.Count == 0 || rounds[^1] != 0); warm++)
        {
            rounds.Add(ThreadAllocations.Measure(Calls, attempts: 1).Bytes);
            await host.FlushAsync();
            await Task.Delay(50); // lets tiered compilation install the optimised code
        }
        Assert.True(rounds[^1] == 0, "never reached 0 bytes a round: " + string.Join(", ", rounds));
        for (int i = 0; i < 3; i++)
        {
            var measured = ThreadAllocations.Measure(Calls);
            Assert.True(measured.Bytes == 0, "allocated: " + measured);
        }

        var events = await host.FlushAsync();
        Assert.Equal(calls, events.Count);
        var last = events[^1].Properties;
        Assert.Equal(calls - 1, last["OrderId"].ToObject()); // the event's own property wins over the scope's
        Assert.Equal("r-1", last["RequestId"].AsString);
        Assert.Equal("/orders", last["Route"].AsString);
        Assert.Equal("acme", last["Tenant"].AsString);
        Assert.Equal(2, last["Attempt"].ToObject());
        Assert.Equal("b-7", last["Basket"].AsString);
        Assert.Equal(activity.TraceId.ToHexString(), last["TraceId"].AsString);
        Assert.Equal(activity.SpanId.ToHexString(), last["SpanId"].AsString);
        Assert.Equal("plain text", last["Scope"].AsString);
    }

    [Fact]
    public async Task Scopes_still_reach_the_event_and_a_throwing_scope_provider_does_not_lose_it()
    {
        await using var host = new LoggingHost();
        var logger = host.Factory.CreateLogger("Shop.Orders");
        using (logger.BeginScope(new Dictionary<string, object?> { ["RequestId"] = "r-1" }))
        {
            LoggerMessages.OrderShipped(logger, 1, "Ada", 0.5); // a scope is active: the buffer path gathers it
        }
        LoggerMessages.OrderShipped(logger, 2, "Bob", 1.5); // none: written from the stack

        var provider = host.Services.GetServices<ILoggerProvider>().OfType<StructuredLogLoggerProvider>().Single();
        provider.SetScopeProvider(new ThrowingScopes());
        LoggerMessages.OrderShipped(provider.CreateLogger("Shop.Orders"), 3, "Cy", 2.5);

        var events = await host.FlushAsync();
        Assert.Equal(3, events.Count);
        Assert.Equal("r-1", events[0].Properties["RequestId"].AsString);
        Assert.False(events[1].Properties.ContainsKey("RequestId"));
        Assert.Equal(2, events[1].Properties["OrderId"].ToObject());
        Assert.Equal(3, events[2].Properties["OrderId"].ToObject());
        Assert.Contains("scope could not be read", events[2].Properties["Scope"].AsString);
    }

    private sealed class ThrowingScopes : IExternalScopeProvider
    {
        public void ForEachScope<TState>(Action<object?, TState> callback, TState state) => throw new InvalidOperationException("broken scopes");

        public IDisposable Push(object? state) => throw new InvalidOperationException("broken scopes");
    }

    /// <summary>
    /// An <see cref="ILogger"/> with a reader of its own (not the process-wide one other tests fill), which checks every
    /// state it reads from its values against the list.
    /// </summary>
    private sealed class FreshReaderLogger : ILogger
    {
        private object? _reader;

        public List<string> Failures { get; } = [];
        public int ReadFromValues { get; private set; }
        public int ShapeCount { get; private set; }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(MelLevel logLevel) => true;

        public void Log<TState>(MelLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var reader = (LoggerMessageState.Reader<TState>)(_reader ??= LoggerMessageState.TryCreate<TState>((in TState _, PropertyBuffer _) => null)
                ?? throw new InvalidOperationException(typeof(TState) + " has no reader"));
            var values = new StateValues();
            if (reader.TryRead(in state, values, out string? template, out string[]? names))
            {
                ReadFromValues++;
                var list = (IReadOnlyList<KeyValuePair<string, object?>>)state!;
                if (template != (string?)list[^1].Value) Failures.Add($"template {template}");
                if (names.Length != list.Count - 1) Failures.Add($"{template}: {names.Length} properties");
                for (int i = 0; i < names.Length; i++)
                {
                    if (names[i] != list[i].Key || !Equals(values[i].ToObject(), list[i].Value)) Failures.Add($"{template} #{i}");
                }
            }
            ShapeCount = reader.ShapeCount;
        }
    }

    /// <summary>An <see cref="ILogger"/> that reads each state both ways and records every difference.</summary>
    private sealed class ComparingLogger : ILogger
    {
        public List<string> Failures { get; } = [];
        public HashSet<Type> TypedStateTypes { get; } = [];
        public int Compared { get; private set; }
        public int ReadFromValues { get; private set; }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(MelLevel logLevel) => true;

        public void Log<TState>(MelLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (StateCapture.ReadsTyped<TState>()) TypedStateTypes.Add(typeof(TState));
            else Failures.Add(typeof(TState) + " is not read typed");
            var probe = new StateValues();
            bool fromValues = StateCapture.Typed<TState>()?.TryRead(in state, probe, out _, out _) == true;
            if (fromValues) ReadFromValues++;
            var typed = PropertyBuffer.Rent();
            var listed = PropertyBuffer.Rent();
            try
            {
                string? typedTemplate = StateCapture.Read(in state, typed);
                var list = (IReadOnlyList<KeyValuePair<string, object?>>)state!;
                string? listTemplate = StateCapture.ReadList(in list, listed);
                Compare(typedTemplate, listTemplate, typed.Span, listed.Span, fromValues);
                Compared++;
            }
            finally
            {
                typed.Return();
                listed.Return();
            }
        }

        private void Compare(string? typedTemplate, string? listTemplate, ReadOnlySpan<LogProperty> typed, ReadOnlySpan<LogProperty> listed, bool fromValues)
        {
            if (typedTemplate != listTemplate) Failures.Add($"template {typedTemplate} / {listTemplate}");
            if (typed.Length != listed.Length)
            {
                Failures.Add($"{listTemplate}: {typed.Length} properties / {listed.Length}");
                return;
            }
            for (int i = 0; i < typed.Length; i++)
            {
                var (a, b) = (typed[i], listed[i]);
                string what = $"{listTemplate} #{i}";
                if (a.Name != b.Name) Failures.Add($"{what}: name {a.Name} / {b.Name}");
                // The typed reading names a hole with the parsed template's own string, which the writer matches by reference.
                var holes = MessageTemplate.Parse(listTemplate ?? "").PropertyNames;
                if (fromValues && holes.Contains(a.Name) && !holes.Any(h => ReferenceEquals(h, a.Name))) Failures.Add($"{what}: name {a.Name} is not the template's string");
                if (a.Destructure != b.Destructure) Failures.Add($"{what}: destructure {a.Destructure} / {b.Destructure}");
                if (a.Format != b.Format) Failures.Add($"{what}: format {a.Format} / {b.Format}");
                if (a.Value.Kind != b.Value.Kind) Failures.Add($"{what}: kind {a.Value.Kind} / {b.Value.Kind}");
                else if (!Equals(a.Value.ToObject(), b.Value.ToObject())) Failures.Add($"{what}: value {a.Value.ToObject()} / {b.Value.ToObject()}");
            }
        }
    }
}
