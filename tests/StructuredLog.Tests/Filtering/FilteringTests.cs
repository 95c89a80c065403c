using StructuredLog.Events;
using StructuredLog.Filtering;
using StructuredLog.Tests.Support;

namespace StructuredLog.Tests.Filtering;

public sealed class FilteringTests
{
    private static async Task<Captured[]> Run(Action<LogPipelineBuilder> configure, Action<LogPipeline> log)
    {
        var sink = new CollectingSink();
        var builder = new LogPipelineBuilder().MinimumLevel(LogLevel.Trace).WriteTo(sink).FlushOnProcessExit(false);
        configure(builder);
        await using (var pipeline = builder.Build()) log(pipeline);
        return sink.Events.ToArray();
    }

    [Fact]
    public async Task Category_overrides_use_the_longest_matching_prefix()
    {
        var events = await Run(b => b.MinimumLevel(LogLevel.Info).Override("Microsoft", LogLevel.Warn).Override("Microsoft.Hosting", LogLevel.Debug), p =>
        {
            p.GetLogger("Microsoft.AspNetCore").Info("hidden");
            p.GetLogger("Microsoft.AspNetCore").Warn("shown 1");
            p.GetLogger("Microsoft.Hosting.Lifetime").Debug("shown 2");
            p.GetLogger("MicrosoftX").Info("shown 3");
            p.GetLogger("App").Debug("hidden");
        });
        Assert.Equal(["shown 1", "shown 2", "shown 3"], events.Select(e => e.Message));
    }

    [Fact]
    public async Task Minimum_levels_can_change_at_run_time()
    {
        var events = await Run(b => b.MinimumLevel(LogLevel.Warn), p =>
        {
            var log = p.GetLogger("A.B");
            log.Info("before");
            p.SetMinimumLevel(LogLevel.Warn, new Dictionary<string, LogLevel> { ["A"] = LogLevel.Debug });
            log.Info("after");
        });
        Assert.Equal(["after"], events.Select(e => e.Message));
    }

    [Fact]
    public async Task Sensitive_properties_are_redacted_in_events_and_scopes()
    {
        var events = await Run(b => b.Redact("ssn"), p =>
        {
            var log = p.GetLogger("Auth");
            using (log.BeginScope("AccessToken", "abc"))
                log.Info("login {User} {Password} {CustomerSsn} {Count}", "bob", "hunter2", "123-45", 3);
        });
        var e = Assert.Single(events);
        Assert.Equal("bob", e.Properties["User"]);
        Assert.Equal("***", e.Properties["Password"]);
        Assert.Equal("***", e.Properties["CustomerSsn"]);
        Assert.Equal("***", e.Properties["AccessToken"]);
        Assert.Equal(3, e.Properties["Count"]);
        Assert.DoesNotContain("hunter2", e.Message);
    }

    [Fact]
    public async Task Named_arguments_are_redacted_by_name_in_or_out_of_the_template_and_in_any_order()
    {
        var events = await Run(b => b.Redact("ssn"), p =>
        {
            var log = p.GetLogger("Auth");
            log.Write(LogLevel.Info, null, "login {User} {Password}",
                [new("User", LogValue.From("bob")), new("Password", LogValue.From("hunter2")), new("ApiKey", LogValue.From("k-1")), new("Count", LogValue.From(3))]);
            log.Write(LogLevel.Info, null, "login {User} {Password}",
                [new("CustomerSsn", LogValue.From("123-45")), new("Password", LogValue.From("hunter3")), new("User", LogValue.From("amy"))]);
            log.Info("extra {User}", "cy", "beyond the template"); // positional beyond the template: named Arg1-style, not sensitive
        });
        Assert.Equal(3, events.Length);
        Assert.Equal("bob", events[0].Properties["User"]);
        Assert.Equal("***", events[0].Properties["Password"]);
        Assert.Equal("***", events[0].Properties["ApiKey"]);
        Assert.Equal(3, events[0].Properties["Count"]);
        Assert.Equal("amy", events[1].Properties["User"]);
        Assert.Equal("***", events[1].Properties["Password"]);
        Assert.Equal("***", events[1].Properties["CustomerSsn"]);
        Assert.DoesNotContain("hunter", events[0].Message + events[1].Message);
        Assert.Contains("beyond the template", events[2].Properties.Values);
    }

