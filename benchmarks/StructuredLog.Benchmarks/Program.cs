using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/StructuredLog.Benchmarks -- --filter '*NetworkSink*' [BenchmarkDotNet arguments]
var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
