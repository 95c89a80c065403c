using StructuredLog.Formatting;

namespace StructuredLog.Sinks;

/// <summary>
/// Writes events to standard output (or standard error). Human text with colours when the output is a
/// terminal and <c>NO_COLOR</c> is not set; any formatter can be given instead (e.g.
/// <see cref="JsonFormatter"/> for containers). The console is written from the sink's own I/O thread,
/// so a blocked pipe never stalls the writer thread.
/// </summary>
public sealed class ConsoleSink : BatchingSink
{
    private readonly Stream _stream;
    private readonly bool _synchronous;

    /// <summary>Creates a console sink.</summary>
    /// <param name="formatter">The format; null picks <see cref="TextFormatter"/> with colours on a terminal.</param>
    /// <param name="standardError">Write to standard error instead of standard output.</param>
    /// <param name="output">A stream to write to instead of the console (tests, redirection).</param>
    public ConsoleSink(ILogFormatter? formatter = null, bool standardError = false, Stream? output = null)
        : base("console", formatter ?? DefaultFormatter(standardError), new BatchingOptions { Period = TimeSpan.FromMilliseconds(20), BatchSizeLimit = 512 })
    {
        _stream = output ?? (standardError ? Console.OpenStandardError() : Console.OpenStandardOutput());
        // The console's own streams only write synchronously (their async methods queue that to the
        // thread pool, a task per write): write them, files and memory directly from the I/O thread.
        _synchronous = output is null or FileStream or MemoryStream;
    }

    /// <summary>True when colours would be used for this console stream.</summary>
    public static bool ColorsWanted(bool standardError) =>
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")) &&
        !(standardError ? Console.IsErrorRedirected : Console.IsOutputRedirected);

    private static TextFormatter DefaultFormatter(bool standardError) =>
        new(colors: ColorsWanted(standardError), multilineExceptions: true);

    /// <inheritdoc />
    protected override Task WriteBatchAsync(LogBatch batch, CancellationToken cancellationToken) =>
        batch.WriteToAndFlushAsync(_stream, _synchronous, cancellationToken);
}
