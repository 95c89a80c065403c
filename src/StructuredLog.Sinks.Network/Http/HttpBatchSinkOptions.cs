using System.IO.Compression;
using StructuredLog.Formatting;
using StructuredLog.Sinks.Network.Spill;

namespace StructuredLog.Sinks.Network.Http;

/// <summary>Options of <see cref="HttpBatchSink"/>. Presets: <see cref="Elasticsearch"/> and <see cref="Loki"/>.</summary>
public sealed class HttpBatchSinkOptions
{
    /// <summary>Creates options that POST to <paramref name="endpoint"/>.</summary>
    public HttpBatchSinkOptions(Uri endpoint)
    {
        Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
    }

    /// <summary>The URL every batch is POSTed to.</summary>
    public Uri Endpoint { get; set; }

    /// <summary>The body layout. Default NDJSON.</summary>
    public HttpBatchFormat Format { get; set; } = HttpBatchFormat.NdJson;

    /// <summary>The formatter of each event; it must write one JSON value per event (a trailing newline is fine). Default <see cref="JsonFormatter.Default"/>.</summary>
    public ILogFormatter Formatter { get; set; } = JsonFormatter.Default;

    /// <summary>Compress bodies with gzip (<c>Content-Encoding: gzip</c>). Default true.</summary>
    public bool Gzip { get; set; } = true;

    /// <summary>The gzip level. Default <see cref="CompressionLevel.Fastest"/>.</summary>
    public CompressionLevel CompressionLevel { get; set; } = CompressionLevel.Fastest;

    /// <summary>Sends <c>Authorization: Bearer {token}</c>.</summary>
    public string? BearerToken { get; set; }

    /// <summary>Sends <c>Authorization: Basic base64(user:password)</c>.</summary>
    public (string User, string Password)? BasicCredentials { get; set; }

    /// <summary>Sends the API key in <see cref="ApiKeyHeader"/>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The header that carries <see cref="ApiKey"/>. Default <c>X-API-Key</c> (Elasticsearch wants <c>Authorization</c> with value <c>ApiKey ...</c>: set that through <see cref="Headers"/>).</summary>
    public string ApiKeyHeader { get; set; } = "X-API-Key";

    /// <summary>Extra request headers.</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Elasticsearch: the index (or data stream) each document goes to.</summary>
    public string? ElasticsearchIndex { get; set; }

    /// <summary>Loki: labels of every stream (e.g. <c>app</c>, <c>env</c>). Keep label sets small: each distinct set is a stream.</summary>
    public IDictionary<string, string> LokiLabels { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Loki: event properties promoted to labels when present (low-cardinality ones only).</summary>
    public IList<string> LokiLabelProperties { get; } = new List<string>();

    /// <summary>Loki: add a <c>level</c> label. Default true.</summary>
    public bool LokiLevelLabel { get; set; } = true;

    /// <summary>Use this handler instead of a new <see cref="SocketsHttpHandler"/> (proxies, custom certificates). Not disposed by the sink.</summary>
    public HttpMessageHandler? Handler { get; set; }

    /// <summary>Batching, queue bound, retries, backoff and timeouts.</summary>
    public BatchingOptions Batching { get; set; } = new() { Period = TimeSpan.FromMilliseconds(500), BatchSizeLimit = 1000, BatchBytesLimit = 4 * 1024 * 1024 };

    /// <summary>Opt-in durable spill to disk while the receiver is unreachable or failing with 429/5xx.</summary>
    public DurableSpillOptions? Spill { get; set; }

    /// <summary>Elasticsearch / OpenSearch <c>_bulk</c> preset: POST to <c>{baseUri}/_bulk</c>, documents created in <paramref name="index"/>.</summary>
    public static HttpBatchSinkOptions Elasticsearch(Uri baseUri, string index)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        ArgumentException.ThrowIfNullOrWhiteSpace(index);
        return new HttpBatchSinkOptions(Append(baseUri, "_bulk"))
        {
            Format = HttpBatchFormat.ElasticsearchBulk,
            ElasticsearchIndex = index,
            Formatter = new JsonFormatter(JsonFieldNaming.OpenTelemetry),
        };
    }

    /// <summary>Grafana Loki preset: POST to <c>{baseUri}/loki/api/v1/push</c> with the given stream labels.</summary>
    public static HttpBatchSinkOptions Loki(Uri baseUri, IEnumerable<KeyValuePair<string, string>>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        var o = new HttpBatchSinkOptions(Append(baseUri, "loki/api/v1/push")) { Format = HttpBatchFormat.LokiPush };
        if (labels is not null) foreach (var kv in labels) o.LokiLabels[kv.Key] = kv.Value;
        return o;
    }

    /// <summary>Appends a path to a base URI, keeping the base's own path (<c>http://h/es</c> + <c>_bulk</c> → <c>http://h/es/_bulk</c>).</summary>
    private static Uri Append(Uri baseUri, string path)
    {
        var b = new UriBuilder(baseUri);
        b.Path = b.Path.TrimEnd('/') + "/" + path;
        return b.Uri;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Endpoint, nameof(Endpoint));
        if (!Endpoint.IsAbsoluteUri || (Endpoint.Scheme != Uri.UriSchemeHttp && Endpoint.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"Endpoint '{Endpoint}' must be an absolute http(s) URL", nameof(Endpoint));
        ArgumentNullException.ThrowIfNull(Formatter, nameof(Formatter));
        ArgumentNullException.ThrowIfNull(Batching, nameof(Batching));
        if (Format == HttpBatchFormat.ElasticsearchBulk && string.IsNullOrWhiteSpace(ElasticsearchIndex))
            throw new ArgumentException("ElasticsearchIndex is required for the Elasticsearch bulk format", nameof(ElasticsearchIndex));
        if (ApiKey is not null) ArgumentException.ThrowIfNullOrWhiteSpace(ApiKeyHeader, nameof(ApiKeyHeader));
        Batching.Validate();
        Spill?.Validate();
    }
}
