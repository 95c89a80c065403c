namespace StructuredLog.Sinks.Network.Spill;

/// <summary>A snapshot of a sink's durable-spill counters.</summary>
/// <param name="Spilled">Events written to disk because the peer was unreachable (or older events were still waiting).</param>
/// <param name="Replayed">Spilled events later delivered.</param>
/// <param name="Pending">Events on disk now.</param>
/// <param name="Dropped">Events lost because the spill was full, unwritable or a spill file was unreadable.</param>
/// <param name="Rejected">Spilled events the peer refused for good on replay (a non-retryable error).</param>
public readonly record struct SpillCounters(long Spilled, long Replayed, long Pending, long Dropped, long Rejected)
{
    internal static SpillCounters From(SpillingDelivery? d) =>
        d is null ? default : new SpillCounters(d.Spilled, d.Replayed, d.PendingEvents, d.Dropped, d.Rejected);
}
