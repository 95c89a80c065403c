using System.Text;
using System.Text.Json;
using StructuredLog.Sinks.Network.Http;
using StructuredLog.TestSupport.Http;

namespace StructuredLog.Sinks.Network.Tests.Http;

/// <summary>The HTTP batch sink against a real Kestrel receiver on loopback.</summary>
public sealed class HttpBatchSinkTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private HttpReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await HttpReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private HttpBatchSinkOptions Options(string path = "ingest") => new(new Uri(_receiver.BaseUri, path))
    {
        // A long period: these tests send exactly one batch per FlushAsync, however slow the machine is.
        Batching = new BatchingOptions { BatchSizeLimit = 1000, Period = TimeSpan.FromSeconds(30), MinBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromSeconds(2), MaxRetries = 5 },
    };

    private static async Task LogAsync(ILogSink sink, int count, int start = 0)
    {
        await using var pipeline = new LogPipelineBuilder().WriteTo(sink).Build();
        var log = pipeline.GetLogger("Http.Tests");
        for (int i = start; i < start + count; i++) log.Info("event {Seq}", i);
        await pipeline.FlushAsync();
    }

    internal static List<long> Sequences(IEnumerable<ReceivedRequest> requests) =>
        requests.SelectMany(r => r.Lines).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("Seq").GetInt64()).ToList();

    [Fact]
    public async Task Retries_429_with_Retry_After_then_503_then_delivers_every_event_once_in_order_gzip()
    {
        _receiver.Enqueue(429, retryAfter: "1");
        _receiver.Enqueue(503);
        var options = Options();
        options.BearerToken = "s3cret";
        await using var sink = new HttpBatchSink(options);
        await LogAsync(sink, 500);

        var all = _receiver.Requests;
        Assert.Equal([429, 503, 200], all.Select(r => r.StatusReturned));
        Assert.True(all[1].ReceivedAtUtc - all[0].ReceivedAtUtc >= TimeSpan.FromMilliseconds(950), "Retry-After: 1 was not honoured");
        Assert.All(all, r => Assert.Equal("gzip", r.Header("Content-Encoding")));
        Assert.All(all, r => Assert.Equal("Bearer s3cret", r.Header("Authorization")));
        Assert.Equal("application/x-ndjson", all[2].Header("Content-Type"));
        Assert.NotEqual(all[2].RawBody.Length, Encoding.UTF8.GetByteCount(all[2].Body)); // really compressed
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (long)i), Sequences(_receiver.Accepted));
        Assert.Equal(500, sink.EventsWritten);
        Assert.Equal(0, sink.EventsFailed);
        Assert.Equal(2, sink.Retries);
    }

    [Fact]
    public async Task Connection_refused_is_retried_with_backoff_until_the_receiver_is_back()
    {
        await _receiver.StopAsync();
        var options = Options();
        options.Batching.MaxRetries = 30;
        options.Batching.Period = TimeSpan.FromMilliseconds(20); // sent without a flush, so that it meets the outage
        options.Batching.MaxBackoff = TimeSpan.FromMilliseconds(500);
        await using var sink = new HttpBatchSink(options);
        await using var pipeline = new LogPipelineBuilder().WriteTo(sink).Build();
        var log = pipeline.GetLogger("Http.Tests");
        for (int i = 0; i < 100; i++) log.Info("event {Seq}", i);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (sink.Retries < 2 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.True(sink.Retries >= 2, "the sink did not retry");
        await _receiver.StartAsync();
        await pipeline.FlushAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), Sequences(_receiver.Accepted));
        Assert.Equal(0, sink.EventsFailed);
    }

    [Fact]
    public async Task A_400_is_not_retried_and_is_counted()
    {
        _receiver.Enqueue(400, body: "{\"error\":\"bad\"}");
        await using var sink = new HttpBatchSink(Options());
        await using (var pipeline = new LogPipelineBuilder().WriteTo(sink).Build())
        {
            var log = pipeline.GetLogger("Http.Tests");
            for (int i = 0; i < 10; i++) log.Info("event {Seq}", i);
            await pipeline.FlushAsync();
            for (int i = 10; i < 15; i++) log.Info("event {Seq}", i);
            await pipeline.FlushAsync();
        }

        Assert.Equal([400, 200], _receiver.Requests.Select(r => r.StatusReturned));
        Assert.Equal(10, sink.EventsFailed);
        Assert.Equal(10, sink.EventsRejected);
        Assert.Equal(0, sink.Retries);
        Assert.Equal(Enumerable.Range(10, 5).Select(i => (long)i), Sequences(_receiver.Accepted));
    }

    [Fact]
    public async Task Json_array_with_basic_auth_api_key_and_custom_headers_uncompressed()
    {
        var options = Options();
        options.Format = HttpBatchFormat.JsonArray;
        options.Gzip = false;
        options.BasicCredentials = ("user", "pä ss");
        options.ApiKey = "k-123";
        options.Headers["X-Tenant"] = "blue";
        await using var sink = new HttpBatchSink(options);
        await LogAsync(sink, 3);

        var r = Assert.Single(_receiver.Requests);
        Assert.Null(r.Header("Content-Encoding"));
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("user:pä ss")), r.Header("Authorization"));
        Assert.Equal("k-123", r.Header("X-API-Key"));
        Assert.Equal("blue", r.Header("X-Tenant"));
        using var doc = JsonDocument.Parse(r.Body);
        Assert.Equal([0L, 1L, 2L], doc.RootElement.EnumerateArray().Select(e => e.GetProperty("Seq").GetInt64()));
    }

    [Fact]
    public async Task Elasticsearch_preset_posts_bulk_create_actions_and_counts_item_errors()
    {
        _receiver.Enqueue(200, body: "{\"took\":1,\"errors\":true,\"items\":[{\"create\":{\"status\":201}},{\"create\":{\"status\":400,\"error\":{\"type\":\"mapper_parsing_exception\"}}}]}");
        var options = HttpBatchSinkOptions.Elasticsearch(_receiver.BaseUri, "logs-app");
        options.Batching = Options().Batching;
        await using var sink = new HttpBatchSink(options);
        await LogAsync(sink, 2);

        var r = Assert.Single(_receiver.Requests);
        Assert.Equal("/_bulk", r.Path);
        Assert.Equal("application/x-ndjson", r.Header("Content-Type"));
        Assert.EndsWith("\n", r.Body);
        var lines = r.Lines;
        Assert.Equal(4, lines.Count);
        Assert.Equal("{\"create\":{\"_index\":\"logs-app\"}}", lines[0]);
        Assert.Equal("{\"create\":{\"_index\":\"logs-app\"}}", lines[2]);
        Assert.Equal(0, JsonDocument.Parse(lines[1]).RootElement.GetProperty("attributes").GetProperty("Seq").GetInt64());
        Assert.Equal(1, sink.BulkItemErrors);
    }

    [Theory]
    [InlineData("http://es.example:9200", "http://es.example:9200/_bulk")]
    [InlineData("http://es.example:9200/", "http://es.example:9200/_bulk")]
    [InlineData("https://proxy.example/elastic", "https://proxy.example/elastic/_bulk")]
    [InlineData("https://proxy.example/elastic/", "https://proxy.example/elastic/_bulk")]
    public void Preset_endpoints_keep_the_base_path(string baseUri, string expected)
    {
        Assert.Equal(expected, HttpBatchSinkOptions.Elasticsearch(new Uri(baseUri), "logs").Endpoint.ToString());
        Assert.Equal(expected.Replace("_bulk", "loki/api/v1/push"), HttpBatchSinkOptions.Loki(new Uri(baseUri)).Endpoint.ToString());
    }

    [Fact]
    public void Misconfiguration_fails_when_the_sink_is_built_and_names_the_option()
    {
        var ex = Assert.Throws<ArgumentException>(() => new HttpBatchSink(new HttpBatchSinkOptions(new Uri("ftp://x/")) ));
        Assert.Equal("Endpoint", ex.ParamName);
        var es = new HttpBatchSinkOptions(new Uri("http://x/")) { Format = HttpBatchFormat.ElasticsearchBulk };
        Assert.Equal("ElasticsearchIndex", Assert.Throws<ArgumentException>(() => new HttpBatchSink(es)).ParamName);
    }

    [Fact]
    public async Task Loki_preset_groups_events_into_streams_by_labels_with_nanosecond_timestamps()
    {
        var options = HttpBatchSinkOptions.Loki(_receiver.BaseUri, [new("app", "shop")]);
        options.LokiLabelProperties.Add("Region");
        options.Batching = Options().Batching;
        await using var sink = new HttpBatchSink(options);
        var before = DateTime.UtcNow;
        await using (var pipeline = new LogPipelineBuilder().WriteTo(sink).Build())
        {
            var log = pipeline.GetLogger("Loki");
            log.Info("a {Region}", "eu");
            log.Warn("b {Region}", "us");
            log.Info("c {Region}", "eu");
            await pipeline.FlushAsync();
        }
        var r = Assert.Single(_receiver.Requests);
        Assert.Equal("/loki/api/v1/push", r.Path);
        using var doc = JsonDocument.Parse(r.Body);
        var streams = doc.RootElement.GetProperty("streams").EnumerateArray().ToList();
        Assert.Equal(2, streams.Count); // {eu,info} and {us,warn}
        var eu = streams.Single(s => s.GetProperty("stream").GetProperty("Region").GetString() == "eu");
        Assert.Equal("shop", eu.GetProperty("stream").GetProperty("app").GetString());
        var values = eu.GetProperty("values").EnumerateArray().ToList();
        Assert.Equal(2, values.Count);
        long ns = long.Parse(values[0][0].GetString()!);
        var ts = DateTime.UnixEpoch.AddTicks(ns / 100);
        Assert.InRange(ts, before.AddSeconds(-1), DateTime.UtcNow.AddSeconds(1));
        Assert.Equal("a eu", JsonDocument.Parse(values[0][1].GetString()!).RootElement.GetProperty("@m").GetString());
        Assert.Equal("c eu", JsonDocument.Parse(values[1][1].GetString()!).RootElement.GetProperty("@m").GetString());
        Assert.Single(streams, s => s.GetProperty("stream").GetProperty("level").GetString() == "warn");
    }
}
