using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using StructuredLog.Formatting.MessagePack;
using StructuredLog.Sinks.File;

namespace StructuredLog.Cli;

/// <summary>
/// <c>slog cat [--format json|text] [--follow] PATH...</c>. A PATH is a file (plain, <c>.gz</c> or <c>.zst</c>)
/// or the configured path of a rolled set (<c>logs/app.mpk</c>), which stands for every file of the set.
/// MessagePack files are converted; JSON-lines files pass through (or become text).
/// </summary>
internal static class SlogCommand
{
    private const string Usage = "usage: slog cat [--format json|text] [--follow] [--poll-ms N] PATH...";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (args.Length == 0 || args[0] != "cat")
        {
            await stderr.WriteLineAsync(Usage);
            return 2;
        }
        string format = "json";
        bool follow = false;
        int pollMs = 250;
        var inputs = new List<string>();
        for (int i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--format" or "-f" when i + 1 < args.Length: format = args[++i]; break;
                case "--follow" or "-F": follow = true; break;
                case "--poll-ms" when i + 1 < args.Length && int.TryParse(args[i + 1], out pollMs): i++; break;
                default:
                    if (args[i].StartsWith('-')) { await stderr.WriteLineAsync($"unknown option {args[i]}\n{Usage}"); return 2; }
                    inputs.Add(args[i]);
                    break;
            }
        }
        if (format is not ("json" or "text") || inputs.Count == 0)
        {
            await stderr.WriteLineAsync(Usage);
            return 2;
        }
        var files = new List<string>();
        RolledFileSet? followSet = null;
        foreach (var input in inputs)
        {
            // A path that names a rolled set stands for the whole set (app.mpk -> app.mpk, app.001.mpk.gz, ...).
            var set = new RolledFileSet(input);
            var found = set.Find();
            if (found.Count > 0)
            {
                files.AddRange(found.Select(f => f.Path));
                followSet = set;
            }
            else if (File.Exists(input))
            {
                files.Add(Path.GetFullPath(input));
            }
            else if (follow)
            {
                followSet = set; // wait for it to appear
            }
            else
            {
                await stderr.WriteLineAsync($"slog: {input}: no such file or rolled set");
                return 1;
            }
        }
        files = LogFileOrder.Sort(files.Distinct());
        if (follow && followSet is null && files.Count > 0) followSet = new RolledFileSet(LogFileOrder.SetPathOf(files[^1]));
        var output = new Output(stdout, format == "text");
        try
        {
            for (int i = 0; i < files.Count; i++)
            {
                bool last = i == files.Count - 1;
                if (follow && last && !IsCompressed(files[i])) await FollowAsync(files[i], followSet, output, pollMs, cancellationToken);
                else CopyFile(files[i], output);
            }
            if (follow && files.Count == 0 && followSet is not null) await FollowAsync(null, followSet, output, pollMs, cancellationToken);
            if (follow && files.Count > 0 && IsCompressed(files[^1]) && followSet is not null) await FollowAsync(null, followSet, output, pollMs, cancellationToken, after: files[^1]);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (InvalidDataException ex)
        {
            await stdout.FlushAsync(CancellationToken.None);
            await stderr.WriteLineAsync("slog: " + ex.Message);
            return 1;
        }
        await stdout.FlushAsync(CancellationToken.None);
        return 0;
    }

    private static bool IsCompressed(string path) => path.EndsWith(".gz", StringComparison.Ordinal) || path.EndsWith(".zst", StringComparison.Ordinal);

    private static Stream Open(string path)
    {
        Stream raw = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
        if (path.EndsWith(".gz", StringComparison.Ordinal)) return new GZipStream(raw, CompressionMode.Decompress);
        if (path.EndsWith(".zst", StringComparison.Ordinal)) return new ZstdSharp.DecompressionStream(raw);
        return raw;
    }

    /// <summary>
    /// Opens <paramref name="path"/>; when a plain rolled file was compressed away between listing and opening
    /// (the sink moves the <c>.gz</c>/<c>.zst</c> in place before it deletes the plain file), opens the
    /// compressed file instead and sets <paramref name="path"/> to it.
    /// </summary>
    internal static Stream OpenCurrent(ref string path)
    {
        try
        {
            return Open(path);
        }
        catch (FileNotFoundException) when (!IsCompressed(path))
        {
            foreach (string suffix in (ReadOnlySpan<string>)[".gz", ".zst"])
            {
                if (!File.Exists(path + suffix)) continue;
                path += suffix;
                return Open(path);
            }
            throw;
        }
    }

    private static void CopyFile(string path, Output output) => Copy(OpenCurrent(ref path), output);

    private static void Copy(Stream opened, Output output)
    {
        using var stream = new BufferedStream(opened, 64 * 1024);
        var file = new FileReader(stream);
        file.Drain(output);
    }

    /// <summary>Prints what the file holds, then waits for more; moves on to the next file of the set when one appears.</summary>
    private static async Task FollowAsync(string? path, RolledFileSet? set, Output output, int pollMs, CancellationToken ct, string? after = null)
    {
        while (true)
        {
            if (path is null)
            {
                // Wait for the (next) file of the set.
                while (true)
                {
                    ct.ThrowIfCancellationRequested();
                    var next = NextFile(set, after);
                    if (next is not null) { path = next; break; }
                    await Task.Delay(pollMs, ct);
                }
                if (IsCompressed(path))
                {
                    CopyFile(path, output);
                    after = path;
                    path = null;
                    continue;
                }
            }
            var opened = OpenCurrent(ref path);
            if (IsCompressed(path))
            {
                // Listed plain, compressed before we opened it: it is complete, read it whole.
                Copy(opened, output);
                after = path;
                path = null;
                continue;
            }
            using var stream = opened;
            var file = new FileReader(stream);
            while (true)
            {
                file.Drain(output);
                output.Flush();
                string? newer = NextFile(set, path);
                if (newer is not null)
                {
                    file.Drain(output); // what was written before the roll
                    break;
                }
                if (!File.Exists(path)) break; // compressed away after the roll: the set lists its .gz, which we already read up to here
                await Task.Delay(pollMs, ct);
            }
            after = path;
            path = null;
        }
    }

    private static string? NextFile(RolledFileSet? set, string? after)
    {
        if (set is null) return null;
        var files = set.Find();
        if (after is null) return files.Count > 0 ? files[0].Path : null;
        string afterPlain = IsCompressed(after) ? after[..after.LastIndexOf('.')] : after;
        for (int i = 0; i < files.Count; i++)
        {
            string plain = files[i].Compression == RolledFileCompression.None ? files[i].Path : files[i].Path[..files[i].Path.LastIndexOf('.')];
            if (plain == afterPlain) return i + 1 < files.Count ? files[i + 1].Path : null;
        }
        return null;
    }

    /// <summary>Reads one file: MessagePack records or JSON lines, decided by its first byte; keeps partial data for the next call.</summary>
    private sealed class FileReader(Stream stream)
    {
        private MessagePackLogReader? _messagePack;
        private StreamReader? _lines;
        private readonly StringBuilder _partialLine = new();

        public void Drain(Output output)
        {
            if (_messagePack is null && _lines is null)
            {
                int first = stream.ReadByte();
                if (first < 0) return;
                var prefixed = new PrefixStream((byte)first, stream);
                if (first is >= 0x90 and <= 0x9f or 0xdc or 0xdd) _messagePack = new MessagePackLogReader(prefixed, leaveOpen: true);
                else _lines = new StreamReader(prefixed, Encoding.UTF8);
            }
            if (_messagePack is not null)
            {
                while (_messagePack.TryRead(out var record)) output.Write(record);
                return;
            }
            // JSON lines: only complete lines are printed; a partial one waits for its end.
            var buffer = new char[8192];
            int n;
            while ((n = _lines!.Read(buffer, 0, buffer.Length)) > 0)
            {
                int start = 0;
                for (int i = 0; i < n; i++)
                {
                    if (buffer[i] != '\n') continue;
                    _partialLine.Append(buffer, start, i - start);
                    output.WriteJsonLine(_partialLine.ToString());
                    _partialLine.Clear();
                    start = i + 1;
                }
                _partialLine.Append(buffer, start, n - start);
            }
        }
    }

    /// <summary>A stream that yields one byte already read, then the rest.</summary>
    private sealed class PrefixStream(byte first, Stream inner) : Stream
    {
        private bool _firstDone;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (count == 0) return 0;
            if (!_firstDone)
            {
                _firstDone = true;
                buffer[offset] = first;
                return 1 + inner.Read(buffer, offset + 1, count - 1);
            }
            return inner.Read(buffer, offset, count);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class Output(TextWriter writer, bool text)
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(4096);

        public void Write(LogRecord record)
        {
            if (text)
            {
                LogRecordWriter.WriteTextLine(record, writer);
                return;
            }
            _buffer.ResetWrittenCount();
            LogRecordWriter.WriteJsonLine(record, _buffer);
            writer.Write(Encoding.UTF8.GetString(_buffer.WrittenSpan));
        }

        public void WriteJsonLine(string line)
        {
            if (!text)
            {
                writer.Write(line);
                writer.Write('\n');
                return;
            }
            try
            {
                using var doc = JsonDocument.Parse(line);
                var e = doc.RootElement;
                string Get(string name) => e.TryGetProperty(name, out var v) ? v.ToString() : "";
                var record = new LogRecord
                {
                    Timestamp = e.TryGetProperty("@t", out var t) && t.TryGetDateTime(out var dt) ? dt.ToUniversalTime() : default,
                    Level = Enum.TryParse<LogLevel>(Get("@l"), out var l) ? l : LogLevel.Info,
                    Category = Get("@c"),
                    Message = Get("@m"),
                    Exception = e.TryGetProperty("@x", out var x) ? x.GetString() : null,
                };
                LogRecordWriter.WriteTextLine(record, writer);
            }
            catch (JsonException)
            {
                writer.WriteLine(line);
            }
        }

        public void Flush() => writer.Flush();
    }
}
