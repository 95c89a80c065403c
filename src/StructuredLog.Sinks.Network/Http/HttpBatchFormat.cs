namespace StructuredLog.Sinks.Network.Http;

/// <summary>The body of one HTTP batch request.</summary>
public enum HttpBatchFormat
{
    /// <summary>Newline-delimited JSON (<c>application/x-ndjson</c>): the formatter's lines back to back.</summary>
    NdJson,
    /// <summary>A JSON array of the events (<c>application/json</c>); the formatter must write one JSON value per event.</summary>
    JsonArray,
    /// <summary>Elasticsearch / OpenSearch <c>_bulk</c>: an action line (<c>{"create":{"_index":...}}</c>) before each document.</summary>
    ElasticsearchBulk,
    /// <summary>Grafana Loki push API (<c>/loki/api/v1/push</c>, JSON): events grouped into streams by their labels.</summary>
    LokiPush,
}
