using StructuredLog.Sinks.Network.Http;
using StructuredLog.Sinks.Network.Spill;
using StructuredLog.Sinks.Network.Tests.Http;
using StructuredLog.TestSupport.Http;

namespace StructuredLog.Sinks.Network.Tests.Spill;

/// <summary>Durable spill through real outages of a Kestrel receiver.</summary>
public sealed class DurableSpillTests : IAsyncLifetime
{
    private HttpReceiver _receiver = null!;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sl-spill-" + Guid.NewGuid().ToString("N")[..12]);

    public async Task InitializeAsync() => _receiver = await HttpReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private HttpBatchSinkOptions Options(long maxBytes = 512L * 1024 * 1024) => new(new Uri(_receiver.BaseUri, "ingest"))
    {
        Batching = new BatchingOptions { BatchSizeLimit = 1000, Period = TimeSpan.FromMilliseconds(50), MinBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromSeconds(1), WriteTimeout = TimeSpan.FromSeconds(10) },
        Spill = new DurableSpillOptions(_dir) { MaxBytes = maxBytes, MinReplayDelay = TimeSpan.FromMilliseconds(50), MaxReplayDelay = TimeSpan.FromMilliseconds(500) },
    };

    private static void AssertExactlyOnceInOrder(HttpReceiver receiver, int count)
    {
        var seqs = HttpBatchSinkTests.Sequences(receiver.Accepted);
        Assert.Equal(count, seqs.Count);
        for (int i = 0; i < count; i++)
        {
            if (seqs[i] != i) Assert.Fail($"position {i} holds event {seqs[i]}: duplicated, lost or out of order");
        }
    }

    [Fact]
    public async Task Outage_of_several_seconds_while_logging_100000_events_loses_and_duplicates_nothing()
    {
        const int total = 100_000;
        await using var sink = new HttpBatchSink(Options());
        await using var pipeline = new LogPipelineBuilder().WriteTo(sink).Build();
        var log = pipeline.GetLogger("Outage");
        for (int i = 0; i < 1000; i++) log.Info("event {Seq}", i);
        await pipeline.FlushAsync();
        Assert.Equal(1000, _receiver.AcceptedLineCount);

        await _receiver.StopAsync();
        var down = DateTime.UtcNow;
        for (int i = 1000; i < total; i++) log.Info("event {Seq}", i);
        await pipeline.FlushAsync(); // returns once every batch is on disk
        var spilled = sink.Spill;
        Assert.True(spilled.Pending > 0, "nothing was spilled while the receiver was down");
        Assert.Equal(0, sink.EventsFailed);
        // keep the receiver down for a few seconds in total: replay attempts must keep failing harmlessly
        var remaining = TimeSpan.FromSeconds(3) - (DateTime.UtcNow - down);
        if (remaining > TimeSpan.Zero) await Task.Delay(remaining);

        await _receiver.StartAsync();
        await _receiver.WaitForAsync(_ => _receiver.AcceptedLineCount >= total, TimeSpan.FromSeconds(60));
        AssertExactlyOnceInOrder(_receiver, total);
        Assert.Equal(0, sink.Spill.Dropped);
        Assert.Equal(sink.Spill.Spilled, sink.Spill.Replayed);
        Assert.Empty(Directory.GetFiles(_dir, "*.spill"));
    }

