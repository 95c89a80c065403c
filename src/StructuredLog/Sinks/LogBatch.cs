using System.Buffers;
using System.Collections;
using System.Runtime.InteropServices;

namespace StructuredLog.Sinks;

/// <summary>A batch handed to <see cref="BatchingSink.WriteBatchAsync"/>. Reused: valid until that call completes.</summary>
public sealed class LogBatch : IReadOnlyList<BufferedLogEvent>
{
    // The events are either a window of the sink's own queue (no copy: the queue does not touch
    // in-flight entries until the batch is finished) or, when that window wraps around the end of the
    // queue's array, a copy in _own.
    private BufferedLogEvent[] _items = [];
    private int _offset;
    private BufferedLogEvent[] _own = [];
    private readonly List<ReadOnlyMemory<byte>> _runs = []; // WriteGathered's runs, I/O thread only

    internal LogBatch() { }

    /// <summary>Number of events.</summary>
    public int Count { get; private set; }

    /// <summary>Sum of the payload sizes.</summary>
    public long TotalBytes { get; private set; }

    /// <summary>The events as a span.</summary>
    public ReadOnlySpan<BufferedLogEvent> Events => _items.AsSpan(_offset, Count);

    /// <inheritdoc />
    public BufferedLogEvent this[int index] => (uint)index < (uint)Count ? _items[_offset + index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Copies every payload, back to back, into <paramref name="output"/>.</summary>
    public void WritePayloadsTo(IBufferWriter<byte> output)
    {
        foreach (ref readonly var e in Events)
        {
            var span = e.Payload.Span;
            span.CopyTo(output.GetSpan(span.Length));
            output.Advance(span.Length);
        }
    }

    /// <summary>
    /// Writes every payload, back to back, to <paramref name="stream"/>. Payloads that lie next to each
    /// other in memory (the batching base stores them contiguously) go out in one write.
    /// </summary>
    public async ValueTask WritePayloadsToAsync(Stream stream, CancellationToken cancellationToken)
    {
        int i = 0;
        while (i < Count)
        {
            var run = ContiguousRun(ref i);
            await stream.WriteAsync(run, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes every payload to <paramref name="stream"/> and flushes it: for <paramref name="synchronous"/>
    /// streams (files, memory, the console's own streams) with plain writes on the calling I/O thread (no task or state
    /// machine per batch): a seekable <see cref="FileStream"/> in one gather write (<see cref="WriteGathered"/>), others
    /// one <see cref="Stream.Write(ReadOnlySpan{byte})"/> per run of adjacent payloads; otherwise through
    /// <see cref="WritePayloadsToAsync"/>.
    /// </summary>
    internal Task WriteToAndFlushAsync(Stream stream, bool synchronous, CancellationToken cancellationToken)
    {
        if (!synchronous) return WriteToAndFlushSlowAsync(stream, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        if (stream is FileStream { CanSeek: true } file && Count > 1)
        {
            WriteGathered(file);
        }
        else
        {
            int i = 0;
            while (i < Count)
            {
                var run = ContiguousRun(ref i);
                stream.Write(run.Span);
            }
        }
        stream.Flush();
        return Task.CompletedTask;
    }

    /// <summary>
    /// The whole batch in one gather write (<c>pwritev</c>) at the file's position, which then moves past it. The page
    /// cache sizes the pages it allocates for a write by the write's length: the batch's runs (each at most one 64 KB
    /// block of the sink's queue) written one call each cost ~77 ns of kernel time per 210-byte line on the test
    /// machine, the same lines in one call ~58 (docs/benchmarks-history.md, "Session 25").
    /// </summary>
    private void WriteGathered(FileStream file)
    {
        var runs = _runs;
        try
        {
            long total = 0;
            int i = 0;
            while (i < Count)
            {
                var run = ContiguousRun(ref i);
                runs.Add(run);
                total += run.Length;
            }
            long position = file.Position;
            RandomAccess.Write(file.SafeFileHandle, runs, position);
            // The stream keeps its own position, which a write through the handle does not move. (A buffered stream has
            // written what its owner left in its buffer when its handle was asked for, at its own place before this batch.)
            file.Position = position + total;
        }
        finally
        {
            runs.Clear();
        }
    }

    private async Task WriteToAndFlushSlowAsync(Stream stream, CancellationToken cancellationToken)
    {
        await WritePayloadsToAsync(stream, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The longest run of payloads from <paramref name="index"/> on that are adjacent in one array, as one block; advances the index past it.</summary>
    private ReadOnlyMemory<byte> ContiguousRun(ref int index)
    {
        var items = Events;
        var first = items[index++].Payload;
        if (!MemoryMarshal.TryGetArray(first, out var segment) || segment.Array is null) return first;
        var array = segment.Array;
        int end = segment.Offset + segment.Count;
        while (index < items.Length
            && MemoryMarshal.TryGetArray(items[index].Payload, out var next)
            && ReferenceEquals(next.Array, array)
            && next.Offset == end)
        {
            end += next.Count;
            index++;
        }
        return array.AsMemory(segment.Offset, end - segment.Offset);
    }

    /// <summary>
    /// Makes the batch the <paramref name="count"/> entries of the circular <paramref name="ring"/>
    /// (a power of two long) from absolute position <paramref name="start"/> on.
    /// </summary>
    internal void Set(BufferedLogEvent[] ring, long start, int count, long totalBytes)
    {
        int mask = ring.Length - 1;
        int first = (int)(start & mask);
        if (first + count <= ring.Length)
        {
            _items = ring;
            _offset = first;
        }
        else
        {
            if (_own.Length < count) _own = new BufferedLogEvent[Math.Max(count, _own.Length * 2)];
            int head = ring.Length - first;
            ring.AsSpan(first, head).CopyTo(_own);
            ring.AsSpan(0, count - head).CopyTo(_own.AsSpan(head));
            _items = _own;
            _offset = 0;
        }
        Count = count;
        TotalBytes = totalBytes;
    }

    internal void Clear()
    {
        if (ReferenceEquals(_items, _own)) _own.AsSpan(0, Count).Clear();
        _items = [];
        _offset = 0;
        Count = 0;
        TotalBytes = 0;
    }

    /// <inheritdoc />
    public IEnumerator<BufferedLogEvent> GetEnumerator()
    {
        for (int i = 0; i < Count; i++) yield return _items[_offset + i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
