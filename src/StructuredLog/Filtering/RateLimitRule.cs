using StructuredLog.Events;

namespace StructuredLog.Filtering;

/// <summary>
/// A token bucket per message template: at most <see cref="Burst"/> events at once and
/// <see cref="EventsPerSecond"/> sustained. Suppressed events are counted, and when the template is
/// let through again (or at the latest after a second) a summary event
/// <c>Suppressed {SuppressedCount} similar events: {Template}</c> is written.
/// </summary>
public sealed class RateLimitRule
{
    /// <summary>Creates a rule.</summary>
    public RateLimitRule(double eventsPerSecond, int burst, LogLevel upToLevel = LogLevel.Fatal, Func<MessageTemplate, bool>? appliesTo = null)
    {
        if (!(eventsPerSecond > 0)) throw new ArgumentOutOfRangeException(nameof(eventsPerSecond), eventsPerSecond, "must be positive");
        if (burst < 1) throw new ArgumentOutOfRangeException(nameof(burst), burst, "must be at least 1");
        EventsPerSecond = eventsPerSecond;
        Burst = burst;
        UpToLevel = upToLevel;
        AppliesTo = appliesTo;
    }

    /// <summary>Sustained rate per template.</summary>
    public double EventsPerSecond { get; }

    /// <summary>Bucket size.</summary>
    public int Burst { get; }

    /// <summary>Events above this level are never limited.</summary>
    public LogLevel UpToLevel { get; }

    /// <summary>Limits the rule to some templates; null means all.</summary>
    public Func<MessageTemplate, bool>? AppliesTo { get; }
}
