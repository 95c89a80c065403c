#:property PublishAot=false
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
static class P
{
    static readonly double[] s_pow10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
    [MethodImpl(MethodImplOptions.NoInlining)]
    static int Check(double value)
    {
        double a = Math.Abs(value);
        if (!(a >= 1e-4 && a < 1e15)) return -1;
        for (int k = 0; k < s_pow10.Length; k++)
        {
            double scaled = a * s_pow10[k];
            if (scaled >= 1e15) return -1;
            double m = Math.Round(scaled);
            if (m / s_pow10[k] != a) continue;
            return k;
        }
        return -1;
    }
    static void Main()
    {
        var buf = new byte[64];
        var inv = CultureInfo.InvariantCulture;
        int n = 20_000_000;
        double[] vals = [1177.75, 1177.5, 1177.0, 0.1, 3.14159];
        for (int round = 0; round < 3; round++)
        foreach (var v in vals)
        {
            long sum = 0;
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < n; i++) sum += Check(v);
            double t1 = sw.Elapsed.TotalNanoseconds / n;
            sw.Restart();
            for (int i = 0; i < n; i++) { v.TryFormat(buf, out int w, default, inv); sum += w; }
            double t2 = sw.Elapsed.TotalNanoseconds / n;
            Console.WriteLine($"{v}: check {t1:F2} ns, BCL format {t2:F2} ns ({sum & 1})");
        }
    }
}
