using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using StructuredLog.Benchmarks;
using StructuredLog.Benchmarks.Peers;
using Xunit;

namespace StructuredLog.Benchmarks.Tests;

/// <summary>Runs every benchmark method once through BenchmarkDotNet (dry job, in-process, no timing).</summary>
public sealed class BenchmarkSmokeTests
{
    [Fact]
    public void Every_benchmark_method_runs_once_without_failing()
    {
        var types = typeof(CoreBenchmarks).Assembly.GetTypes()
            .Where(t => t.GetMethods().Any(m => m.GetCustomAttributes(typeof(BenchmarkAttribute), false).Length > 0))
            .OrderBy(t => t.Name)
            .ToArray();
        Assert.Equal(
            ["CoreBenchmarks", "CostBreakdownBenchmarks", "FileSinkBenchmarks", "MelCallerBenchmarks", "MelProviderBenchmarks", "NetworkSinkBenchmarks",
             "PeerCallerBenchmarks", "PeerDisabledBenchmarks", "PeerEndToEndBenchmarks"],
            types.Select(t => t.Name).ToArray());

        int previous = PeerEndToEndBenchmarks.Events;
        PeerEndToEndBenchmarks.Events = 2_000;
        try
        {
            var artifacts = Path.Combine(Path.GetTempPath(), $"sl-bench-smoke-{Environment.ProcessId}");
            var config = ManualConfig.CreateEmpty()
                .AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance))
                .AddLogger(NullLogger.Instance)
                .AddColumnProvider(DefaultConfig.Instance.GetColumnProviders().ToArray())
                .AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default)
                .WithArtifactsPath(artifacts);
            var summaries = BenchmarkRunner.Run(types, config);
            var reports = summaries.SelectMany(s => s.Reports).ToArray();
            Assert.All(summaries, s => Assert.False(s.HasCriticalValidationErrors, string.Join("; ", s.ValidationErrors.Select(e => e.Message))));
            // Every case of every class ran (45 for the peer/core classes, plus the sink and MEL classes).
            int expectedCases = types.Sum(t => BenchmarkConverter.TypeToBenchmarks(t, config).BenchmarksCases.Length);
            Assert.True(expectedCases >= 45, $"only {expectedCases} cases found");
            Assert.Equal(expectedCases, reports.Length);
            Assert.All(reports, r => Assert.True(r.Success, $"{r.BenchmarkCase.DisplayInfo} failed"));
            Assert.All(reports, r => Assert.NotEmpty(r.AllMeasurements));
            try { Directory.Delete(artifacts, recursive: true); } catch (IOException) { }
        }
        finally
        {
            PeerEndToEndBenchmarks.Events = previous;
        }
    }

    [Theory]
    [InlineData(Library.StructuredLog)]
    [InlineData(Library.Serilog)]
    public void An_end_to_end_iteration_that_lost_an_event_fails(Library library)
    {
        // In this class (not beside it) because both tests set the static event count: one class's tests run one at a time.
        int previous = PeerEndToEndBenchmarks.Events;
        PeerEndToEndBenchmarks.Events = 500;
        var bench = new PeerEndToEndBenchmarks { Library = library, Workload = Workload.Plain };
        try
        {
            bench.CreateLogger();
            bench.JsonToFile();
            bench.VerifyNothingLost(); // complete: passes
            var lines = File.ReadAllLines(bench.LastPath);
            File.WriteAllLines(bench.LastPath, lines[..^1]); // one event missing
            var e = Assert.Throws<InvalidOperationException>(bench.VerifyNothingLost);
            Assert.Contains("499 lines in the file for 500 events", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            bench.DeleteFile();
            PeerEndToEndBenchmarks.Events = previous;
        }
    }
}
