using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace StructuredLog.Extensions.Logging;

/// <summary>
/// A Microsoft.Extensions.Logging provider that writes through a StructuredLog
/// <see cref="LogPipeline"/>. Register it with <c>builder.Logging.AddStructuredLog(...)</c> or
/// <c>services.AddStructuredLog(...)</c>; it can also be created directly around an existing pipeline.
/// Scopes come from the logger factory's <see cref="IExternalScopeProvider"/> (so MEL's
/// <c>ActivityTrackingOptions</c> and ASP.NET Core's request scope are kept); levels come from the
/// pipeline (<see cref="LogPipeline.SetMinimumLevel"/> changes them at run time).
/// </summary>
[ProviderAlias("StructuredLog")]
public sealed class StructuredLogLoggerProvider : ILoggerProvider, ISupportExternalScope, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, StructuredLogLogger> _loggers = new(StringComparer.Ordinal);
    private readonly bool _ownsPipeline;
    private volatile ScopeWalker _scopes = new(new LoggerExternalScopeProvider());

    /// <summary>Creates a provider writing to <paramref name="pipeline"/>.</summary>
    /// <param name="pipeline">The pipeline events go to.</param>
    /// <param name="ownsPipeline">When true, disposing the provider disposes (and so flushes) the pipeline.</param>
    public StructuredLogLoggerProvider(LogPipeline pipeline, bool ownsPipeline = false)
    {
        Pipeline = pipeline ?? throw new ArgumentNullException(nameof(pipeline));
        _ownsPipeline = ownsPipeline;
    }

    /// <summary>The pipeline this provider writes to.</summary>
    public LogPipeline Pipeline { get; }

    internal IExternalScopeProvider ScopeProvider => _scopes.Provider;

    /// <summary>The scope provider with its walk for events bound once.</summary>
    internal ScopeWalker Scopes => _scopes;

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) =>
        _loggers.GetOrAdd(categoryName ?? "", static (c, self) => new StructuredLogLogger(self.Pipeline.GetLogger(c), self), this);

    /// <inheritdoc />
    public void SetScopeProvider(IExternalScopeProvider scopeProvider) =>
        _scopes = new ScopeWalker(scopeProvider ?? new LoggerExternalScopeProvider());

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsPipeline) Pipeline.Dispose();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _ownsPipeline ? Pipeline.DisposeAsync() : ValueTask.CompletedTask;
}

/// <summary>
/// An <see cref="IExternalScopeProvider"/> with <c>ForEachScope&lt;PropertyBuffer&gt;</c> bound to a delegate once: called
/// through the interface, the generic method's implementation is looked up on every call (every event walks the scopes).
/// </summary>
internal sealed class ScopeWalker(IExternalScopeProvider provider)
{
    public readonly IExternalScopeProvider Provider = provider;

    public readonly Action<Action<object?, PropertyBuffer>, PropertyBuffer> Walk = provider.ForEachScope;
}
