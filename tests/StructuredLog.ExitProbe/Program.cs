// Logs N events through a pipeline that is never disposed, then returns from Main:
// the process-exit hook must flush them all to the file.
using StructuredLog;
using StructuredLog.Sinks;

string path = args[0];
int count = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var pipeline = new LogPipelineBuilder()
    .WriteTo(new StreamSink(path, options: new BatchingOptions { Period = TimeSpan.FromMinutes(5), BatchSizeLimit = 1_000_000 }))
    .Build();
var log = pipeline.GetLogger("Probe");
for (int i = 0; i < count; i++) log.Info("event {Seq}", i);
return 0;
