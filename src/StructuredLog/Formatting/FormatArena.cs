using System.Buffers;

namespace StructuredLog.Formatting;

/// <summary>
/// A batch-scoped byte arena: formatted events are written into pooled chunks and stay in place until
/// the batch ends, so sinks can hold a <see cref="ReadOnlySpan{T}"/> to one event while others are
/// formatted. An event never spans two chunks.
/// </summary>
internal sealed class FormatArena : IBufferWriter<byte>
{
    private const int ChunkSize = 64 * 1024;
    private readonly List<byte[]> _used = new();
    private byte[] _chunk;
    private int _start;   // where the event being written began in _chunk
    private int _pos;

    public FormatArena() => _chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);

    /// <summary>True between <see cref="BeginEvent"/> and <see cref="EndEvent"/>/<see cref="AbandonEvent"/>.</summary>
    public bool InEvent { get; private set; }

    public void BeginEvent()
    {
        _start = _pos;
        InEvent = true;
    }

    /// <summary>Ends the current event and returns where its bytes live.</summary>
    public (byte[] Buffer, int Offset, int Length) EndEvent()
    {
        var result = (_chunk, _start, _pos - _start);
        _start = _pos;
        InEvent = false;
        return result;
    }

    /// <summary>Drops the bytes of an event that failed half-way.</summary>
    public void AbandonEvent()
    {
        _pos = _start;
        InEvent = false;
    }

    public void Advance(int count) => _pos += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _chunk.AsMemory(_pos);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _chunk.AsSpan(_pos);
    }

    private void Ensure(int sizeHint)
    {
        if (sizeHint < 1) sizeHint = 256;
        if (_chunk.Length - _pos >= sizeHint) return;
        // Move the partial event to a fresh chunk big enough for it and the request.
        int partial = _pos - _start;
        var next = ArrayPool<byte>.Shared.Rent(Math.Max(ChunkSize, (partial + sizeHint) * 2));
        _chunk.AsSpan(_start, partial).CopyTo(next);
        _used.Add(_chunk);
        _chunk = next;
        _start = 0;
        _pos = partial;
    }

    /// <summary>Called when the batch is done: every span handed out becomes invalid.</summary>
    public void Reset()
    {
        foreach (var chunk in _used) ArrayPool<byte>.Shared.Return(chunk);
        _used.Clear();
        if (_chunk.Length > ChunkSize * 4)
        {
            ArrayPool<byte>.Shared.Return(_chunk);
            _chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        }
        _start = 0;
        _pos = 0;
        InEvent = false;
    }
}
