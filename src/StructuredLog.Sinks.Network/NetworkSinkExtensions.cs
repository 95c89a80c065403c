using StructuredLog.Sinks.Network.Http;
using StructuredLog.Sinks.Network.Syslog;
using StructuredLog.Sinks.Network.Transport;

namespace StructuredLog;

/// <summary>Builder extensions that add the network sinks (in the root namespace so they show up after the package is added).</summary>
public static class NetworkSinkExtensions
{
    /// <summary>Adds a <see cref="SyslogSink"/> configured by <paramref name="configure"/>.</summary>
    public static LogPipelineBuilder WriteToSyslog(this LogPipelineBuilder builder, Action<SyslogSinkOptions> configure, LogLevel minimumLevel = LogLevel.Trace)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new SyslogSinkOptions();
        configure(options);
        return builder.WriteTo(new SyslogSink(options), minimumLevel);
    }

    /// <summary>Adds a <see cref="RawNetworkSink"/> configured by <paramref name="configure"/>.</summary>
    public static LogPipelineBuilder WriteToNetwork(this LogPipelineBuilder builder, Action<RawNetworkSinkOptions> configure, LogLevel minimumLevel = LogLevel.Trace)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new RawNetworkSinkOptions();
        configure(options);
        return builder.WriteTo(new RawNetworkSink(options), minimumLevel);
    }

    /// <summary>Adds an <see cref="HttpBatchSink"/> posting to <paramref name="endpoint"/>.</summary>
    public static LogPipelineBuilder WriteToHttp(this LogPipelineBuilder builder, Uri endpoint, Action<HttpBatchSinkOptions>? configure = null, LogLevel minimumLevel = LogLevel.Trace)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new HttpBatchSinkOptions(endpoint);
        configure?.Invoke(options);
        return builder.WriteTo(new HttpBatchSink(options), minimumLevel);
    }

    /// <summary>Adds an <see cref="HttpBatchSink"/> with the Elasticsearch / OpenSearch <c>_bulk</c> preset.</summary>
    public static LogPipelineBuilder WriteToElasticsearch(this LogPipelineBuilder builder, Uri baseUri, string index, Action<HttpBatchSinkOptions>? configure = null, LogLevel minimumLevel = LogLevel.Trace)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = HttpBatchSinkOptions.Elasticsearch(baseUri, index);
        configure?.Invoke(options);
        return builder.WriteTo(new HttpBatchSink(options), minimumLevel);
    }

    /// <summary>Adds an <see cref="HttpBatchSink"/> with the Grafana Loki push preset.</summary>
    public static LogPipelineBuilder WriteToLoki(this LogPipelineBuilder builder, Uri baseUri, IEnumerable<KeyValuePair<string, string>>? labels = null, Action<HttpBatchSinkOptions>? configure = null, LogLevel minimumLevel = LogLevel.Trace)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = HttpBatchSinkOptions.Loki(baseUri, labels);
        configure?.Invoke(options);
        return builder.WriteTo(new HttpBatchSink(options), minimumLevel);
    }
}
