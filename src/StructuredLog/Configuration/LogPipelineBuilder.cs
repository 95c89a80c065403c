using System.Globalization;
using StructuredLog.Context;
using StructuredLog.Events;
using StructuredLog.Filtering;
using StructuredLog.Pipeline;
using StructuredLog.Sinks;

namespace StructuredLog;

/// <summary>
/// Builds a <see cref="LogPipeline"/>:
/// <code>
/// await using var pipeline = new LogPipelineBuilder()
///     .MinimumLevel(LogLevel.Info)
///     .Override("Microsoft", LogLevel.Warn)
///     .WriteTo(new ConsoleSink())
///     .Build();
/// </code>
/// Invalid settings throw at <see cref="Build"/> (or at the call that sets them) naming the setting
/// and the value. <see cref="ReadEnvironment()"/> applies <c>STRUCTUREDLOG_*</c> variables on top.
/// </summary>
public sealed class LogPipelineBuilder
{
    /// <summary>Environment variable: the default minimum level (Trace, Debug, Info, Warn, Error, Fatal, Off).</summary>
    public const string MinimumLevelVariable = "STRUCTUREDLOG_MINIMUMLEVEL";

    /// <summary>Environment variable prefix for per-category levels: <c>STRUCTUREDLOG_MINIMUMLEVEL__Microsoft__AspNetCore=Warn</c> (<c>__</c> stands for <c>.</c>).</summary>
    public const string OverrideVariablePrefix = "STRUCTUREDLOG_MINIMUMLEVEL__";

    /// <summary>Environment variable: ring buffer size in events (a power of two).</summary>
    public const string BufferSizeVariable = "STRUCTUREDLOG_BUFFERSIZE";

    /// <summary>Environment variable: the backpressure policy (Wait, DropNewest, WaitThenDrop).</summary>
    public const string BackpressureVariable = "STRUCTUREDLOG_BACKPRESSURE";

    /// <summary>Environment variable: comma-separated words whose properties are redacted (replaces the defaults; empty disables).</summary>
    public const string RedactVariable = "STRUCTUREDLOG_REDACT";

    /// <summary>Environment variable: <see cref="ThreadLanes"/> with rings of that many events (a power of two of at least 64), or <c>0</c> for one ring.</summary>
    public const string ThreadLanesVariable = "STRUCTUREDLOG_THREADLANES";

    internal int BufferSizeValue = 8192;
    internal int WriterBatchSizeValue = 4096;
    internal int ThreadLaneCellsValue;
    internal int MaxThreadLanesValue; // 0: LaneSet.DefaultMaxThreadLanes
    internal int SharedThreadLanesValue; // 0: LaneSet.DefaultSharedLanes (set by the benchmarks' floor driver only)
    internal bool ParallelFormattingValue = true;
    internal LogLevel MinimumLevelValue = LogLevel.Info;
    internal Dictionary<string, LogLevel> Overrides = new(StringComparer.Ordinal);
    internal BackpressurePolicy BackpressureValue = BackpressurePolicy.Wait;
    internal TimeSpan WaitTimeoutValue = TimeSpan.FromMilliseconds(100);
    internal List<SinkRegistration> Sinks = new();
    internal List<ILogEnricher> Enrichers = new();
    internal List<Func<LogEvent, bool>> Filters = new();
    internal List<SamplingRule> Sampling = new();
    internal RateLimitRule? RateLimit;
    internal List<string> RedactWords = [.. Redactor.DefaultWords];
    internal int MaxValueCharsValue = 32 * 1024;
    internal TimeSpan ShutdownTimeoutValue = TimeSpan.FromSeconds(10);
    internal bool FlushOnProcessExitValue = true;
    internal TimeSpan SinkStallTimeoutValue = TimeSpan.FromSeconds(5);
    internal TimestampPrecision TimestampPrecisionValue = StructuredLog.TimestampPrecision.Precise;

    /// <summary>Events below <paramref name="level"/> are not logged (default Info).</summary>
    public LogPipelineBuilder MinimumLevel(LogLevel level)
    {
        MinimumLevelValue = CheckLevel(level, nameof(MinimumLevel));
        return this;
    }

