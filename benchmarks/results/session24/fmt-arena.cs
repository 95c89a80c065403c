#:project /work/main/src/StructuredLog/StructuredLog.csproj
#:property PublishAot=false
#:property AssemblyName=StructuredLog.Benchmarks
using System.Diagnostics;
using StructuredLog;
using StructuredLog.Events;
using StructuredLog.Formatting;
// Formats the benchmark's event into a FormatArena (as the writer and the format worker do), 2 s windows.
var template = MessageTemplate.Parse("Processed order {A} in {B} ms for {C}");
var records = new EventRecord[1000];
for (int k = 0; k < records.Length; k++)
{
    var r = records[k] = new EventRecord { TimestampTicks = DateTime.UtcNow.Ticks + k * 1000, Level = LogLevel.Info, Category = "Benchmarks.Orders", Template = template, MaxValueChars = 32 * 1024 };
    r.AddProperty(new LogProperty(template.PropertyNames[0], LogValue.From(4711 + k)));
    r.AddProperty(new LogProperty(template.PropertyNames[1], LogValue.From((4711 + k) * 0.25)));
    r.AddProperty(new LogProperty(template.PropertyNames[2], LogValue.From("alice")));
    r.ArgumentCount = 3;
}
var arena = new FormatArena();
var f = JsonFormatter.Default;
var results = new List<double>();
for (int window = 0; window <= 8; window++)
{
    long lines = 0;
    var sw = Stopwatch.StartNew();
    while (sw.ElapsedMilliseconds < 400)
    {
        foreach (var r in records)
        {
            arena.BeginEvent();
            f.Format(new LogEvent(r), arena);
            arena.EndEvent();
        }
        arena.Reset();
        lines += records.Length;
    }
    if (window > 0) results.Add(sw.Elapsed.TotalNanoseconds / lines);
}
results.Sort();
Console.WriteLine($"new median {results[results.Count / 2]:F1} ns per line (min {results[0]:F1})");
