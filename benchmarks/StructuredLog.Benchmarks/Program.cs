using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/StructuredLog.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
