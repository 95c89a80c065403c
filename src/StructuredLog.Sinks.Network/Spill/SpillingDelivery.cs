using StructuredLog.Diagnostics;
using StructuredLog.Sinks.Network.Transport;

namespace StructuredLog.Sinks.Network.Spill;

/// <summary>
/// Puts a <see cref="SpillQueue"/> in front of a send function. Invariant (kept under <see cref="_gate"/>):
/// while any batch is on disk, new batches are appended behind it rather than sent, so the peer sees
/// batches in the order they were logged. A replay task sends the oldest spilled batch, deletes it on
/// success, and backs off while the peer is still down. A batch the peer rejects for good (non-retryable
/// <see cref="SinkWriteException"/>) is never spilled: it is counted as failed.
/// </summary>
internal sealed class SpillingDelivery : IAsyncDisposable
{
    private readonly string _name;
    private readonly DurableSpillOptions _options;
    private readonly Func<IReadOnlyList<OutgoingEvent>, CancellationToken, ValueTask> _send;
    private readonly TimeSpan _writeTimeout;
    private readonly SpillQueue _queue;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly object _sync = new();
    private readonly List<OutgoingEvent> _replayBatch = new();
    private Task? _replay;
    private bool _replayRunning;
    private long _spilled, _replayed, _dropped, _rejected;

    public SpillingDelivery(string name, DurableSpillOptions options, Func<IReadOnlyList<OutgoingEvent>, CancellationToken, ValueTask> send, TimeSpan writeTimeout)
    {
        options.Validate();
        _name = name;
        _options = options;
        _send = send;
        _writeTimeout = writeTimeout;
        _queue = new SpillQueue(options);
        if (_queue.PendingFiles > 0)
        {
            SelfLog.Write(name, $"found {_queue.PendingEvents} spilled events in {options.Directory}; replaying");
            EnsureReplay();
        }
    }

    public long Spilled => Interlocked.Read(ref _spilled);
    public long Replayed => Interlocked.Read(ref _replayed);
    public long Dropped => Interlocked.Read(ref _dropped) + _queue.CorruptEvents;
    public long Rejected => Interlocked.Read(ref _rejected);

    public long PendingEvents => _queue.PendingEvents;

    /// <summary>Sends the batch, or spills it when the peer is unreachable or older batches are still on disk.</summary>
    public async ValueTask DeliverAsync(IReadOnlyList<OutgoingEvent> batch, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        bool spilled = false;
        try
        {
            if (_queue.PendingFiles == 0)
            {
                try
                {
                    await _send(batch, cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (SinkWriteException ex) when (!ex.Retryable)
                {
                    throw;
                }
                catch (Exception ex)
                {
                    SelfLog.Write(_name, $"peer unreachable ({ex.GetType().Name}: {ex.Message}); spilling to {_options.Directory}");
                }
            }
            Spill(batch);
            spilled = true;
        }
        finally
        {
            _gate.Release();
        }
        if (spilled) EnsureReplay();
    }

    private void Spill(IReadOnlyList<OutgoingEvent> batch)
    {
        bool ok;
        try
        {
            ok = _queue.TryAppend(batch);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Interlocked.Add(ref _dropped, batch.Count);
            throw new SinkWriteException($"could not spill to {_options.Directory}: {ex.Message}", retryable: false, inner: ex);
        }
        if (!ok)
        {
            Interlocked.Add(ref _dropped, batch.Count);
            throw new SinkWriteException($"spill directory full ({_options.MaxBytes} bytes); {batch.Count} events dropped", retryable: false);
        }
        Interlocked.Add(ref _spilled, batch.Count);
    }

    private void EnsureReplay()
    {
        lock (_sync)
        {
            if (_replayRunning || _stop.IsCancellationRequested) return;
            _replayRunning = true;
            _replay = Task.Run(ReplayAsync);
        }
    }

    private async Task ReplayAsync()
    {
        int attempt = 0;
        var random = new Random();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                bool sent = false;
                await _gate.WaitAsync(_stop.Token).ConfigureAwait(false);
                try
                {
                    if (!_queue.TryPeek(_replayBatch))
                    {
                        lock (_sync) _replayRunning = false;
                        return;
                    }
                    try
                    {
                        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                        timeout.CancelAfter(_writeTimeout);
                        await _send(_replayBatch, timeout.Token).ConfigureAwait(false);
                        _queue.RemoveOldest();
                        Interlocked.Add(ref _replayed, _replayBatch.Count);
                        sent = true;
                    }
                    catch (SinkWriteException ex) when (!ex.Retryable)
                    {
                        SelfLog.Write(_name, $"peer rejected a spilled batch of {_replayBatch.Count} events: {ex.Message}");
                        Interlocked.Add(ref _rejected, _replayBatch.Count);
                        _queue.RemoveOldest();
                        sent = true;
                    }
                    catch (Exception) when (!_stop.IsCancellationRequested)
                    {
                        attempt++;
                    }
                }
                finally
                {
                    _replayBatch.Clear();
                    _gate.Release();
                }
                if (sent)
                {
                    attempt = 0;
                    continue;
                }
                double ms = Math.Min(_options.MinReplayDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20)), _options.MaxReplayDelay.TotalMilliseconds);
                await Task.Delay(TimeSpan.FromMilliseconds(ms * (0.75 + random.NextDouble() * 0.5)), _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // disposing: what is on disk stays for the next start
        }
        finally
        {
            lock (_sync) _replayRunning = false;
        }
    }

    /// <summary>Waits until the spill is empty (or the token fires). For tests and graceful shutdown with a live peer.</summary>
    public async Task WaitUntilDrainedAsync(CancellationToken cancellationToken)
    {
        while (PendingEvents > 0)
        {
            EnsureReplay();
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        Task? replay;
        lock (_sync) replay = _replay;
        if (replay is not null)
        {
            try { await replay.ConfigureAwait(false); } catch (Exception) { /* reported by the loop */ }
        }
    }
}