    [Fact]
    public async Task Spilled_events_survive_a_restart_and_are_replayed_by_a_new_sink_before_new_events()
    {
        // "Restart" = the first sink is disposed (as at process exit) and a new sink instance opens the same spill directory.
        await _receiver.StopAsync();
        await using (var first = new HttpBatchSink(Options()))
        {
            await using var pipeline = new LogPipelineBuilder().WriteTo(first).Build();
            var log = pipeline.GetLogger("Restart");
            for (int i = 0; i < 20_000; i++) log.Info("event {Seq}", i);
            await pipeline.FlushAsync();
            Assert.Equal(20_000, first.Spill.Pending);
        }
        Assert.NotEmpty(Directory.GetFiles(_dir, "*.spill"));
        Assert.Empty(_receiver.Requests);

        await _receiver.StartAsync();
        await using var second = new HttpBatchSink(Options());
        await using (var pipeline = new LogPipelineBuilder().WriteTo(second).Build())
        {
            var log = pipeline.GetLogger("Restart");
            for (int i = 20_000; i < 21_000; i++) log.Info("event {Seq}", i);
            await pipeline.FlushAsync();
            await _receiver.WaitForAsync(_ => _receiver.AcceptedLineCount >= 21_000, TimeSpan.FromSeconds(30));
        }
        AssertExactlyOnceInOrder(_receiver, 21_000);
        // events logged while the replay was still running queue behind it on disk, so they are replayed too
        Assert.Equal(20_000 + second.Spill.Spilled, second.Spill.Replayed);
        Assert.Empty(Directory.GetFiles(_dir, "*.spill"));
    }

    [Fact]
    public async Task Spilled_events_survive_a_real_process_restart()
    {
        // Process 1 logs 20,000 events while the receiver is down and exits; process 2 starts over the same
        // directory with the receiver up, logs 1,000 more and exits once its spill is empty.
        await _receiver.StopAsync();
        var (code1, out1) = await RunProbeAsync(0, 20_000, drain: false);
        Assert.True(code1 == 0, out1);
        Assert.Contains("spilled=20000", out1);
        Assert.NotEmpty(Directory.GetFiles(_dir, "*.spill"));
        Assert.Empty(_receiver.Requests);

        await _receiver.StartAsync();
        var (code2, out2) = await RunProbeAsync(20_000, 1_000, drain: true);
        Assert.True(code2 == 0, out2);
        AssertExactlyOnceInOrder(_receiver, 21_000);
        Assert.Empty(Directory.GetFiles(_dir, "*.spill"));
    }

    private async Task<(int ExitCode, string Output)> RunProbeAsync(int first, int count, bool drain)
    {
        // tests/X.Tests/bin/<Config>/net10.0 → tests/StructuredLog.Sinks.Network.SpillProbe/bin/<Config>/net10.0
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string config = here.Parent!.Name;
        string probe = Path.GetFullPath(Path.Combine(here.FullName, "..", "..", "..", "..", "StructuredLog.Sinks.Network.SpillProbe", "bin", config, "net10.0", "StructuredLog.Sinks.Network.SpillProbe.dll"));
        Assert.True(File.Exists(probe), "probe not built: " + probe);
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "exec", probe, new Uri(_receiver.BaseUri, "ingest").ToString(), _dir, first.ToString(), count.ToString(), drain.ToString() }) psi.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task Past_the_bound_batches_are_dropped_and_counted_and_the_rest_replays_in_order()
    {
        await _receiver.StopAsync();
        var options = Options(maxBytes: 300 * 1024);
        options.Batching.BatchSizeLimit = 100;
        await using var sink = new HttpBatchSink(options);
        await using (var pipeline = new LogPipelineBuilder().WriteTo(sink).Build())
        {
            var log = pipeline.GetLogger("Bound");
            for (int i = 0; i < 5000; i++) log.Info("event {Seq}", i);
            await pipeline.FlushAsync();
            var c = sink.Spill;
            Assert.True(c.Dropped > 0, "the bound was never reached");
            Assert.Equal(5000, c.Spilled + c.Dropped);
            Assert.Equal(c.Dropped, sink.EventsFailed);

            await _receiver.StartAsync();
            await _receiver.WaitForAsync(_ => _receiver.AcceptedLineCount >= c.Spilled, TimeSpan.FromSeconds(30));
            var seqs = HttpBatchSinkTests.Sequences(_receiver.Accepted);
            Assert.Equal(c.Spilled, seqs.Count);
            Assert.Equal(Enumerable.Range(0, (int)c.Spilled).Select(i => (long)i), seqs); // the oldest are kept, the newest dropped
        }
    }
}
