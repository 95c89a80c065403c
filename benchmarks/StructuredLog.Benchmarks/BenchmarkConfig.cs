using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;
using Perfolizer.Metrology;

namespace StructuredLog.Benchmarks;

/// <summary>
/// The configuration every run uses: median and p95 columns, times in ns and sizes in bytes without
/// units in the cells, CSV (for <c>benchmarks/plot.py</c>) and GitHub markdown exports.
/// The full run uses BenchmarkDotNet's default out-of-process toolchain (a fresh process per
/// benchmark case, so the libraries cannot disturb each other) with 100 ms iterations, 10 to 25 of
/// them; quick mode runs in-process with 1 warm-up and 3 measured iterations.
/// </summary>
public static class BenchmarkConfig
{
    public static IConfig Create(bool quick)
    {
        var style = new SummaryStyle(CultureInfo.InvariantCulture, printUnitsInHeader: true, sizeUnit: SizeUnit.B, timeUnit: TimeUnit.Nanosecond, printUnitsInContent: false);
        var job = quick
            ? Job.Default.WithWarmupCount(1).WithIterationCount(3).WithLaunchCount(1).WithToolchain(InProcessEmitToolchain.Instance).WithId("Quick")
            : Job.Default.WithIterationTime(TimeInterval.FromMilliseconds(100)).WithMinIterationCount(10).WithMaxIterationCount(25).WithId("Full");
        var defaults = DefaultConfig.Instance;
        return ManualConfig.CreateEmpty()
            .AddLogger(defaults.GetLoggers().ToArray())
            .AddColumnProvider(defaults.GetColumnProviders().ToArray())
            .AddAnalyser(defaults.GetAnalysers().ToArray())
            .AddValidator(defaults.GetValidators().ToArray())
            .AddJob(job.AsDefault())
            .AddColumn(StatisticColumn.Median, StatisticColumn.P95)
            .AddExporter(new CsvExporter(CsvSeparator.Comma, style))
            .AddExporter(MarkdownExporter.GitHub)
            .WithSummaryStyle(style);
    }
}
