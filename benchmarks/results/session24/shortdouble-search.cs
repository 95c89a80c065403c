#:property PublishAot=false
using System.Diagnostics;
using System.Runtime.CompilerServices;
// The search of ShortDouble.TryFormat (the k for which round(|d|·10^k) / 10^k == |d|), with and without the far-off test
// before the division, on the doubles of the benchmarks (i·0.25) and on decimals of 1-3 places; interleaved windows.
double[] pow10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
const double FarOff = 1.0 / (1L << 50);
var sets = new (string Name, double[] Values)[]
{
    ("i*0.25", Enumerable.Range(0, 4096).Select(i => (4711 + i) * 0.25).ToArray()),
    ("1-3 places", Enumerable.Range(0, 4096).Select(i => Math.Round(i * 1.37 + 0.5, i % 3 + 1)).ToArray()),
    ("integers", Enumerable.Range(0, 4096).Select(i => (double)(i * 7 + 3)).ToArray()),
};
[MethodImpl(MethodImplOptions.NoInlining)]
int Old(double a)
{
    for (int k = 0; k < pow10.Length; k++)
    {
        double scaled = a * pow10[k];
        if (scaled >= 1e15) return -1;
        double m = Math.Round(scaled);
        if (m / pow10[k] != a) continue;
        return k;
    }
    return -1;
}
[MethodImpl(MethodImplOptions.NoInlining)]
int New(double a)
{
    for (int k = 0; k < pow10.Length; k++)
    {
        double scaled = a * pow10[k];
        if (scaled >= 1e15) return -1;
        double m = Math.Round(scaled);
        if (Math.Abs(scaled - m) > scaled * FarOff) continue;
        if (m / pow10[k] != a) continue;
        return k;
    }
    return -1;
}
foreach (var (name, values) in sets)
{
    foreach (var v in values) if (Old(v) != New(v)) throw new Exception($"differ at {v:R}");
    var o = new List<double>(); var n = new List<double>();
    for (int w = 0; w < 41; w++)
    {
        bool useNew = w % 2 == 1;
        long sum = 0;
        var sw = Stopwatch.StartNew();
        for (int rep = 0; rep < 200; rep++) foreach (var v in values) sum += useNew ? New(v) : Old(v);
        double ns = sw.Elapsed.TotalNanoseconds / (200.0 * values.Length);
        if (w > 0) (useNew ? n : o).Add(ns);
        if (sum == 42) Console.Write("");
    }
    o.Sort(); n.Sort();
    Console.WriteLine($"{name,-11} search per value: before {o[o.Count / 2]:F1} ns (min {o[0]:F1}), after {n[n.Count / 2]:F1} ns (min {n[0]:F1})");
}
