using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace StructuredLog.Extensions.Logging;

/// <summary>
/// Gives MEL's own filter the pipeline's lowest level (<see cref="LogPipeline.LowestMinimumLevel"/>) as the
/// rule of this provider, and tells MEL to recompute its filters whenever the pipeline's levels change.
/// MEL then turns a call below every StructuredLog level away itself, without calling
/// <see cref="ILogger.IsEnabled"/> on the provider's logger (a disabled call costs what it costs with no
/// provider at all); every call at or above that level still reaches the provider, whose per-category
/// levels decide.
/// </summary>
internal sealed class PipelineLevelFilter : IConfigureOptions<LoggerFilterOptions>, IOptionsChangeTokenSource<LoggerFilterOptions>, IDisposable
{
    private static readonly string s_providerName = typeof(StructuredLogLoggerProvider).FullName!;
    private readonly LogPipeline _pipeline;
    private CancellationTokenSource _changed = new();

    public PipelineLevelFilter(LogPipeline pipeline)
    {
        _pipeline = pipeline;
        pipeline.MinimumLevelChanged += OnLevelsChanged;
    }

    public string Name => Options.DefaultName;

    public void Configure(LoggerFilterOptions options) =>
        options.Rules.Add(new LoggerFilterRule(s_providerName, null, LevelMapping.ToMicrosoft(_pipeline.LowestMinimumLevel), null));

    public IChangeToken GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref _changed).Token);

    private void OnLevelsChanged(object? sender, EventArgs e)
    {
        // The old source is not disposed: MEL may still be registering on its token.
        Interlocked.Exchange(ref _changed, new CancellationTokenSource()).Cancel();
    }

    public void Dispose() => _pipeline.MinimumLevelChanged -= OnLevelsChanged;
}
