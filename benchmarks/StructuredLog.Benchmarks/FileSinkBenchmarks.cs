using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Extensions.Logging;
using NLog.Layouts;
using NLog.Targets;
using NLog.Targets.Wrappers;
using Serilog;
using Serilog.Formatting.Compact;
using StructuredLog.Formatting;
using StructuredLog.Formatting.MessagePack;
using StructuredLog.Sinks.File;
using ZLogger;
using ZLogger.Providers;

namespace StructuredLog.Benchmarks;

/// <summary>
/// End to end to a rolling file: one invocation logs <see cref="Events"/> structured events
/// (template + 4 typed properties) and then disposes the logger, which waits until every event is in the
/// file. All four libraries write JSON (StructuredLog also MessagePack) from a background writer,
/// roll at 100 MB and daily. Bytes/event is printed at the end of each run (file bytes / events).
/// Run: dotnet run -c Release --project benchmarks/StructuredLog.Benchmarks -- --filter '*FileSinkBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 20, iterationCount: 10)]
public class FileSinkBenchmarks
{
    public const int Events = 100_000;
    private static readonly string[] s_paths = ["/orders", "/orders/{id}", "/cart", "/health"];
    private string _dir = "";
    private readonly Dictionary<string, double> _bytesPerEvent = new();

    private LogPipeline? _pipeline;
    private FileSink? _fileSink;
    private Serilog.Core.Logger? _serilog;
    private NLog.LogFactory? _nlogFactory;
    private NLog.Logger? _nlog;
    private ILoggerFactory? _zloggerFactory;
    private Microsoft.Extensions.Logging.ILogger? _zlogger;

