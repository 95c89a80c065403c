// QuickStart: a realistic burst of structured events through the default pipeline,
// to the console (human text) and to a JSON-lines file.
using System.Diagnostics;
using StructuredLog;
using StructuredLog.Sinks;
using StructuredLog.Sinks.File;

string path = Path.Combine(args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "structuredlog-quickstart"), "app.jsonl");
if (File.Exists(path)) File.Delete(path);
// The rolling file sink; without time rolling the first file of the set is exactly `path`.
var fileSink = new FileSink(new FileSinkOptions { Path = path, RollingInterval = RollingInterval.None });

await using (var pipeline = new LogPipelineBuilder()
    .MinimumLevel(LogLevel.Debug)
    .Override("Noisy", LogLevel.Warn)
    .EnrichWithEnvironment()
    .EnrichWithProperty("Application", "QuickStart")
    .WriteTo(new ConsoleSink(), LogLevel.Info)
    .WriteTo(fileSink)
    .ReadEnvironment()
    .Build())
{
    var log = pipeline.GetLogger("Shop.Orders");
    var http = pipeline.GetLogger("Shop.Http");
    using var activitySource = new ActivitySource("QuickStart");
    using var listener = new ActivityListener
    {
        ShouldListenTo = _ => true,
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };
    ActivitySource.AddActivityListener(listener);

    log.Info("Service starting on {Host} with {Workers} workers", Environment.MachineName, Environment.ProcessorCount);
    var random = new Random(42);
    string[] paths = ["/orders", "/orders/{id}", "/cart", "/health"];
    for (int i = 0; i < 20; i++)
    {
        using var activity = activitySource.StartActivity("HTTP request");
        string method = i % 4 == 0 ? "POST" : "GET";
        string route = paths[i % paths.Length];
        using var scope = http.BeginScope("RequestId", $"req-{i:D4}", "Route", route);
        int status = i == 13 ? 500 : i % 7 == 0 ? 404 : 200;
        double elapsed = 3 + random.NextDouble() * 40;
        if (status == 500)
        {
            try
            {
                throw new InvalidOperationException("Inventory service timed out");
            }
            catch (Exception ex)
            {
                log.Error(ex, "Order {OrderId} failed for customer {CustomerId}", 1000 + i, Guid.NewGuid());
            }
        }
        else if (method == "POST")
        {
            decimal total = Math.Round((decimal)(random.NextDouble() * 200), 2);
            log.Info($"Order {1000 + i:@OrderId} placed: {total:@Total:F2} EUR for {3 + i % 5:@Items} items");
        }
        var level = status >= 500 ? LogLevel.Error : status >= 400 ? LogLevel.Warn : LogLevel.Info;
        if (level == LogLevel.Error) http.Error("{Method} {Path} responded {StatusCode} in {Elapsed:F1} ms", method, route, status, elapsed);
        else if (level == LogLevel.Warn) http.Warn("{Method} {Path} responded {StatusCode} in {Elapsed:F1} ms", method, route, status, elapsed);
        else http.Info("{Method} {Path} responded {StatusCode} in {Elapsed:F1} ms", method, route, status, elapsed);
        log.Debug("Cache hit ratio {Ratio:P0}", random.NextDouble());
    }
    log.Info("Login for {User} with {Password}", "alice", "hunter2"); // the password is redacted
    pipeline.GetLogger("Noisy.Poller").Info("this is filtered out by the Noisy override");
    log.Info("Burst done: {Enqueued} events enqueued", pipeline.EventsEnqueued);
}

Console.WriteLine();
Console.WriteLine($"JSON lines written to {path} ({File.ReadAllLines(path).Length} events)");
