// Usage: CrashChild <path> <run-name> [count] [shared]
// Writes events to a rolling file set as fast as it can (flushing every 5 ms); with a count it stops,
// disposes cleanly and exits 0; without one it writes until killed. "shared" uses shared mode.
using StructuredLog;
using StructuredLog.Sinks.File;

string path = args[0];
string run = args[1];
long count = args.Length > 2 ? long.Parse(args[2]) : long.MaxValue;
bool shared = args.Length > 3 && args[3] == "shared";
var sink = new FileSink(new FileSinkOptions
{
    Path = path,
    RollingInterval = RollingInterval.None,
    FileSizeLimitBytes = shared ? 64 * 1024 : 256 * 1024,
    RetainedFileCountLimit = null,
    FlushInterval = TimeSpan.FromMilliseconds(5),
    BatchSizeLimit = 50,
    Shared = shared,
    QueueLimit = 1_000_000,
});
await using var pipeline = new LogPipelineBuilder().WriteTo(sink).Build();
var log = pipeline.GetLogger("Crash");
Console.WriteLine("started");
for (long i = 0; i < count; i++)
{
    log.Info("Run {Run} event {N} {Padding}", run, i, "some text to make the lines long enough to cross write boundaries");
    if (i % 2000 == 0) await Task.Yield();
}
