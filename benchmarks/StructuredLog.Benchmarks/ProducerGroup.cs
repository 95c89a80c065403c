namespace StructuredLog.Benchmarks;

/// <summary>
/// Runs a burst on N producer threads at once: the calling thread is producer 0, N-1 parked threads are
/// the others. Starting and joining costs a few microseconds per burst (two futex wake-ups per
/// thread), which is spread over the burst's events.
/// </summary>
public sealed class ProducerGroup : IDisposable
{
    private readonly Thread[] _workers;
    private readonly ManualResetEventSlim[] _start;
    private readonly CountdownEvent _done;
    private Action<int>? _burst;
    private int _perProducer;
    private volatile bool _stopping;

    public ProducerGroup(int producers)
    {
        if (producers < 1) throw new ArgumentOutOfRangeException(nameof(producers));
        Producers = producers;
        _workers = new Thread[producers - 1];
        _start = new ManualResetEventSlim[producers - 1];
        _done = new CountdownEvent(1);
        for (int i = 0; i < _workers.Length; i++)
        {
            int index = i;
            _start[i] = new ManualResetEventSlim(false, spinCount: 200);
            _workers[i] = new Thread(() => Work(index)) { IsBackground = true, Name = $"producer {i + 1}" };
            _workers[i].Start();
        }
    }

    public int Producers { get; }

    /// <summary>Runs <paramref name="burst"/>(total / N) on every producer and returns when all are done.</summary>
    public void Run(Action<int> burst, int total)
    {
        int per = total / Producers;
        if (_workers.Length == 0)
        {
            burst(per);
            return;
        }
        _burst = burst;
        _perProducer = per;
        _done.Reset(_workers.Length);
        foreach (var s in _start) s.Set();
        burst(per);
        _done.Wait();
    }

    private void Work(int index)
    {
        var start = _start[index];
        while (true)
        {
            start.Wait();
            start.Reset();
            if (_stopping) return;
            _burst!(_perProducer);
            _done.Signal();
        }
    }

    public void Dispose()
    {
        _stopping = true;
        foreach (var s in _start) s.Set();
        foreach (var w in _workers) w.Join(TimeSpan.FromSeconds(5));
    }
}
