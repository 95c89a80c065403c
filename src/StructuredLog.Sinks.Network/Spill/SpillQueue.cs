using System.Buffers.Binary;
using System.Globalization;
using StructuredLog.Diagnostics;
using StructuredLog.Sinks.Network.Transport;

namespace StructuredLog.Sinks.Network.Spill;

/// <summary>
/// The on-disk FIFO of batches: files <c>{sequence:D20}.spill</c>, each one batch. A file is written as
/// <c>.tmp</c>, flushed, then renamed, so a crash never leaves a half-written batch to replay; leftover
/// <c>.tmp</c> files are deleted on open. Format: magic <c>SLSPILL1</c>, event count (int32), then per
/// event the timestamp ticks (int64), level (byte), payload length (int32) and payload. Little-endian.
/// Not thread-safe: <see cref="SpillingDelivery"/> serialises access.
/// </summary>
internal sealed class SpillQueue
{
    private static ReadOnlySpan<byte> Magic => "SLSPILL1"u8;

    private readonly DurableSpillOptions _options;
    private readonly LinkedList<(long Sequence, int Count, long Bytes)> _files = new();
    private long _nextSequence;

    public SpillQueue(DurableSpillOptions options)
    {
        _options = options;
        Directory.CreateDirectory(options.Directory);
        foreach (var tmp in Directory.EnumerateFiles(options.Directory, "*.tmp")) TryDelete(tmp);
        var found = new List<(long, int, long)>();
        foreach (var path in Directory.EnumerateFiles(options.Directory, "*.spill"))
        {
            if (!long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out long seq)) continue;
            int count = ReadCount(path);
            if (count < 0) { Quarantine(path); continue; }
            found.Add((seq, count, new FileInfo(path).Length));
        }
        found.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        foreach (var f in found)
        {
            _files.AddLast(f);
            PendingEvents += f.Item2;
            PendingBytes += f.Item3;
        }
        _nextSequence = found.Count > 0 ? found[^1].Item1 + 1 : 0;
    }

    public int PendingFiles => _files.Count;

    private long _pendingEvents;

    /// <summary>Events on disk; readable from any thread.</summary>
    public long PendingEvents
    {
        get => Volatile.Read(ref _pendingEvents);
        private set => Volatile.Write(ref _pendingEvents, value);
    }

    public long PendingBytes { get; private set; }

    /// <summary>Appends a batch; false when the bound would be exceeded (nothing written).</summary>
    public bool TryAppend(IReadOnlyList<OutgoingEvent> batch)
    {
        long size = Magic.Length + 4;
        for (int i = 0; i < batch.Count; i++) size += 13 + batch[i].Payload.Length;
        if (PendingBytes + size > _options.MaxBytes) return false;

        long seq = _nextSequence++;
        string final = PathOf(seq);
        string tmp = final + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            Span<byte> header = stackalloc byte[13];
            fs.Write(Magic);
            BinaryPrimitives.WriteInt32LittleEndian(header, batch.Count);
            fs.Write(header[..4]);
            for (int i = 0; i < batch.Count; i++)
            {
                var e = batch[i];
                BinaryPrimitives.WriteInt64LittleEndian(header, e.TimestampTicks);
                header[8] = (byte)e.Level;
                BinaryPrimitives.WriteInt32LittleEndian(header[9..], e.Payload.Length);
                fs.Write(header);
                fs.Write(e.Payload.Span);
            }
            fs.Flush(flushToDisk: _options.FlushToDisk);
        }
        File.Move(tmp, final, overwrite: true);
        _files.AddLast((seq, batch.Count, size));
        PendingEvents += batch.Count;
        PendingBytes += size;
        return true;
    }

    /// <summary>Reads the oldest batch into <paramref name="into"/> (cleared first); false when the queue is empty.</summary>
    public bool TryPeek(List<OutgoingEvent> into)
    {
        into.Clear();
        while (_files.First is { } node)
        {
            string path = PathOf(node.Value.Sequence);
            byte[] data;
            try
            {
                data = File.ReadAllBytes(path);
            }
            catch (FileNotFoundException)
            {
                RemoveFirst();
                continue;
            }
            if (Parse(data, into)) return true;
            SelfLog.Write("spill", $"spill file {path} is unreadable; moved aside and its {node.Value.Count} events counted as dropped");
            Quarantine(path);
            CorruptEvents += node.Value.Count;
            RemoveFirst();
            into.Clear();
        }
        return false;
    }

    /// <summary>Events lost because a spill file could not be read back.</summary>
    public long CorruptEvents { get; private set; }

    /// <summary>Deletes the oldest batch (after it was delivered).</summary>
    public void RemoveOldest()
    {
        if (_files.First is not { } node) return;
        TryDelete(PathOf(node.Value.Sequence));
        RemoveFirst();
    }

    private void RemoveFirst()
    {
        var v = _files.First!.Value;
        _files.RemoveFirst();
        PendingEvents -= v.Count;
        PendingBytes -= v.Bytes;
    }

    private string PathOf(long seq) => Path.Combine(_options.Directory, seq.ToString("D20", CultureInfo.InvariantCulture) + ".spill");

    private static bool Parse(byte[] data, List<OutgoingEvent> into)
    {
        if (data.Length < Magic.Length + 4 || !data.AsSpan(0, Magic.Length).SequenceEqual(Magic)) return false;
        int count = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(Magic.Length));
        int pos = Magic.Length + 4;
        for (int i = 0; i < count; i++)
        {
            if (pos + 13 > data.Length) return false;
            long ticks = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(pos));
            var level = (LogLevel)data[pos + 8];
            int len = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(pos + 9));
            pos += 13;
            if (len < 0 || pos + len > data.Length) return false;
            into.Add(new OutgoingEvent(data.AsMemory(pos, len), ticks, level));
            pos += len;
        }
        return pos == data.Length;
    }

    private static int ReadCount(string path)
    {
        try
        {
            using var fs = File.OpenRead(path);
            Span<byte> head = stackalloc byte[12];
            if (fs.ReadAtLeast(head, 12, throwOnEndOfStream: false) < 12 || !head[..8].SequenceEqual(Magic)) return -1;
            return BinaryPrimitives.ReadInt32LittleEndian(head[8..]);
        }
        catch (IOException) { return -1; }
    }

    private static void Quarantine(string path)
    {
        try { File.Move(path, path + ".bad", overwrite: true); } catch (IOException) { TryDelete(path); }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { /* retried on next open */ }
    }
}
