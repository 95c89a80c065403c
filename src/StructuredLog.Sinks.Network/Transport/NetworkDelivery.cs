using StructuredLog.Sinks.Network.Spill;

namespace StructuredLog.Sinks.Network.Transport;

/// <summary>
/// What the network sinks share: turning a <see cref="LogBatch"/> into <see cref="OutgoingEvent"/>s and
/// sending them directly or through the durable spill.
/// </summary>
internal sealed class NetworkDelivery : IAsyncDisposable
{
    private readonly Func<IReadOnlyList<OutgoingEvent>, CancellationToken, ValueTask> _send;
    private readonly List<OutgoingEvent> _batch = new();

    public NetworkDelivery(string name, Func<IReadOnlyList<OutgoingEvent>, CancellationToken, ValueTask> send, DurableSpillOptions? spill, TimeSpan writeTimeout)
    {
        _send = send;
        if (spill is not null) Spill = new SpillingDelivery(name, spill, send, writeTimeout);
    }

    public SpillingDelivery? Spill { get; }

    public async Task WriteAsync(LogBatch batch, CancellationToken cancellationToken)
    {
        _batch.Clear();
        foreach (ref readonly var e in batch.Events) _batch.Add(new OutgoingEvent(e.Payload, e.TimestampTicks, e.Level));
        try
        {
            if (Spill is not null) await Spill.DeliverAsync(_batch, cancellationToken).ConfigureAwait(false);
            else await _send(_batch, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _batch.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Spill is not null) await Spill.DisposeAsync().ConfigureAwait(false);
    }
}