    private string Fresh(string name)
    {
        string dir = Path.Combine(_dir, name);
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private void Measure(string name)
    {
        var files = Directory.GetFiles(Path.Combine(_dir, name), "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)).ToArray();
        long bytes = files.Sum(f => new FileInfo(f).Length);
        _bytesPerEvent[name] = (double)bytes / Events;
        VerifyNothingLost(name, files);
    }

    /// <summary>
    /// Not timed: every event must be in the files (one JSON line each; the MessagePack sink's own count), and
    /// StructuredLog's sink must report no drop, so that no library is measured losing events.
    /// </summary>
    private void VerifyNothingLost(string name, string[] files)
    {
        long found = name == "slog-mpk" ? _fileSink!.EventsWritten : files.Sum(PeerEndToEndBenchmarks.CountLines);
        long dropped = name.StartsWith("slog-", StringComparison.Ordinal) ? _fileSink!.EventsDropped : 0;
        if (found != Events || dropped != 0)
            throw new InvalidOperationException($"{name}: {found:N0} events in the files for {Events:N0} logged, {dropped:N0} reported dropped");
    }

    [GlobalSetup]
    public void GlobalSetup() => _dir = Path.Combine(Path.GetTempPath(), "slog-bench-" + Environment.ProcessId);

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        foreach (var (name, b) in _bytesPerEvent) Console.WriteLine($"// bytes/event {name}: {b:F1}");
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private void SetupStructuredLog(string name, ILogFormatter formatter)
    {
        var sink = new FileSink(new FileSinkOptions
        {
            Path = Path.Combine(Fresh(name), "app.log"), Formatter = formatter, RollingInterval = Sinks.File.RollingInterval.Day,
            FileSizeLimitBytes = 100L * 1024 * 1024, QueueLimit = Events,
        });
        _fileSink = sink;
        _pipeline = new LogPipelineBuilder().WriteTo(sink).Build();
    }

    [IterationSetup(Target = nameof(StructuredLog_Json))]
    public void SetupJson() => SetupStructuredLog("slog-json", JsonFormatter.Default);

    [IterationSetup(Target = nameof(StructuredLog_MessagePack))]
    public void SetupMessagePack() => SetupStructuredLog("slog-mpk", new MessagePackFormatter());

    [IterationCleanup(Target = nameof(StructuredLog_Json))]
    public void CleanupJson() => Measure("slog-json");

    [IterationCleanup(Target = nameof(StructuredLog_MessagePack))]
    public void CleanupMessagePack() => Measure("slog-mpk");

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public void StructuredLog_Json() => RunStructuredLog();

    [Benchmark(OperationsPerInvoke = Events)]
    public void StructuredLog_MessagePack() => RunStructuredLog();

    private void RunStructuredLog()
    {
        var log = _pipeline!.GetLogger("Shop.Http");
        for (int i = 0; i < Events; i++) log.Info("{Method} {Path} responded {StatusCode} in {Elapsed} ms", "GET", s_paths[i & 3], 200, i * 0.25);
        _pipeline.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [IterationSetup(Target = nameof(Serilog_File))]
    public void SetupSerilog()
    {
        string dir = Fresh("serilog");
        _serilog = new LoggerConfiguration()
            .WriteTo.Async(a => a.File(new CompactJsonFormatter(), Path.Combine(dir, "app.log"), rollingInterval: Serilog.RollingInterval.Day,
                fileSizeLimitBytes: 100L * 1024 * 1024, rollOnFileSizeLimit: true, buffered: true), bufferSize: Events, blockWhenFull: true)
            .CreateLogger();
    }

    [IterationCleanup(Target = nameof(Serilog_File))]
    public void CleanupSerilog() => Measure("serilog");

    [Benchmark(OperationsPerInvoke = Events)]
    public void Serilog_File()
    {
        var log = _serilog!.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "Shop.Http");
        for (int i = 0; i < Events; i++) log.Information("{Method} {Path} responded {StatusCode} in {Elapsed} ms", "GET", s_paths[i & 3], 200, i * 0.25);
        _serilog.Dispose();
    }

    [IterationSetup(Target = nameof(NLog_FileTarget))]
    public void SetupNLog()
    {
        string dir = Fresh("nlog");
        var file = new FileTarget("file")
        {
            FileName = Path.Combine(dir, "app.log"),
            ArchiveAboveSize = 100L * 1024 * 1024,
            ArchiveEvery = FileArchivePeriod.Day,
            KeepFileOpen = true,
            Layout = new JsonLayout
            {
                IncludeEventProperties = true,
                Attributes =
                {
                    new JsonAttribute("@t", "${date:format=o:universalTime=true}"),
                    new JsonAttribute("@l", "${level}"),
                    new JsonAttribute("@m", "${message}"),
                    new JsonAttribute("@mt", "${message:raw=true}"),
                    new JsonAttribute("@c", "${logger}"),
                },
            },
        };
        var async = new AsyncTargetWrapper("async", file) { QueueLimit = Events, OverflowAction = AsyncTargetWrapperOverflowAction.Block };
        var config = new NLog.Config.LoggingConfiguration();
        config.AddRuleForAllLevels(async);
        _nlogFactory = new NLog.LogFactory { Configuration = config };
        _nlog = _nlogFactory.GetLogger("Shop.Http");
    }

    [IterationCleanup(Target = nameof(NLog_FileTarget))]
    public void CleanupNLog() => Measure("nlog");

    [Benchmark(OperationsPerInvoke = Events)]
    public void NLog_FileTarget()
    {
        var log = _nlog!;
        for (int i = 0; i < Events; i++) log.Info("{Method} {Path} responded {StatusCode} in {Elapsed} ms", "GET", s_paths[i & 3], 200, i * 0.25);
        _nlogFactory!.Flush(TimeSpan.FromMinutes(1));
        _nlogFactory.Dispose();
    }

    [IterationSetup(Target = nameof(ZLogger_RollingFile))]
    public void SetupZLogger()
    {
        string dir = Fresh("zlogger");
        _zloggerFactory = LoggerFactory.Create(b =>
        {
            b.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Information);
            b.AddZLoggerRollingFile(o =>
            {
                o.FilePathSelector = (t, seq) => Path.Combine(dir, $"app-{t:yyyyMMdd}_{seq:000}.log");
                o.RollingInterval = ZLogger.Providers.RollingInterval.Day;
                o.RollingSizeKB = 100 * 1024;
                o.FullMode = BackgroundBufferFullMode.Block;
                o.UseJsonFormatter();
            });
        });
        _zlogger = _zloggerFactory.CreateLogger("Shop.Http");
    }

    [IterationCleanup(Target = nameof(ZLogger_RollingFile))]
    public void CleanupZLogger() => Measure("zlogger");

    [Benchmark(OperationsPerInvoke = Events)]
    public void ZLogger_RollingFile()
    {
        var log = _zlogger!;
        for (int i = 0; i < Events; i++)
        {
            string method = "GET", path = s_paths[i & 3];
            int statusCode = 200;
            double elapsed = i * 0.25;
            log.ZLogInformation($"{method} {path} responded {statusCode} in {elapsed} ms");
        }
        _zloggerFactory!.Dispose();
    }
}