    [Fact]
    public async Task One_in_n_sampling_keeps_exactly_every_nth_event_per_template()
    {
        LogPipeline? pipeline = null;
        var events = await Run(b => b.Sample(SamplingRule.OneIn(10, LogLevel.Info)), p =>
        {
            pipeline = p;
            var log = p.GetLogger("S");
            for (int i = 0; i < 100; i++) { log.Info("a {I}", i); log.Info("b {I}", i); }
            log.Error("errors are never sampled {I}", 1);
        });
        Assert.Equal(10, events.Count(e => e.Template == "a {I}"));
        Assert.Equal(10, events.Count(e => e.Template == "b {I}"));
        Assert.Equal([0, 10, 20, 30, 40, 50, 60, 70, 80, 90], events.Where(e => e.Template == "a {I}").Select(e => (int)e.Properties["I"]!));
        Assert.Single(events, e => e.Level == LogLevel.Error);
        Assert.Equal(180, pipeline!.GetDroppedCount(DropReason.Sampled));
    }

    [Fact]
    public async Task Probabilistic_sampling_keeps_about_the_given_fraction()
    {
        var events = await Run(b => b.Sample(SamplingRule.WithProbability(0.25)), p =>
        {
            var log = p.GetLogger("S");
            for (int i = 0; i < 20_000; i++) log.Info("p {I}", i);
        });
        // 20,000 trials at p = 0.25: mean 5,000, sd ~61; 8 sd either way.
        Assert.InRange(events.Length, 5_000 - 490, 5_000 + 490);
    }

    [Fact]
    public async Task Rate_limit_suppresses_bursts_and_writes_a_summary()
    {
        var events = await Run(b => b.RateLimitPerTemplate(eventsPerSecond: 0.001, burst: 5), p =>
        {
            var log = p.GetLogger("R");
            for (int i = 0; i < 50; i++) log.Warn("disk almost full {I}", i);
            log.Info("other template");
        });
        Assert.Equal(5, events.Count(e => e.Template == "disk almost full {I}"));
        var summary = Assert.Single(events, e => e.Template.StartsWith("Suppressed"));
        Assert.Equal(45L, summary.Properties["SuppressedCount"]);
        Assert.Equal("disk almost full {I}", summary.Properties["Template"]);
        Assert.Equal(LogLevel.Warn, summary.Level);
        Assert.Single(events, e => e.Message == "other template");
    }

    [Fact]
    public async Task Summaries_for_many_suppressed_templates_are_all_written()
    {
        var events = await Run(b => b.RateLimitPerTemplate(eventsPerSecond: 0.001, burst: 1), p =>
        {
            var log = p.GetLogger("R");
            var templates = Enumerable.Range(0, 500).Select(i => "template " + i + " {N}").ToArray();
            foreach (var t in templates) { log.Info(t, 1); log.Info(t, 2); log.Info(t, 3); }
        });
        Assert.Equal(500, events.Count(e => e.Template.StartsWith("template")));
        var summaries = events.Where(e => e.Template.StartsWith("Suppressed")).ToArray();
        Assert.Equal(500, summaries.Length);
        Assert.All(summaries, s => Assert.Equal(2L, s.Properties["SuppressedCount"]));
    }

    [Fact]
    public async Task Filters_remove_events_and_a_throwing_filter_keeps_them()
    {
        var events = await Run(b => b.Filter(e => !e.Category.StartsWith("Health")).Filter(e => e.Properties.Length < 5 ? true : throw new InvalidOperationException()), p =>
        {
            p.GetLogger("Health.Check").Info("ping");
            p.GetLogger("App").Info("kept");
            p.GetLogger("App").Info("{A}{B}{C}{D}{E}", 1, 2, 3, 4, 5);
        });
        Assert.Equal(["kept", "12345"], events.Select(e => e.Message));
    }
}
