#:project /work/main/benchmarks/StructuredLog.Benchmarks/StructuredLog.Benchmarks.csproj
#:property Configuration=Release
#:property PublishAot=false
using System.Diagnostics;
using StructuredLog.Benchmarks;
using StructuredLog.Benchmarks.Peers;

var provider = Enum.Parse<MelProvider>(args.Length > 0 ? args[0] : "StructuredLog");
int rounds = args.Length > 1 ? int.Parse(args[1]) : 300;
var peer = new MelPeer(null, provider);
peer.WarmUp(more: n => { peer.ScopedBurst(n); peer.DeepScopedBurst(n); });
const int Burst = 4000;
var which = Environment.GetEnvironmentVariable("ONLY");
foreach (var (name, act) in new (string, Action<int>)[] { ("plain", peer.EnabledBurst), ("scoped5", peer.ScopedBurst), ("deep13", peer.DeepScopedBurst) }.Where(x => which is null || x.Item1 == which))
{
    var t = new List<double>();
    for (int r = 0; r < rounds; r++)
    {
        peer.WaitDelivered(TimeSpan.FromSeconds(60));
        long a = Stopwatch.GetTimestamp();
        act(Burst);
        t.Add(Stopwatch.GetElapsedTime(a).TotalNanoseconds / Burst);
    }
    t.Sort();
    Console.WriteLine($"{provider} {name}: median {t[t.Count/2]:F1} ns, p25 {t[t.Count/4]:F1}, p75 {t[3*t.Count/4]:F1}");
}
await peer.DisposeAsync();
