using System.Buffers;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using StructuredLog.Diagnostics;
using StructuredLog.Formatting;
using StructuredLog.Sinks.Network.Spill;
using StructuredLog.Sinks.Network.Transport;

namespace StructuredLog.Sinks.Network.Http;

/// <summary>
/// POSTs batches of events as NDJSON, a JSON array, an Elasticsearch <c>_bulk</c> body or a Loki push
/// body, gzip-compressed by default, with bearer, basic or API-key authentication. 429, 408 and 5xx
/// responses and network errors are retried with exponential backoff and jitter, honouring
/// <c>Retry-After</c>; any other 4xx is not retried: the batch is counted in
/// <see cref="BatchingSink.EventsFailed"/> and <see cref="EventsRejected"/> and reported through the
/// self-log. Batches are sent strictly in order; with <see cref="HttpBatchSinkOptions.Spill"/> they wait on
/// disk while the receiver is down.
/// </summary>
public sealed class HttpBatchSink : BatchingSink
{
    private readonly HttpBatchSinkOptions _options;
    private readonly HttpClient _client;
    private readonly NetworkDelivery _delivery;
    private readonly byte[]? _bulkAction;
    private readonly ArrayBufferWriter<byte> _body = new(64 * 1024);
    private readonly MemoryStream _compressed = new();
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly string _contentType;
    private long _rejected, _requests, _itemErrors;

    /// <summary>Creates the sink.</summary>
    public HttpBatchSink(HttpBatchSinkOptions options)
        : base("http", CreateFormatter(options), options.Batching)
    {
        _options = options;
        _client = options.Handler is { } h
            ? new HttpClient(h, disposeHandler: false)
            : new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), ConnectTimeout = TimeSpan.FromSeconds(10) });
        _client.Timeout = Timeout.InfiniteTimeSpan; // the batching base's WriteTimeout cancels each attempt
        if (options.Format == HttpBatchFormat.ElasticsearchBulk) _bulkAction = HttpBatchBody.BulkAction(options.ElasticsearchIndex!);
        if (options.BearerToken is { } token) _authorization = new AuthenticationHeaderValue("Bearer", token);
        else if (options.BasicCredentials is { } basic)
            _authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(basic.User + ":" + basic.Password)));
        _contentType = HttpBatchBody.ContentType(options.Format);
        _delivery = new NetworkDelivery(Name, SendAsync, options.Spill, options.Batching.WriteTimeout);
    }

    /// <summary>Events in batches the receiver refused for good (a 4xx other than 408/429).</summary>
    public long EventsRejected => Interlocked.Read(ref _rejected);

    /// <summary>HTTP requests sent (attempts, retries included).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Elasticsearch: documents the bulk response reported as failed (the request itself succeeded).</summary>
    public long BulkItemErrors => Interlocked.Read(ref _itemErrors);

    /// <summary>Counters of the durable spill (all zero when it is off).</summary>
    public SpillCounters Spill => SpillCounters.From(_delivery.Spill);

    private static ILogFormatter CreateFormatter(HttpBatchSinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.Format == HttpBatchFormat.LokiPush
            ? new LokiEntryFormatter(options.Formatter, options.LokiLabels, options.LokiLabelProperties, options.LokiLevelLabel)
            : options.Formatter;
    }

    /// <inheritdoc />
    protected override Task WriteBatchAsync(LogBatch batch, CancellationToken cancellationToken) => _delivery.WriteAsync(batch, cancellationToken);

    private async ValueTask SendAsync(IReadOnlyList<OutgoingEvent> batch, CancellationToken cancellationToken)
    {
        _body.ResetWrittenCount();
        HttpBatchBody.Write(_body, batch, _options.Format, _bulkAction);
        ByteArrayContent content;
        if (_options.Gzip)
        {
            _compressed.SetLength(0);
            using (var gzip = new GZipStream(_compressed, _options.CompressionLevel, leaveOpen: true)) gzip.Write(_body.WrittenSpan);
            content = new ByteArrayContent(_compressed.GetBuffer(), 0, (int)_compressed.Length);
            content.Headers.ContentEncoding.Add("gzip");
        }
        else
        {
            content = MemoryMarshal.TryGetArray(_body.WrittenMemory, out var segment)
                ? new ByteArrayContent(segment.Array!, segment.Offset, segment.Count)
                : new ByteArrayContent(_body.WrittenSpan.ToArray());
        }
        content.Headers.ContentType = new MediaTypeHeaderValue(_contentType) { CharSet = _contentType == "application/json" ? "utf-8" : null };
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.Endpoint) { Content = content };
        if (_authorization is not null) request.Headers.Authorization = _authorization;
        if (_options.ApiKey is { } key) request.Headers.TryAddWithoutValidation(_options.ApiKeyHeader, key);
        foreach (var kv in _options.Headers) request.Headers.TryAddWithoutValidation(kv.Key, kv.Value);

        Interlocked.Increment(ref _requests);
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        int status = (int)response.StatusCode;
        if (status is >= 200 and < 300)
        {
            if (_options.Format == HttpBatchFormat.ElasticsearchBulk) await CheckBulkResponseAsync(response, cancellationToken).ConfigureAwait(false);
            return;
        }
        string detail = await ReadSnippetAsync(response, cancellationToken).ConfigureAwait(false);
        if (status is 429 or 408 or >= 500)
            throw new SinkWriteException($"HTTP {status} from {_options.Endpoint}: {detail}", retryable: true, RetryAfter(response));
        Interlocked.Add(ref _rejected, batch.Count);
        throw new SinkWriteException($"HTTP {status} from {_options.Endpoint} (not retried): {detail}", retryable: false);
    }

    /// <summary>Retry-After as delta-seconds or an HTTP date (RFC 9110 §10.2.3).</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var ra = response.Headers.RetryAfter;
        if (ra is null) return null;
        if (ra.Delta is { } delta) return delta;
        if (ra.Date is { } date) return date - DateTimeOffset.UtcNow;
        return null;
    }

    private static async Task<string> ReadSnippetAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return text.Length > 300 ? text[..300] + "..." : text;
        }
        catch (Exception) { return response.ReasonPhrase ?? ""; }
    }

    // A 200 from _bulk can still carry per-document failures ("errors": true); count them.
    private async Task CheckBulkResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (bytes.Length == 0) return;
            using var doc = JsonDocument.Parse(bytes);
            if (!doc.RootElement.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.True) return;
            int failed = 0;
            if (doc.RootElement.TryGetProperty("items", out var items))
            {
                foreach (var item in items.EnumerateArray())
                    foreach (var action in item.EnumerateObject())
                        if (action.Value.TryGetProperty("error", out _)) failed++;
            }
            Interlocked.Add(ref _itemErrors, failed);
            SelfLog.Write(Name, $"Elasticsearch rejected {failed} documents of a bulk request");
        }
        catch (JsonException) { /* not a bulk response: nothing to count */ }
    }

    /// <inheritdoc />
    protected override async ValueTask OnDisposeAsync()
    {
        await _delivery.DisposeAsync().ConfigureAwait(false);
        _client.Dispose();
    }
}
