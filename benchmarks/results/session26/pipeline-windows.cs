#:property PublishAot=false
#:project /work/main/src/StructuredLog/StructuredLog.csproj
using System.Diagnostics;
using StructuredLog;
using StructuredLog.Sinks;
// Events per second in windows of 50,000 calls, over a 1,000,000-event pipeline, after warming up with 20 pipelines.
int events = 1_000_000, window = 50_000;
string[] customers = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"];
var all = new List<double[]>();
for (int r = 0; r < 40; r++)
{
    var path = Path.Combine(Path.GetTempPath(), $"win-{Environment.ProcessId}-{r}.jsonl");
    var options = StreamSink.CreateDefaultOptions();
    options.FullMode = QueueFullMode.Block;
    var pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Info).BufferSize(16_384).FlushOnProcessExit(false).WriteTo(new StreamSink(Environment.GetEnvironmentVariable("NULLSINK") == "1" ? Stream.Null : new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 0), ownsStream: true, options: options)).Build();
    var log = pipeline.GetLogger("Benchmarks.Orders");
    var marks = new long[events / window + 2];
    marks[0] = Stopwatch.GetTimestamp();
    for (int i = 0; i < events; i++)
    {
        log.Info("Processed order {A} in {B} ms for {C}", i, i * 0.25, customers[i & 7]);
        if ((i + 1) % window == 0) marks[(i + 1) / window] = Stopwatch.GetTimestamp();
    }
    await pipeline.DisposeAsync();
    marks[^1] = Stopwatch.GetTimestamp();
    File.Delete(path);
    if (r >= 20) all.Add(Enumerable.Range(1, marks.Length - 1).Select(k => Stopwatch.GetElapsedTime(marks[k - 1], marks[k]).TotalMilliseconds * 1e6 / (k == marks.Length - 1 ? 1 : window)).ToArray());
}
// median per window over the 20 measured pipelines: ns per call (the last entry: the dispose, in ms)
int n = all[0].Length;
for (int k = 0; k < n; k++)
{
    var v = all.Select(a => a[k]).OrderBy(x => x).ToArray();
    Console.Write(k == n - 1 ? $"| dispose {v[v.Length / 2] / 1e6:F2} ms" : $"{v[v.Length / 2]:F0} ");
}
Console.WriteLine();
