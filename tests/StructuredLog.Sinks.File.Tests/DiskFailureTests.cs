using System.Diagnostics;
using StructuredLog.Sinks.File.Tests.Support;

namespace StructuredLog.Sinks.File.Tests;

public sealed class DiskFailureTests
{
    private static FileSinkOptions Options(string path, int queueLimit = 100_000) => new()
    {
        Path = path, RollingInterval = RollingInterval.None, Compression = RolledFileCompression.None,
        FlushInterval = TimeSpan.FromMilliseconds(20), MinRetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromMilliseconds(50), QueueLimit = queueLimit, BatchSizeLimit = 100,
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_failing_disk_is_retried_counted_and_loses_nothing_within_the_queue_bound(bool permissionDenied)
    {
        using var dir = new TempDirectory();
        var sink = new FileSink(Options(dir.File("f.log")));
        int failuresLeft = 5;
        sink.BeforeWrite = _ =>
        {
            if (Interlocked.Decrement(ref failuresLeft) >= 0)
            {
                throw permissionDenied ? new UnauthorizedAccessException("Access to the path is denied") : new IOException("No space left on device", 28);
            }
        };
        await using (var pipeline = new LogPipelineBuilder().WriteTo(sink).Build())
        {
            var log = pipeline.GetLogger("Disk");
            var ex = Record.Exception(() => { for (int i = 0; i < 1000; i++) log.Info("Kept {N}", i); });
            Assert.Null(ex);
            await pipeline.FlushAsync();
        }
        Assert.Equal(5, sink.WriteFailures);
        Assert.Equal(1000, sink.EventsWritten);
        Assert.Equal(0, sink.EventsDropped);
        Assert.Equal(0, sink.EventsFailed);
        var ns = FileSetReader.ParseAll(System.IO.File.ReadAllLines(dir.File("f.log"))).Select(e => e.GetProperty("N").GetInt32());
        Assert.Equal(Enumerable.Range(0, 1000), ns);
    }

    [Fact]
    public async Task Past_the_queue_bound_events_are_dropped_and_counted_exactly_and_writing_resumes()
    {
        using var dir = new TempDirectory();
        var sink = new FileSink(Options(dir.File("q.log"), queueLimit: 300));
        FaultSwitch failing = new() { Value = true };
        sink.BeforeWrite = _ => { if (failing.Value) throw new IOException("No space left on device", 28); };
        const int Count = 2000;
        await using (var pipeline = new LogPipelineBuilder().WriteTo(sink).Build())
        {
            var log = pipeline.GetLogger("Disk");
            for (int i = 0; i < Count; i++) log.Info("Maybe {N}", i);
            await Wait.Until(() => pipeline.EventsProcessed == Count && sink.WriteFailures >= 2, "every event reached the sink while the disk fails");
            failing.Value = false;
            await pipeline.FlushAsync();
            Assert.True(sink.EventsDropped > 0);
            Assert.Equal(Count, sink.EventsWritten + sink.EventsDropped);
            log.Info("Maybe {N}", Count); // writing resumed
        }
        Assert.Equal(0, sink.EventsFailed);
        var ns = FileSetReader.ParseAll(System.IO.File.ReadAllLines(dir.File("q.log"))).Select(e => e.GetProperty("N").GetInt32()).ToList();
        Assert.Equal(sink.EventsWritten, ns.Count);
        Assert.Equal(Count, ns[^1]);
        Assert.Equal(ns.Distinct().Count(), ns.Count);
        Assert.Equal(ns.Order(), ns); // the survivors keep their order
    }

    [Fact]
    public async Task In_block_mode_a_failing_disk_makes_the_callers_wait_and_no_event_is_dropped()
    {
        using var dir = new TempDirectory();
        var options = Options(dir.File("b.log"), queueLimit: 300);
        options.FullMode = Sinks.QueueFullMode.Block;
        options.BlockTimeout = Timeout.InfiniteTimeSpan;
        var sink = new FileSink(options);
        FaultSwitch failing = new() { Value = true };
        sink.BeforeWrite = _ => { if (failing.Value) throw new IOException("No space left on device", 28); };
        const int Count = 2000; // more than the queue (300), one batch (100) and the ring (256) together
        await using (var pipeline = new LogPipelineBuilder().BufferSize(256).WriteTo(sink).Build())
        {
            var log = pipeline.GetLogger("Disk");
            var producer = Task.Run(() => { for (int i = 0; i < Count; i++) log.Info("Kept {N}", i); });
            await Wait.Until(() => sink.QueuedEvents == 300 && pipeline.QueueDepth == 256 && sink.WriteFailures >= 2, "the queue and the ring are full while the disk fails");
            Assert.False(producer.IsCompleted);
            Assert.Equal(0, sink.EventsDropped);
            failing.Value = false;
            await producer.WaitAsync(TimeSpan.FromSeconds(30));
            await pipeline.FlushAsync();
        }
        Assert.Equal(0, sink.EventsDropped);
        Assert.Equal(Count, sink.EventsWritten);
        var ns = FileSetReader.ParseAll(System.IO.File.ReadAllLines(dir.File("b.log"))).Select(e => e.GetProperty("N").GetInt32());
        Assert.Equal(Enumerable.Range(0, Count), ns);
    }

    [Fact]
    public async Task A_real_full_tmpfs_is_waited_out_and_no_line_is_ever_torn()
    {
        if (OperatingSystem.IsWindows() || Environment.UserName != "root") return; // mounting needs root; the injected-failure tests cover the rest
        using var dir = new TempDirectory();
        string mountPoint = dir.File("tmpfs");
        Directory.CreateDirectory(mountPoint);
        Run("mount", $"-t tmpfs -o size=256k tmpfs {mountPoint}");
        try
        {
            var sink = new FileSink(Options(Path.Combine(mountPoint, "full.log"), queueLimit: 1_000_000));
            const int Count = 8000; // ~1 MB of JSON: four times the disk
            await using (var pipeline = new LogPipelineBuilder().WriteTo(sink).Build())
            {
                var log = pipeline.GetLogger("Tmpfs");
                for (int i = 0; i < Count; i++) log.Info("Filling {N} the small disk with text", i);
                await Wait.Until(() => sink.WriteFailures >= 3, "the disk is full");
                // Every line in the file is complete while the disk is full.
                var during = System.IO.File.ReadAllBytes(Path.Combine(mountPoint, "full.log"));
                Assert.True(during.Length == 0 || during[^1] == (byte)'\n');
                Run("mount", $"-o remount,size=16m {mountPoint}");
                await pipeline.FlushAsync();
            }
            Assert.Equal(Count, sink.EventsWritten);
            Assert.Equal(0, sink.EventsDropped);
            var ns = FileSetReader.ParseAll(System.IO.File.ReadAllLines(Path.Combine(mountPoint, "full.log"))).Select(e => e.GetProperty("N").GetInt32());
            Assert.Equal(Enumerable.Range(0, Count), ns);
        }
        finally
        {
            Run("umount", mountPoint);
        }
    }

    private static void Run(string file, string arguments)
    {
        using var p = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {arguments} failed: {err}");
    }

    private sealed class FaultSwitch
    {
        private volatile bool _value;
        public bool Value { get => _value; set => _value = value; }
    }
}
