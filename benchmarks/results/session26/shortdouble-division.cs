// ShortDouble's search with a division at every k (as in src/StructuredLog/Formatting/ShortDouble.cs) against one that
// divides only when the scaled value is within 1e-15 (relative) of an integer; equivalence over 20,000,000 values, then
// ns per value for i * 0.25. docs/benchmarks-history.md, "Session 26", item 3b. Not adopted.
//   dotnet run -c Release shortdouble-division.cs
#:property PublishAot=false
using System.Diagnostics;
using System.Runtime.CompilerServices;
double[] pow10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
// returns (k, m) or (-1, 0): the search of ShortDouble.TryFormat, old (a division per k) and new (a division only near an integer)
[MethodImpl(MethodImplOptions.NoInlining)]
long Old(double value)
{
    double a = Math.Abs(value);
    if (!(a >= 1e-4 && a < 1e15)) return -1;
    for (int k = 0; k < pow10.Length; k++)
    {
        double scaled = a * pow10[k];
        if (scaled >= 1e15) return -1;
        double m = Math.Round(scaled);
        if (m / pow10[k] != a) continue;
        return (long)m * 16 + k;
    }
    return -1;
}
[MethodImpl(MethodImplOptions.NoInlining)]
long New(double value)
{
    double a = Math.Abs(value);
    if (!(a >= 1e-4 && a < 1e15)) return -1;
    for (int k = 0; k < pow10.Length; k++)
    {
        double scaled = a * pow10[k];
        if (scaled >= 1e15) return -1;
        double m = Math.Round(scaled);
        if (Math.Abs(scaled - m) > scaled * 1e-15) continue;
        if (m / pow10[k] != a) continue;
        return (long)m * 16 + k;
    }
    return -1;
}
var rnd = new Random(1);
// equivalence on random and structured values
for (int i = 0; i < 20_000_000; i++)
{
    double d = (i % 4) switch { 0 => i * 0.25, 1 => rnd.NextDouble() * Math.Pow(10, rnd.Next(-5, 16)), 2 => Math.Round(rnd.NextDouble() * 1e6, rnd.Next(0, 10)), _ => BitConverter.Int64BitsToDouble(rnd.NextInt64()) };
    if (Old(d) != New(d)) { Console.WriteLine($"DIFF {d:R} {Old(d)} {New(d)}"); return; }
}
Console.WriteLine("equivalent on 20,000,000 values");
for (int round = 0; round < 5; round++)
{
    long s = 0;
    var sw = Stopwatch.StartNew();
    for (int i = 0; i < 10_000_000; i++) s += Old(i * 0.25);
    double o = sw.Elapsed.TotalNanoseconds / 1e7;
    sw.Restart();
    for (int i = 0; i < 10_000_000; i++) s += New(i * 0.25);
    double n = sw.Elapsed.TotalNanoseconds / 1e7;
    Console.WriteLine($"old {o:F2} ns, new {n:F2} ns ({s & 1})");
}