    /// <summary>Sets the minimum level for categories starting with <paramref name="categoryPrefix"/> (<c>Microsoft</c> matches <c>Microsoft.AspNetCore</c>); the longest prefix wins.</summary>
    public LogPipelineBuilder Override(string categoryPrefix, LogLevel level)
    {
        ArgumentNullException.ThrowIfNull(categoryPrefix);
        Overrides[categoryPrefix] = CheckLevel(level, "Override:" + categoryPrefix);
        return this;
    }

    /// <summary>Adds a sink, optionally with its own minimum level.</summary>
    /// <param name="sink">The sink.</param>
    /// <param name="minimumLevel">Events below this level are not given to this sink.</param>
    /// <param name="name">The name in metrics and self-log messages (default: the sink's own name or type).</param>
    /// <param name="isolate">
    /// Call <c>Emit</c> on a thread of the sink's own, with the <see cref="SinkStallTimeout"/>, so that a
    /// sink that blocks cannot stall the others. Default: isolated, except <see cref="BatchingSink"/>s
    /// (their <c>Emit</c> only copies bytes). Pass false for a sink known to return at once.
    /// </param>
    public LogPipelineBuilder WriteTo(ILogSink sink, LogLevel minimumLevel = LogLevel.Trace, string? name = null, bool? isolate = null)
    {
        ArgumentNullException.ThrowIfNull(sink);
        Sinks.Add(new SinkRegistration(sink, CheckLevel(minimumLevel, nameof(WriteTo)), name, isolate));
        return this;
    }

