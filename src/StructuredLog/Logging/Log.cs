namespace StructuredLog;

/// <summary>
/// One global logger for applications that want it: <c>Log.Configure(b =&gt; b.WriteTo(new ConsoleSink()))</c>
/// once at start-up, then <c>Log.Logger.Info(...)</c> or <c>Log.For("Orders")</c> anywhere, and
/// <c>await Log.CloseAndFlushAsync()</c> at the end. Until configured, <see cref="Logger"/> is a
/// logger whose level is <see cref="LogLevel.Off"/>, so early calls cost nothing and go nowhere.
/// </summary>
public static class Log
{
    private static readonly LogPipeline s_silent = new LogPipelineBuilder().MinimumLevel(LogLevel.Off).BufferSize(64).FlushOnProcessExit(false).Build();
    private static LogPipeline? s_pipeline;
    private static Logger s_logger = s_silent.GetLogger("App");

    /// <summary>The global pipeline, or null until <see cref="Configure"/> or <see cref="Use"/>.</summary>
    public static LogPipeline? Pipeline => s_pipeline;

    /// <summary>The global logger (category <c>App</c>).</summary>
    public static Logger Logger => Volatile.Read(ref s_logger);

    /// <summary>Builds the global pipeline; a pipeline set before is disposed (flushed) first.</summary>
    public static LogPipeline Configure(Action<LogPipelineBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new LogPipelineBuilder();
        configure(builder);
        var pipeline = builder.Build();
        Use(pipeline);
        return pipeline;
    }

    /// <summary>Makes <paramref name="pipeline"/> the global one (the previous one is disposed).</summary>
    public static void Use(LogPipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var previous = Interlocked.Exchange(ref s_pipeline, pipeline);
        Volatile.Write(ref s_logger, pipeline.GetLogger("App"));
        previous?.Dispose();
    }

    /// <summary>The global pipeline's logger for <paramref name="category"/>.</summary>
    public static Logger For(string category) => (s_pipeline ?? s_silent).GetLogger(category);

    /// <summary>The global pipeline's logger for <typeparamref name="T"/>.</summary>
    public static Logger For<T>() => (s_pipeline ?? s_silent).GetLogger<T>();

    /// <summary>Flushes the global pipeline.</summary>
    public static Task FlushAsync(CancellationToken cancellationToken = default) =>
        s_pipeline?.FlushAsync(cancellationToken) ?? Task.CompletedTask;

    /// <summary>Disposes the global pipeline (everything logged is written) and returns to the silent logger.</summary>
    public static async Task CloseAndFlushAsync()
    {
        var previous = Interlocked.Exchange(ref s_pipeline, null);
        Volatile.Write(ref s_logger, s_silent.GetLogger("App"));
        if (previous is not null) await previous.DisposeAsync().ConfigureAwait(false);
    }
}
