using StructuredLog.Events;

namespace StructuredLog.Filtering;

/// <summary>
/// Keeps a fraction of the events of each message template at or below <see cref="UpToLevel"/>:
/// 1 in <see cref="EveryN"/> (the first, then every N-th), or each with <see cref="Probability"/>.
/// Decisions are taken per template on the writer thread; removed events are counted as
/// <see cref="DropReason.Sampled"/>.
/// </summary>
public sealed class SamplingRule
{
    private SamplingRule(int everyN, double probability, LogLevel upToLevel, Func<MessageTemplate, bool>? appliesTo)
    {
        EveryN = everyN;
        Probability = probability;
        UpToLevel = upToLevel;
        AppliesTo = appliesTo;
    }

    /// <summary>Keep 1 in N (0 when the rule is probabilistic).</summary>
    public int EveryN { get; }

    /// <summary>Keep with this probability (1 when the rule is 1-in-N).</summary>
    public double Probability { get; }

    /// <summary>Events above this level are never sampled away.</summary>
    public LogLevel UpToLevel { get; }

    /// <summary>Limits the rule to some templates; null means all.</summary>
    public Func<MessageTemplate, bool>? AppliesTo { get; }

    /// <summary>Keep the first and then every <paramref name="n"/>-th event of each template.</summary>
    public static SamplingRule OneIn(int n, LogLevel upToLevel = LogLevel.Info, Func<MessageTemplate, bool>? appliesTo = null)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "must be at least 1");
        return new SamplingRule(n, 1, upToLevel, appliesTo);
    }

    /// <summary>Keep each event with probability <paramref name="probability"/>.</summary>
    public static SamplingRule WithProbability(double probability, LogLevel upToLevel = LogLevel.Info, Func<MessageTemplate, bool>? appliesTo = null)
    {
        if (!(probability is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(probability), probability, "must be between 0 and 1");
        return new SamplingRule(0, probability, upToLevel, appliesTo);
    }
}
