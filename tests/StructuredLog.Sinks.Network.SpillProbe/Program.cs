// Usage: SpillProbe <endpoint> <spill directory> <first sequence> <count> <wait for the spill to drain: true|false>
// Logs events {Seq} = first..first+count-1 through an HttpBatchSink with durable spill, then exits
// (optionally after the spill is empty, bounded by 60 s). Prints the sink's counters.
using StructuredLog;
using StructuredLog.Sinks;
using StructuredLog.Sinks.Network.Http;
using StructuredLog.Sinks.Network.Spill;

var endpoint = new Uri(args[0]);
string dir = args[1];
int first = int.Parse(args[2]);
int count = int.Parse(args[3]);
bool drain = bool.Parse(args[4]);

var sink = new HttpBatchSink(new HttpBatchSinkOptions(endpoint)
{
    Batching = new BatchingOptions { BatchSizeLimit = 1000, Period = TimeSpan.FromMilliseconds(50), MinBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromSeconds(1) },
    Spill = new DurableSpillOptions(dir) { MinReplayDelay = TimeSpan.FromMilliseconds(50), MaxReplayDelay = TimeSpan.FromMilliseconds(500) },
});
await using (var pipeline = new LogPipelineBuilder().WriteTo(sink).Build())
{
    var log = pipeline.GetLogger("SpillProbe");
    for (int i = first; i < first + count; i++) log.Info("event {Seq}", i);
    await pipeline.FlushAsync();
    if (drain)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (sink.Spill.Pending > 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
    }
    Console.WriteLine($"spilled={sink.Spill.Spilled} replayed={sink.Spill.Replayed} pending={sink.Spill.Pending} failed={sink.EventsFailed}");
}
return sink.Spill.Pending == 0 || !drain ? 0 : 2;
