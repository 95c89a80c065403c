using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace StructuredLog.AspNetCore;

/// <summary>
/// Counts the bytes of the response body, whichever way it is written (the <see cref="Stream"/>, the
/// <see cref="PipeWriter"/> or <c>SendFileAsync</c>), by standing in for the server's
/// <see cref="IHttpResponseBodyFeature"/> and passing everything through.
/// </summary>
internal sealed class ResponseBodyCounter : IHttpResponseBodyFeature
{
    private readonly IHttpResponseBodyFeature _inner;
    private CountingStream? _stream;
    private CountingPipeWriter? _writer;
    private long _bytes;

    public ResponseBodyCounter(IHttpResponseBodyFeature inner) => _inner = inner;

    public long Bytes => Interlocked.Read(ref _bytes);

    public IHttpResponseBodyFeature Inner => _inner;

    public Stream Stream => _stream ??= new CountingStream(this);

    public PipeWriter Writer => _writer ??= new CountingPipeWriter(this);

    public void DisableBuffering() => _inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => _inner.StartAsync(cancellationToken);

    public Task CompleteAsync() => _inner.CompleteAsync();

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        long length = count ?? Math.Max(0, new FileInfo(path).Length - offset);
        await _inner.SendFileAsync(path, offset, count, cancellationToken).ConfigureAwait(false);
        Add(length);
    }

    private void Add(long n) => Interlocked.Add(ref _bytes, n);

    private sealed class CountingPipeWriter(ResponseBodyCounter owner) : PipeWriter
    {
        private PipeWriter Inner => owner._inner.Writer;

        public override void Advance(int bytes)
        {
            Inner.Advance(bytes);
            owner.Add(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => Inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => Inner.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => Inner.FlushAsync(cancellationToken);

        public override void CancelPendingFlush() => Inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => Inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => Inner.CompleteAsync(exception);

        public override bool CanGetUnflushedBytes => Inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => Inner.UnflushedBytes;
    }

    private sealed class CountingStream(ResponseBodyCounter owner) : Stream
    {
        private Stream Inner => owner._inner.Stream;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => Inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => Inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Inner.Write(buffer, offset, count);
            owner.Add(count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Inner.Write(buffer);
            owner.Add(buffer.Length);
        }

        public override async Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            await Inner.WriteAsync(buffer.AsMemory(offset, count), cancellationToken).ConfigureAwait(false);
            owner.Add(count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            owner.Add(buffer.Length);
        }
    }
}
