using System.Buffers;
using System.Runtime.InteropServices;
using StructuredLog.Events;
using StructuredLog.Formatting;
using StructuredLog.Pipeline;
using StructuredLog.Sinks;

namespace StructuredLog.Tests.Pipeline;

/// <summary>
/// On Linux the format worker and a batching sink's I/O thread run under <c>SCHED_BATCH</c> (so that waking them does
/// not preempt the writer), the writer keeps the normal policy, and the <c>AppContext</c> switch keeps them all normal.
/// Each thread reports its own policy (<c>sched_getscheduler(0)</c>) from code the pipeline runs on it: the sink's
/// <c>WriteBatchAsync</c> on the I/O thread, a concurrent formatter on the worker and the writer.
/// </summary>
public sealed class BackgroundSchedulingTests
{
    private const int SchedOther = 0, SchedBatch = 3;

    [DllImport("libc", EntryPoint = "sched_getscheduler")]
    private static extern int SchedGetScheduler(int pid);

    [Fact]
    public async Task Helper_threads_run_as_batch_threads_and_the_switch_keeps_them_normal()
    {
        if (!OperatingSystem.IsLinux() || Environment.ProcessorCount < 2) return; // no such policy, or no format worker
        if (!CanMarkAThread()) return; // a sandbox (seccomp) that refuses the call: the threads keep the normal policy

        var batch = await PoliciesOfAPipeline();
        Assert.Equal(SchedBatch, batch.Io);
        Assert.Equal(SchedBatch, batch.Worker);
        Assert.Equal(SchedOther, batch.Writer);

        AppContext.SetSwitch(BackgroundScheduling.NormalSchedulingSwitch, true);
        try
        {
            var normal = await PoliciesOfAPipeline();
            Assert.Equal(SchedOther, normal.Io);
            Assert.Equal(SchedOther, normal.Worker);
            Assert.Equal(SchedOther, normal.Writer);
        }
        finally
        {
            AppContext.SetSwitch(BackgroundScheduling.NormalSchedulingSwitch, false);
        }
    }

    private static bool CanMarkAThread()
    {
        bool marked = false;
        var probe = new Thread(() => marked = BackgroundScheduling.TryMarkCurrentThread());
        probe.Start();
        probe.Join();
        return marked;
    }

    private static async Task<(int Io, int Worker, int Writer)> PoliciesOfAPipeline()
    {
        var formatter = new PolicyRecordingFormatter();
        var sink = new PolicyRecordingSink(formatter);
        await using (var pipeline = new LogPipelineBuilder().WriteTo(sink).ParallelFormatting(true).FlushOnProcessExit(false).Build())
        {
            var log = pipeline.GetLogger("Scheduling");
            // Batches large enough that the worker takes chunks of them (it starts after 64 accepted events).
            for (int round = 0; round < 20 && (formatter.Worker < 0 || formatter.Writer < 0); round++)
            {
                for (int i = 0; i < 2_000; i++) log.Info("Event {Id}", i);
                await pipeline.FlushAsync();
            }
        }
        Assert.True(formatter.Worker >= 0, "the format worker never formatted an event");
        Assert.True(formatter.Writer >= 0, "the writer never formatted an event");
        return (sink.Policy, formatter.Worker, formatter.Writer);
    }

    private sealed class PolicyRecordingSink(ILogFormatter formatter) : BatchingSink("policy", formatter)
    {
        public volatile int Policy = -1;

        protected override Task WriteBatchAsync(LogBatch batch, CancellationToken cancellationToken)
        {
            Policy = SchedGetScheduler(0);
            return Task.CompletedTask;
        }
    }

    /// <summary>Formats like <see cref="JsonFormatter"/> and notes the policy of the worker and of the writer thread.</summary>
    private sealed class PolicyRecordingFormatter : ILogFormatter
    {
        public volatile int Worker = -1, Writer = -1;

        public bool SupportsConcurrentFormatting => true;

        public void Format(in LogEvent logEvent, IBufferWriter<byte> output)
        {
            string? name = Thread.CurrentThread.Name;
            if (name == "StructuredLog formatter") Worker = SchedGetScheduler(0);
            else if (name is not null && name.StartsWith("StructuredLog writer", StringComparison.Ordinal)) Writer = SchedGetScheduler(0);
            JsonFormatter.Default.Format(logEvent, output);
        }
    }
}
