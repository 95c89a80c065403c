using System;
using System.Threading;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

// Two producers claiming in one shared ring: Vyukov CAS loop (read position, read the cell's sequence, CAS) vs xadd
// (claim first, then check the cell). A consumer drains concurrently? No: cells are pre-freed for a whole burst.
const int Cells = 16384, Burst = 4096, Rounds = 400;
var seq = new long[Cells * 16]; // 128-byte cells: sequence at [i*16]
long enqueue = 0;
Thread? other = null;
var go = new ManualResetEventSlim(false);
var done = new CountdownEvent(1);
int mode = 0; int per = 0; bool stop = false;

void Reset() { for (int i = 0; i < Cells; i++) seq[i * 16] = i; enqueue = 0; }

[MethodImpl(MethodImplOptions.NoInlining)]
static long ClaimCas(long[] seq, ref long enqueue)
{
    while (true)
    {
        long pos = Volatile.Read(ref enqueue);
        long s = Volatile.Read(ref seq[(pos & (Cells - 1)) * 16]);
        if (s == pos)
        {
            if (Interlocked.CompareExchange(ref enqueue, pos + 1, pos) == pos) return pos;
        }
        else if (s < pos) return -1; // full
    }
}

[MethodImpl(MethodImplOptions.NoInlining)]
static long ClaimXadd(long[] seq, ref long enqueue)
{
    long pos = Interlocked.Increment(ref enqueue) - 1;
    ref long s = ref seq[(pos & (Cells - 1)) * 16];
    while (Volatile.Read(ref s) != pos) Thread.SpinWait(1);
    return pos;
}

void Work(int n)
{
    for (int k = 0; k < n; k++)
    {
        long pos = mode == 0 ? ClaimCas(seq, ref enqueue) : ClaimXadd(seq, ref enqueue);
        int c = (int)(pos & (Cells - 1)) * 16;
        for (int w = 1; w < 13; w++) seq[c + w] = pos + w; // ~100 bytes of the cell
        Volatile.Write(ref seq[c], pos + 1);
    }
}

int startFlag = 0; int finished = 0; long otherTicks = 0;
other = new Thread(() => { int seen = 0; while (true) { while (Volatile.Read(ref startFlag) == seen) Thread.SpinWait(1); seen = Volatile.Read(ref startFlag); if (stop) return; long a = Stopwatch.GetTimestamp(); Work(per); otherTicks = Stopwatch.GetTimestamp() - a; Interlocked.Increment(ref finished); } }) { IsBackground = true };
other.Start();
foreach (int producers in new[] { 1, 2 })
{
    var results = new double[2][];
    for (int m = 0; m < 2; m++) results[m] = new double[Rounds];
    for (int r = 0; r < Rounds + 40; r++)
    {
        for (int m = 0; m < 2; m++)
        {
            mode = m; Reset();
            long t0 = Stopwatch.GetTimestamp();
            if (producers == 1) Work(Burst);
            else { per = Burst / 2; int f = Volatile.Read(ref finished); Interlocked.Increment(ref startFlag); Work(Burst / 2); while (Volatile.Read(ref finished) == f) Thread.SpinWait(1); }
            double ns = Stopwatch.GetElapsedTime(t0).TotalNanoseconds / Burst;
            if (r >= 40) results[m][r - 40] = ns;
        }
    }
    for (int m = 0; m < 2; m++)
    {
        Array.Sort(results[m]);
        Console.WriteLine($"{producers} producer(s), {(m == 0 ? "CAS loop" : "xadd    ")}: median {results[m][Rounds / 2]:F2} ns  p10 {results[m][Rounds / 10]:F2}  p90 {results[m][Rounds * 9 / 10]:F2}");
    }
}
stop = true; Interlocked.Increment(ref startFlag);
