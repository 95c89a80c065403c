using System.Buffers;
using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using StructuredLog.Events;
using StructuredLog.Formatting;

namespace StructuredLog.Benchmarks;

/// <summary>
/// The pieces the targets are bounded by, measured alone on this machine: what one enabled call has
/// to read on the calling thread (clock, Activity.Current, an uncontended compare-and-swap), and what
/// the writer thread spends formatting one event as a JSON line (the end-to-end floor per event,
/// before any I/O).
/// </summary>
[MemoryDiagnoser]
public class CostBreakdownBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(1 << 20);
    private long _cell;
    private EventRecord _record = null!;
    private readonly ArrayBufferWriter<byte> _scratch = new(4096);
    private readonly ILogFileEncoder _fileEncoder = Formatting.MessagePack.MessagePackFormatter.Default.StartFile();

    [GlobalSetup]
    public void Setup()
    {
        var template = MessageTemplate.Parse("Processed order {A} in {B} ms for {C}");
        _record = new EventRecord
        {
            TimestampTicks = DateTime.UtcNow.Ticks,
            Level = LogLevel.Info,
            Category = "Benchmarks.Orders",
            Template = template,
            MaxValueChars = 32 * 1024,
        };
        // Named with the template's own name strings, as the writer's Materialize does (formatters rely on
        // that to use the template's precomputed escaped names).
        _record.AddProperty(new LogProperty(template.PropertyNames[0], LogValue.From(4711)));
        _record.AddProperty(new LogProperty(template.PropertyNames[1], LogValue.From(1177.75)));
        _record.AddProperty(new LogProperty(template.PropertyNames[2], LogValue.From("alice")));
        _record.ArgumentCount = 3;
    }

    [Benchmark(Description = "Calling thread: DateTime.UtcNow")]
    public long UtcNow() => DateTime.UtcNow.Ticks;

    [Benchmark(Description = "Calling thread: Stopwatch.GetTimestamp")]
    public long MonotonicClock() => Stopwatch.GetTimestamp();

    [Benchmark(Description = "Calling thread: Activity.Current (none)")]
    public Activity? CurrentActivity() => Activity.Current;

    [Benchmark(Description = "Calling thread: uncontended CAS")]
    public long CompareExchange() => Interlocked.CompareExchange(ref _cell, _cell + 1, _cell);

    [Benchmark(Description = "Writer: JSON line for one 3-arg event")]
    public int FormatJson()
    {
        if (_output.WrittenCount > (1 << 19)) _output.ResetWrittenCount();
        JsonFormatter.Default.Format(new LogEvent(_record), _output);
        return _output.WrittenCount;
    }

    private readonly TextFormatter _text = new();

    /// <summary>The same event as a console line (<see cref="TextFormatter"/>, no colours).</summary>
    [Benchmark(Description = "Writer: text line for one 3-arg event")]
    public int FormatText()
    {
        if (_output.WrittenCount > (1 << 19)) _output.ResetWrittenCount();
        _text.Format(new LogEvent(_record), _output);
        return _output.WrittenCount;
    }

    private readonly NumberMemo _memo = new();

    /// <summary>The part of the JSON line that formats the event's numbers (the int and the double, once each).</summary>
    [Benchmark(Description = "Writer: the numbers of one 3-arg event (NumberMemo)")]
    public void FormatNumbers() => _memo.Prepare(new LogEvent(_record));

    /// <summary>The same event as a MessagePack record, as a file sink writes it (formatter, then the per-file encoder that keeps definitions once per file).</summary>
    [Benchmark(Description = "Writer: MessagePack record for one 3-arg event")]
    public int FormatMessagePack()
    {
        if (_output.WrittenCount > (1 << 19)) _output.ResetWrittenCount();
        _scratch.ResetWrittenCount();
        Formatting.MessagePack.MessagePackFormatter.Default.Format(new LogEvent(_record), _scratch);
        _fileEncoder.Append(_scratch.WrittenSpan, _output);
        return _output.WrittenCount;
    }

    /// <summary>
    /// The I/O floor: appending one line of the size StructuredLog writes per event (210 bytes) to a file
    /// through a 64 KB-buffered FileStream, i.e. the kernel's copy into the page cache and the file
    /// system's block allocation, per event. Nothing is formatted.
    /// </summary>
    [Benchmark(Description = "File: append one 210-byte line (FileStream, 64 KB buffer)")]
    public long AppendLine()
    {
        if (_file.Position > 256L << 20) _file.SetLength(_file.Position = 0);
        _file.Write(_line);
        return _file.Position;
    }

    private FileStream _file = null!;
    private readonly byte[] _line = CreateLine();

    private static byte[] CreateLine()
    {
        var line = new byte[210];
        Array.Fill(line, (byte)'x');
        line[^1] = (byte)'\n';
        return line;
    }

    [GlobalSetup(Target = nameof(AppendLine))]
    public void SetupFile() =>
        _file = new FileStream(Path.Combine(Path.GetTempPath(), $"sl-breakdown-{Environment.ProcessId}.jsonl"), FileMode.Create, FileAccess.Write, FileShare.Read, 64 * 1024);

    [GlobalCleanup(Target = nameof(AppendLine))]
    public void CleanupFile()
    {
        string path = _file.Name;
        _file.Dispose();
        File.Delete(path);
    }

    [Benchmark(Description = "Writer: render the message only")]
    public int RenderMessage()
    {
        if (_output.WrittenCount > (1 << 19)) _output.ResetWrittenCount();
        new LogEvent(_record).RenderMessage(_output);
        return _output.WrittenCount;
    }
}
