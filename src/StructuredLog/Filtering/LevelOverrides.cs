namespace StructuredLog.Filtering;

/// <summary>
/// The minimum level per category: the longest matching prefix override wins (<c>Microsoft</c> matches
/// <c>Microsoft.AspNetCore.Hosting</c> but not <c>MicrosoftX</c>), else the default.
/// </summary>
internal sealed class LevelOverrides
{
    private volatile State _state = null!;

    public LevelOverrides(LogLevel defaultLevel, IReadOnlyDictionary<string, LogLevel>? overrides) => Set(defaultLevel, overrides);

    public LogLevel Default => _state.Default;

    /// <summary>The lowest of the default and every override.</summary>
    public LogLevel Lowest => _state.Lowest;

    public void Set(LogLevel defaultLevel, IReadOnlyDictionary<string, LogLevel>? overrides) =>
        _state = new State(defaultLevel, (overrides ?? new Dictionary<string, LogLevel>()).OrderByDescending(kv => kv.Key.Length).ToArray());

    public LogLevel For(string category)
    {
        var state = _state;
        foreach (var (prefix, level) in state.ByLongestPrefix)
        {
            if (prefix.Length == 0 || prefix == "*") return level;
            if (category.StartsWith(prefix, StringComparison.Ordinal) &&
                (category.Length == prefix.Length || category[prefix.Length] is '.' or ':' or '+' or '`'))
                return level;
        }
        return state.Default;
    }

    private sealed record State(LogLevel Default, KeyValuePair<string, LogLevel>[] ByLongestPrefix)
    {
        public LogLevel Lowest { get; } = ByLongestPrefix.Aggregate(Default, (low, kv) => kv.Value < low ? kv.Value : low);
    }
}
