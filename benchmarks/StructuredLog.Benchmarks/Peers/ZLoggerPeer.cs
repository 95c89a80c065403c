using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using MelLogLevel = Microsoft.Extensions.Logging.LogLevel;
using ZLogger;

namespace StructuredLog.Benchmarks.Peers;

/// <summary>
/// ZLogger 2.6: its own async stream/file writer with the System.Text.Json formatter
/// (<c>UseJsonFormatter</c>), <c>ZLogInformation($"...")</c> calls (its recommended zero-allocation
/// interpolated style), <c>FullMode = Block</c> so that nothing is dropped, scopes on
/// (<c>IncludeScopes</c>) and the trace/span ids through MEL's <c>ActivityTrackingOptions</c>.
/// The null target is a stream that counts the lines it is given.
/// </summary>
public sealed class ZLoggerPeer : Peer
{
    private readonly ILoggerFactory _factory;
    private readonly ILogger _log;
    private readonly LineCountingStream? _counter;

    public ZLoggerPeer(string? path) : base(Library.ZLogger)
    {
        var counter = path is null ? new LineCountingStream() : null;
        _counter = counter;
        _factory = LoggerFactory.Create(b =>
        {
            b.ClearProviders();
            b.SetMinimumLevel(MelLogLevel.Information);
            b.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
            if (counter is not null)
            {
                b.AddZLoggerStream(counter, o => o.FullMode = BackgroundBufferFullMode.Block);
            }
            else
            {
                b.AddZLoggerFile(path!, o =>
                {
                    o.FullMode = BackgroundBufferFullMode.Block;
                    o.IncludeScopes = true;
                    o.UseJsonFormatter();
                });
            }
        });
        _log = _factory.CreateLogger("Benchmarks.Orders");
    }

    public override long Delivered => _counter?.Lines ?? 0;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void DisabledBurst(int count)
    {
        var log = _log;
        for (int i = 0; i < count; i++) log.ZLogDebug($"Processed order {i} in {1.5} ms for {"alice"}");
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void LogBurst(int start, int count, int exceptionEvery)
    {
        var log = _log;
        int end = start + count;
        for (int i = start; i < end; i++)
        {
            if (exceptionEvery > 0 && i % exceptionEvery == 0) log.ZLogError(SampleException, $"Order {i:@A} failed");
            else
            {
                double b = i * 0.25;
                string c = Customer(i);
                log.ZLogInformation($"Processed order {i:@A} in {b:@B} ms for {c:@C}");
            }
        }
    }

    protected override IDisposable BeginScope(string name, int value) =>
        _log.BeginScope(new Dictionary<string, object> { [name] = value }) ?? throw new InvalidOperationException("no scope");

    public override ValueTask DisposeAsync()
    {
        _factory.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>A write-only stream that discards bytes and counts line feeds.</summary>
    public sealed class LineCountingStream : Stream
    {
        private long _lines;

        public long Lines => Volatile.Read(ref _lines);

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => 0;
        public override long Position { get => 0; set { } }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer) => Volatile.Write(ref _lines, _lines + buffer.Count((byte)'\n'));
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }
    }
}
