using System.Buffers;
using System.Collections;

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

    /// <summary>Writes every payload, back to back, to <paramref name="stream"/>.</summary>
    public async ValueTask WritePayloadsToAsync(Stream stream, CancellationToken cancellationToken)
    {
        for (int i = 0; i < Count; i++) await stream.WriteAsync(_items[i].Payload, cancellationToken).ConfigureAwait(false);
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
