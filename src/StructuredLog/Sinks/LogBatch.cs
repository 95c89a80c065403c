using System.Buffers;
using System.Collections;
using System.Runtime.InteropServices;

namespace StructuredLog.Sinks;

/// <summary>A batch handed to <see cref="BatchingSink.WriteBatchAsync"/>. Reused: valid until that call completes.</summary>
public sealed class LogBatch : IReadOnlyList<BufferedLogEvent>
{
    private BufferedLogEvent[] _items = new BufferedLogEvent[64];

    internal LogBatch() { }

    /// <summary>Number of events.</summary>
    public int Count { get; private set; }

    /// <summary>Sum of the payload sizes.</summary>
    public long TotalBytes { get; private set; }

    /// <summary>The events as a span.</summary>
    public ReadOnlySpan<BufferedLogEvent> Events => _items.AsSpan(0, Count);

    /// <inheritdoc />
    public BufferedLogEvent this[int index] => (uint)index < (uint)Count ? _items[index] : throw new ArgumentOutOfRangeException(nameof(index));

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

    /// <summary>The longest run of payloads from <paramref name="index"/> on that are adjacent in one array, as one block; advances the index past it.</summary>
    private ReadOnlyMemory<byte> ContiguousRun(ref int index)
    {
        var first = _items[index++].Payload;
        if (!MemoryMarshal.TryGetArray(first, out var segment) || segment.Array is null) return first;
        int end = segment.Offset + segment.Count;
        while (index < Count
            && MemoryMarshal.TryGetArray(_items[index].Payload, out var next)
            && ReferenceEquals(next.Array, segment.Array)
            && next.Offset == end)
        {
            end += next.Count;
            index++;
        }
        return segment.Array.AsMemory(segment.Offset, end - segment.Offset);
    }

    internal void Add(in BufferedLogEvent e)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[Count++] = e;
        TotalBytes += e.Payload.Length;
    }

    internal void Clear()
    {
        _items.AsSpan(0, Count).Clear();
        Count = 0;
        TotalBytes = 0;
    }

    /// <inheritdoc />
    public IEnumerator<BufferedLogEvent> GetEnumerator()
    {
        for (int i = 0; i < Count; i++) yield return _items[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
