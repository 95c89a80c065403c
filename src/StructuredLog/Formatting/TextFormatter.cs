using System.Buffers;
using StructuredLog.Events;

namespace StructuredLog.Formatting;

/// <summary>
/// Human-readable lines for consoles: <c>2026-11-25T19:43:34.123Z INF Orders: Order 42 shipped {RequestId=7}</c>.
/// Message and values are escaped so that an event is exactly one line (unless
/// <see cref="MultilineExceptions"/> puts an exception's lines below it, each indented). ANSI colours
/// only when asked (the console sink asks when it writes to a terminal).
/// </summary>
public sealed class TextFormatter : ILogFormatter
{
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_scratch;
    [ThreadStatic] private static LineState? t_state;

    /// <summary>Creates a formatter.</summary>
    public TextFormatter(bool colors = false, bool multilineExceptions = false, bool includeProperties = true)
    {
        Colors = colors;
        MultilineExceptions = multilineExceptions;
        IncludeProperties = includeProperties;
    }

    /// <summary>Write ANSI colour codes for levels.</summary>
    public bool Colors { get; }

    /// <summary>Write an exception's stack trace on indented lines below the event instead of escaped on its line.</summary>
    public bool MultilineExceptions { get; }

    /// <summary>Append properties that the message does not show (enrichment, scopes) as <c>{Name=value, ...}</c>.</summary>
    public bool IncludeProperties { get; }

    /// <summary>True: the formatter's caches are per thread, so the pipeline may format on two threads at once.</summary>
    public bool SupportsConcurrentFormatting => true;

    /// <inheritdoc />
    /// <remarks>
    /// The line is written in place: the timestamp from a per-second cache, the category's escaped bytes
    /// from a per-thread cache, literal text and values straight into the output when they hold nothing to
    /// escape. The bytes are those of rendering the message (<see cref="LogEvent.RenderMessage(IBufferWriter{byte})"/>)
    /// and escaping it with <see cref="LineEscaping"/>.
    /// </remarks>
    public void Format(in LogEvent e, IBufferWriter<byte> output)
    {
        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(1024);
        var state = t_state ??= new LineState();
        var w = new TextLineWriter(output);
        state.WriteTimestamp(ref w, e.Record.TimestampTicks);
        if (Colors)
        {
            w.Raw(ColorFor(e.Level));
            w.Raw(LevelNames.ShortUtf8(e.Level));
            w.Raw("\u001b[0m "u8);
        }
        else
        {
            w.Raw(LevelNames.ShortUtf8(e.Level));
            w.Byte((byte)' ');
        }
        state.WriteCategory(ref w, e.Category, scratch);
        w.Raw(": "u8);
        WriteMessage(ref w, e, scratch);

        if (IncludeProperties) WriteExtraProperties(ref w, e, scratch);
        if (e.Exception is { } ex)
        {
            scratch.ResetWrittenCount();
            LogValue.WriteString(scratch, JsonFormatter.ExceptionText(ex));
            if (MultilineExceptions)
            {
                foreach (var line in new LineSplitter(scratch.WrittenSpan))
                {
                    w.Raw("\n    "u8);
                    w.Escaped(line);
                }
            }
            else
            {
                w.Raw(" | "u8);
                w.Escaped(scratch.WrittenSpan);
            }
        }
        w.Byte((byte)'\n');
        w.Complete();
    }

    /// <summary>The message as <see cref="LogEvent.RenderMessage(IBufferWriter{byte})"/> renders it, escaped piece by piece (each piece is whole UTF-8 characters, so that equals escaping it all at once).</summary>
    private static void WriteMessage(ref TextLineWriter w, in LogEvent e, ArrayBufferWriter<byte> scratch)
    {
        int maxChars = e.MaxValueChars;
        foreach (var token in e.Template.TokenArray)
        {
            if (token.LiteralUtf8 is { } literal)
            {
                w.Escaped(literal);
            }
            else if (e.TryGetHoleValue(token, out var p))
            {
                if (p.Destructure && p.Value.Kind == LogValueKind.Object)
                {
                    scratch.ResetWrittenCount();
                    Destructurer.WriteJsonText(scratch, p.Value.AsObject!);
                    w.Escaped(scratch.WrittenSpan);
                }
                else
                {
                    w.Value(p.Value, token.Format ?? p.Format, maxChars, scratch);
                }
            }
            else
            {
                w.String(token.Text, int.MaxValue, scratch);
            }
        }
    }

