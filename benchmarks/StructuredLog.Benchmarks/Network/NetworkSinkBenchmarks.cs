using BenchmarkDotNet.Attributes;
using StructuredLog.Sinks;
using StructuredLog.Sinks.Network.Http;
using StructuredLog.Sinks.Network.Syslog;
using StructuredLog.Sinks.Network.Transport;
using StructuredLog.TestSupport.Http;
using StructuredLog.TestSupport.Syslog;

namespace StructuredLog.Benchmarks.Network;

/// <summary>
/// End-to-end throughput of the network sinks to real peers on loopback, started in the same run: a
/// rsyslogd (imtcp, RFC 5424 octet counting, parsed by mmpstrucdata and written to a file) and a
/// Kestrel receiver (NDJSON, gzip on/off). One operation = one event: each invocation logs
/// <see cref="Events"/> events and waits until the peer has received all of them, so the time is
/// logging + formatting + I/O + the peer's own work; events/s = 1e9 / (ns per op).
/// NLog 6 moved its network and web-service targets to NLog.Targets.Network / NLog.Targets.WebService,
/// and Serilog's HTTP and syslog sinks are separate packages: none of these is served here, so there is
/// no peer comparison in this class (see docs/benchmarks.md).
/// </summary>
[MemoryDiagnoser]
public class NetworkSinkBenchmarks
{
    /// <summary>Events per invocation.</summary>
    public const int Events = 20_000;

    private RsyslogServer _rsyslog = null!;
    private HttpReceiver _receiver = null!;
    private LogPipeline _syslogPipeline = null!, _httpGzipPipeline = null!, _httpPlainPipeline = null!;
    private Logger _syslog = null!, _httpGzip = null!, _httpPlain = null!;

    [GlobalSetup]
    public void Setup()
    {
        _rsyslog = RsyslogServer.StartAsync().GetAwaiter().GetResult();
        _receiver = HttpReceiver.StartAsync().GetAwaiter().GetResult();
        _receiver.KeepRequests = false;
        var batching = new BatchingOptions { BatchSizeLimit = 2000, Period = TimeSpan.FromMilliseconds(5) };
        _syslogPipeline = new LogPipelineBuilder().WriteTo(new SyslogSink(new SyslogSinkOptions
        {
            Protocol = NetworkProtocol.Tcp,
            Port = _rsyslog.TcpPort,
            Message = new SyslogFormatterOptions { AppName = "bench", Hostname = "bench-host" },
            Batching = batching,
        })).Build();
        _syslog = _syslogPipeline.GetLogger("Bench.Syslog");
        _httpGzipPipeline = new LogPipelineBuilder().WriteTo(new HttpBatchSink(new HttpBatchSinkOptions(new Uri(_receiver.BaseUri, "gzip")) { Batching = batching, Gzip = true })).Build();
        _httpGzip = _httpGzipPipeline.GetLogger("Bench.Http");
        _httpPlainPipeline = new LogPipelineBuilder().WriteTo(new HttpBatchSink(new HttpBatchSinkOptions(new Uri(_receiver.BaseUri, "plain")) { Batching = batching, Gzip = false })).Build();
        _httpPlain = _httpPlainPipeline.GetLogger("Bench.Http");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _syslogPipeline.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _httpGzipPipeline.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _httpPlainPipeline.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _receiver.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _rsyslog.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = Events, Description = "syslog RFC 5424 over TCP to rsyslog")]
    public void SyslogTcpToRsyslog()
    {
        long target = _rsyslog.CountLines() + Events;
        for (int i = 0; i < Events; i++) _syslog.Info("Order {OrderId} shipped to {City} in {Elapsed} ms", i, "Zürich", 12.5);
        WaitUntil(() => _rsyslog.CountLines() >= target);
    }

    [Benchmark(OperationsPerInvoke = Events, Description = "HTTP NDJSON gzip to Kestrel")]
    public void HttpGzipToKestrel()
    {
        long target = _receiver.LinesReceived + Events;
        for (int i = 0; i < Events; i++) _httpGzip.Info("Order {OrderId} shipped to {City} in {Elapsed} ms", i, "Zürich", 12.5);
        WaitUntil(() => _receiver.LinesReceived >= target);
    }

    [Benchmark(OperationsPerInvoke = Events, Description = "HTTP NDJSON plain to Kestrel")]
    public void HttpPlainToKestrel()
    {
        long target = _receiver.LinesReceived + Events;
        for (int i = 0; i < Events; i++) _httpPlain.Info("Order {OrderId} shipped to {City} in {Elapsed} ms", i, "Zürich", 12.5);
        WaitUntil(() => _receiver.LinesReceived >= target);
    }

    private static void WaitUntil(Func<bool> delivered)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!delivered())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the peer did not receive every event within 60 s");
            Thread.Sleep(1);
        }
    }
}