    /// <summary>
    /// How long the writer waits for an isolated sink's <c>Emit</c> (default 5 s). A sink that takes
    /// longer is skipped, its events counted as dropped for it, until that call returns.
    /// </summary>
    public LogPipelineBuilder SinkStallTimeout(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero) throw new LogConfigurationException(nameof(SinkStallTimeout), timeout.ToString(), "must be positive");
        SinkStallTimeoutValue = timeout;
        return this;
    }

    /// <summary>Adds an enricher (runs on the writer thread).</summary>
    public LogPipelineBuilder Enrich(ILogEnricher enricher)
    {
        Enrichers.Add(enricher ?? throw new ArgumentNullException(nameof(enricher)));
        return this;
    }

    /// <summary>Adds a fixed property to every event.</summary>
    public LogPipelineBuilder EnrichWithProperty<T>(string name, T value) => Enrich(Context.Enrichers.Property(name, value));

    /// <summary>Adds <c>MachineName</c>, <c>ProcessId</c>, <c>ProcessName</c> and <c>ThreadId</c>.</summary>
    public LogPipelineBuilder EnrichWithEnvironment() =>
        Enrich(Context.Enrichers.MachineName()).Enrich(Context.Enrichers.Process()).Enrich(Context.Enrichers.ThreadId());

    /// <summary>Keeps only events for which <paramref name="predicate"/> is true (writer thread; removed events are counted as <see cref="DropReason.Filtered"/>).</summary>
    public LogPipelineBuilder Filter(Func<LogEvent, bool> predicate)
    {
        Filters.Add(predicate ?? throw new ArgumentNullException(nameof(predicate)));
        return this;
    }

    /// <summary>Adds a sampling rule (see <see cref="SamplingRule.OneIn"/> and <see cref="SamplingRule.WithProbability"/>).</summary>
    public LogPipelineBuilder Sample(SamplingRule rule)
    {
        Sampling.Add(rule ?? throw new ArgumentNullException(nameof(rule)));
        return this;
    }

    /// <summary>Limits each message template to <paramref name="eventsPerSecond"/> with bursts of <paramref name="burst"/>; suppressed events are summarised.</summary>
    public LogPipelineBuilder RateLimitPerTemplate(double eventsPerSecond, int burst, LogLevel upToLevel = LogLevel.Fatal)
    {
        RateLimit = new RateLimitRule(eventsPerSecond, burst, upToLevel);
        return this;
    }

    /// <summary>Redacts properties whose names contain any of <paramref name="words"/> (case-insensitive), in addition to the defaults.</summary>
    public LogPipelineBuilder Redact(params string[] words)
    {
        RedactWords.AddRange(words);
        return this;
    }

    /// <summary>Replaces the redaction words (an empty list turns redaction off).</summary>
    public LogPipelineBuilder RedactOnly(params string[] words)
    {
        RedactWords = [.. words];
        return this;
    }

    /// <summary>
    /// Ring buffer capacity in events; a power of two, at least 64 (default 8,192). A slot takes 288
    /// bytes; once the pipeline sees an interpolated-string or named-property call, another 576 bytes
    /// per slot are allocated for their parts (12 per slot), and a slot that takes a call of more parts
    /// keeps an array for them from then on (up to 32 parts, 1.5 KB; larger calls rent one from a pool).
    /// </summary>
    public LogPipelineBuilder BufferSize(int events)
    {
        if (events < 64 || (events & (events - 1)) != 0)
            throw new LogConfigurationException(nameof(BufferSize), events.ToString(CultureInfo.InvariantCulture), "must be a power of two of at least 64");
        BufferSizeValue = events;
        return this;
    }

    /// <summary>What a call does when the ring buffer is full (default <see cref="BackpressurePolicy.Wait"/>).</summary>
    public LogPipelineBuilder Backpressure(BackpressurePolicy policy, TimeSpan? waitTimeout = null)
    {
        if (!Enum.IsDefined(policy)) throw new LogConfigurationException(nameof(Backpressure), policy.ToString(), "unknown policy");
        if (waitTimeout is { } t && t < TimeSpan.Zero) throw new LogConfigurationException("WaitTimeout", t.ToString(), "must not be negative");
        BackpressureValue = policy;
        if (waitTimeout is { } w) WaitTimeoutValue = w;
        return this;
    }

    /// <summary>String values longer than this are cut with a visible marker (default 32,768 characters).</summary>
    public LogPipelineBuilder MaxValueLength(int characters)
    {
        if (characters < 16) throw new LogConfigurationException(nameof(MaxValueLength), characters.ToString(CultureInfo.InvariantCulture), "must be at least 16");
        MaxValueCharsValue = characters;
        return this;
    }

    /// <summary>How long disposal waits for the writer and the sinks (default 10 s).</summary>
    public LogPipelineBuilder ShutdownTimeout(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero) throw new LogConfigurationException(nameof(ShutdownTimeout), timeout.ToString(), "must be positive");
        ShutdownTimeoutValue = timeout;
        return this;
    }

    /// <summary>Whether the pipeline flushes and disposes itself when the process exits (default true).</summary>
    public LogPipelineBuilder FlushOnProcessExit(bool enabled)
    {
        FlushOnProcessExitValue = enabled;
        return this;
    }

    /// <summary>
    /// How calls read the clock (default <see cref="StructuredLog.TimestampPrecision.Precise"/>: one monotonic
    /// clock read per call). <see cref="StructuredLog.TimestampPrecision.Coarse"/> makes the call read a
    /// shared value refreshed about once a millisecond by a background thread instead: cheaper calls,
    /// timestamps typically 0–2 ms early (see the enum for the exact guarantees).
    /// </summary>
    public LogPipelineBuilder TimestampPrecision(TimestampPrecision precision)
    {
        if (!Enum.IsDefined(precision)) throw new LogConfigurationException(nameof(TimestampPrecision), precision.ToString(), "expected Precise or Coarse");
        TimestampPrecisionValue = precision;
        return this;
    }

    /// <summary>
    /// Whether a second thread may format events for the batching sinks whose formatter declares
    /// <see cref="Formatting.ILogFormatter.SupportsConcurrentFormatting"/> (<see cref="Formatting.JsonFormatter"/>,
    /// the MessagePack formatter) while the writer reads the rest of the batch (default: on when the machine
    /// has more than one core). The writer dispatches a batch only when every event in it is
    /// formatted, so order and content are unchanged. Turn it off to keep all formatting (and any
    /// <c>ToString</c> it calls) on the writer thread, for example when an enricher mutates objects that
    /// earlier events logged.
    /// </summary>
    public LogPipelineBuilder ParallelFormatting(bool enabled)
    {
        ParallelFormattingValue = enabled;
        return this;
    }

    /// <summary>Events the writer takes from the ring per batch (default 4,096; never more than the ring holds).</summary>
    /// <remarks>
    /// Under sustained load each batch costs a few thread wake-ups (the format worker, each sink's I/O
    /// thread): larger batches pay them less often. The writer keeps one reusable record per event of a
    /// batch (about 0.6 KB each with up to 8 properties), so the size also bounds that memory.
    /// </remarks>
    public LogPipelineBuilder WriterBatchSize(int events)
    {
        if (events < 1) throw new LogConfigurationException(nameof(WriterBatchSize), events.ToString(CultureInfo.InvariantCulture), "must be at least 1");
        WriterBatchSizeValue = events;
        return this;
    }

    /// <summary>
    /// Gives every thread that logs a ring of its own, of <paramref name="cellsPerThread"/> events (a power of two, at least
    /// 64; default 1,024), instead of one ring for all: threads that log at the same time then never contend for a
    /// cache line. The writer merges the threads' rings by timestamp, so events are written in the order they were logged
    /// as far as the application can tell (an event that happened before another, on any thread, is written before it),
    /// a tenth of a millisecond after they were logged at the earliest.
    /// </summary>
    /// <param name="cellsPerThread">Events each ring holds (a power of two, at least 64).</param>
    /// <param name="maxThreadLanes">
    /// How many threads may have a ring of their own at a time (at least 1; 0, the default, is four per processor, at most
    /// 64). A thread that first logs while that many rings are in use shares one of a few shared rings (one per
    /// processor, at most 16), in which threads take turns under a lock held for the claim and the clock read: an
    /// application that logs from hundreds of threads (a thread pool) keeps a bounded memory and a bounded merge (the
    /// writer compares every ring's next event for each event it takes).
    /// </param>
    /// <remarks>
    /// Needs <see cref="StructuredLog.TimestampPrecision.Precise"/> (the default): the order comes from the timestamps.
    /// A ring of 1,024 events takes about 0.3 MB (0.9 MB once its thread has logged interpolated strings or named
    /// properties); a thread's ring is dropped once the thread has ended and its events are written, and its place
    /// goes to the next thread that first logs. <see cref="BufferSize"/> does not apply (each ring is
    /// <paramref name="cellsPerThread"/>, and the backpressure policy applies to it). Measured on the 2-core test machine
    /// with two threads logging at once: 34 ns per event with thread lanes against 103 ns in one ring; a thread that
    /// logs alone pays ~19 ns more per call for the ordered clock read the merge needs (docs/benchmarks-history.md,
    /// "Session 28", item 5).
    /// </remarks>
    public LogPipelineBuilder ThreadLanes(int cellsPerThread = 1024, int maxThreadLanes = 0)
    {
        if (cellsPerThread < 64 || (cellsPerThread & (cellsPerThread - 1)) != 0)
            throw new LogConfigurationException(nameof(ThreadLanes), cellsPerThread.ToString(CultureInfo.InvariantCulture), "must be a power of two of at least 64");
        if (maxThreadLanes < 0)
            throw new LogConfigurationException(nameof(ThreadLanes), maxThreadLanes.ToString(CultureInfo.InvariantCulture), "maxThreadLanes must be at least 1 (or 0 for the default: four per processor, at most 64)");
        ThreadLaneCellsValue = cellsPerThread;
        MaxThreadLanesValue = maxThreadLanes;
        return this;
    }

    /// <summary>
    /// Applies <c>STRUCTUREDLOG_*</c> environment variables (they win over code): minimum level,
    /// per-category levels, buffer size, backpressure, redaction words, thread lanes. A bad value throws
    /// <see cref="LogConfigurationException"/> naming the variable.
    /// </summary>
    public LogPipelineBuilder ReadEnvironment() => ReadEnvironment(Environment.GetEnvironmentVariables()
        .Cast<System.Collections.DictionaryEntry>()
        .ToDictionary(e => (string)e.Key, e => (string?)e.Value));

    /// <summary>Applies settings from a name → value map shaped like the environment (for tests and custom sources).</summary>
    public LogPipelineBuilder ReadEnvironment(IReadOnlyDictionary<string, string?> variables)
    {
        foreach (var (key, value) in variables)
        {
            if (!key.StartsWith("STRUCTUREDLOG_", StringComparison.OrdinalIgnoreCase)) continue;
            string upper = key.ToUpperInvariant();
            if (upper == MinimumLevelVariable)
            {
                MinimumLevelValue = ParseLevel(key, value);
            }
            else if (upper.StartsWith(OverrideVariablePrefix, StringComparison.Ordinal))
            {
                string category = key[OverrideVariablePrefix.Length..].Replace("__", ".", StringComparison.Ordinal);
                if (category.Length == 0) throw new LogConfigurationException(key, value, "a category is needed after the prefix");
                Overrides[category] = ParseLevel(key, value);
            }
            else if (upper == BufferSizeVariable)
            {
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int size) || size < 64 || (size & (size - 1)) != 0)
                    throw new LogConfigurationException(key, value, "must be a power of two of at least 64");
                BufferSizeValue = size;
            }
            else if (upper == BackpressureVariable)
            {
                if (!Enum.TryParse<BackpressurePolicy>(value, ignoreCase: true, out var policy) || !Enum.IsDefined(policy) || int.TryParse(value, out _))
                    throw new LogConfigurationException(key, value, "expected one of " + string.Join(", ", Enum.GetNames<BackpressurePolicy>()));
                BackpressureValue = policy;
            }
            else if (upper == RedactVariable)
            {
                RedactWords = (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            }
            else if (upper == ThreadLanesVariable)
            {
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int cells) || (cells != 0 && (cells < 64 || (cells & (cells - 1)) != 0)))
                    throw new LogConfigurationException(key, value, "must be 0 (one ring) or a power of two of at least 64 (events per thread)");
                ThreadLaneCellsValue = cells;
            }
            else
            {
                throw new LogConfigurationException(key, value, "unknown StructuredLog setting (known: " +
                    string.Join(", ", MinimumLevelVariable, OverrideVariablePrefix + "<Category>", BufferSizeVariable, BackpressureVariable, RedactVariable, ThreadLanesVariable) + ")");
            }
        }
        return this;
    }

    /// <summary>Parses a level name (Trace, Debug, Info/Information, Warn/Warning, Error, Fatal/Critical, Off/None), or throws naming <paramref name="key"/>.</summary>
    public static LogLevel ParseLevel(string key, string? value) => value?.Trim().ToUpperInvariant() switch
    {
        "TRACE" or "VERBOSE" => LogLevel.Trace,
        "DEBUG" => LogLevel.Debug,
        "INFO" or "INFORMATION" => LogLevel.Info,
        "WARN" or "WARNING" => LogLevel.Warn,
        "ERROR" => LogLevel.Error,
        "FATAL" or "CRITICAL" => LogLevel.Fatal,
        "OFF" or "NONE" => LogLevel.Off,
        _ => throw new LogConfigurationException(key, value, "expected Trace, Debug, Info, Warn, Error, Fatal or Off"),
    };

    /// <summary>Builds and starts the pipeline (its writer thread starts now).</summary>
    public LogPipeline Build()
    {
        if (ThreadLaneCellsValue > 0 && TimestampPrecisionValue != StructuredLog.TimestampPrecision.Precise)
        {
            throw new LogConfigurationException(nameof(ThreadLanes), TimestampPrecisionValue.ToString(),
                "thread lanes are merged by timestamp and need TimestampPrecision.Precise (a coarse clock gives events of different threads the same timestamp)");
        }
        if (ThreadLaneCellsValue == 0 && WriterBatchSizeValue > BufferSizeValue) WriterBatchSizeValue = BufferSizeValue;
        return new LogPipeline(this);
    }

    private static LogLevel CheckLevel(LogLevel level, string key) =>
        Enum.IsDefined(level) ? level : throw new LogConfigurationException(key, ((int)level).ToString(CultureInfo.InvariantCulture), "not a log level");
}