    private static void WriteExtraProperties(ref TextLineWriter w, in LogEvent e, ArrayBufferWriter<byte> scratch)
    {
        bool open = false;
        var props = e.Properties;
        for (int i = e.ArgumentCount; i < props.Length; i++) Write(ref w, props[i], ref open, scratch);
        for (var scope = e.Scope; scope is not null; scope = scope.Parent)
            foreach (var p in scope.PropertyArray) Write(ref w, p, ref open, scratch);
        if (open) w.Byte((byte)'}');

        static void Write(ref TextLineWriter w, in LogProperty p, ref bool open, ArrayBufferWriter<byte> scratch)
        {
            w.Raw(open ? ", "u8 : " {"u8);
            open = true;
            w.String(p.Name, int.MaxValue, scratch);
            w.Byte((byte)'=');
            w.Value(p.Value, p.Format, int.MaxValue, scratch);
        }
    }

    /// <summary>Per-thread caches: the current second's date and time, and categories' escaped bytes.</summary>
    private sealed class LineState
    {
        private const int MaxCategories = 4096;
        private readonly UtcSecondText _time = new();
        private readonly Dictionary<string, byte[]> _categories = new(ReferenceEqualityComparer.Instance as IEqualityComparer<string>);
        private string? _lastCategory;
        private byte[] _lastCategoryBytes = [];

        /// <summary>Writes <c>yyyy-MM-ddTHH:mm:ss.fffZ </c> (milliseconds cut, not rounded, as the <c>fff</c> format does).</summary>
        public void WriteTimestamp(ref TextLineWriter w, long ticks)
        {
            const int SecondLength = UtcSecondText.Length; // "yyyy-MM-ddTHH:mm:ss."
            long second = ticks / TimeSpan.TicksPerSecond;
            var span = w.Reserve(SecondLength + 5);
            _time.For(second).CopyTo(span);
            uint millis = (uint)(ticks - second * TimeSpan.TicksPerSecond) / (uint)TimeSpan.TicksPerMillisecond;
            uint hundreds = millis / 100;
            uint rest = millis - hundreds * 100;
            span[SecondLength] = (byte)('0' + hundreds);
            span[SecondLength + 1] = (byte)('0' + rest / 10);
            span[SecondLength + 2] = (byte)('0' + rest % 10);
            span[SecondLength + 3] = (byte)'Z';
            span[SecondLength + 4] = (byte)' ';
            w.Advance(SecondLength + 5);
        }

        /// <summary>The category, transcoded and escaped once per logger's name string (compared by reference, as loggers keep theirs).</summary>
        public void WriteCategory(ref TextLineWriter w, string category, ArrayBufferWriter<byte> scratch)
        {
            if (!ReferenceEquals(category, _lastCategory))
            {
                if (!_categories.TryGetValue(category, out var bytes))
                {
                    if (_categories.Count >= MaxCategories)
                    {
                        w.String(category, int.MaxValue, scratch); // unbounded names: written, not kept
                        return;
                    }
                    var escaped = new ArrayBufferWriter<byte>(category.Length + 16);
                    scratch.ResetWrittenCount();
                    LogValue.WriteString(scratch, category);
                    LineEscaping.Write(escaped, scratch.WrittenSpan);
                    _categories[category] = bytes = escaped.WrittenSpan.ToArray();
                }
                _lastCategory = category;
                _lastCategoryBytes = bytes;
            }
            w.Raw(_lastCategoryBytes);
        }
    }

    private static ReadOnlySpan<byte> ColorFor(LogLevel level) => level switch
    {
        LogLevel.Trace => "\u001b[90m"u8,
        LogLevel.Debug => "\u001b[37m"u8,
        LogLevel.Info => "\u001b[32m"u8,
        LogLevel.Warn => "\u001b[33m"u8,
        LogLevel.Error => "\u001b[31m"u8,
        _ => "\u001b[41;97m"u8,
    };

    private ref struct LineSplitter
    {
        private ReadOnlySpan<byte> _rest;
        public LineSplitter(ReadOnlySpan<byte> text) { _rest = text; Current = default; }
        public ReadOnlySpan<byte> Current { get; private set; }
        public readonly LineSplitter GetEnumerator() => this;
        public bool MoveNext()
        {
            if (_rest.IsEmpty) return false;
            int nl = _rest.IndexOf((byte)'\n');
            if (nl < 0) { Current = _rest; _rest = default; }
            else { Current = _rest[..nl].TrimEnd((byte)'\r'); _rest = _rest[(nl + 1)..]; }
            return true;
        }
    }
}
