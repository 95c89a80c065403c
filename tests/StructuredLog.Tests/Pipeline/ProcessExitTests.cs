using System.Diagnostics;

namespace StructuredLog.Tests.Pipeline;

public sealed class ProcessExitTests
{
    [Fact]
    public async Task A_process_that_never_disposes_its_pipeline_still_writes_every_event_at_exit()
    {
        string probe = ProbePath();
        string file = Path.Combine(Path.GetTempPath(), $"slog-exit-{Guid.NewGuid():N}.jsonl");
        try
        {
            var psi = new ProcessStartInfo("dotnet", [probe, file, "20000"]) { RedirectStandardError = true, RedirectStandardOutput = true };
            using var process = Process.Start(psi)!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, process.ExitCode);
            var lines = await File.ReadAllLinesAsync(file);
            Assert.Equal(20000, lines.Length);
            Assert.Contains("\"Seq\":19999", lines[^1]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string ProbePath()
    {
        // tests/StructuredLog.Tests/bin/<Config>/net10.0 → tests/StructuredLog.ExitProbe/bin/<Config>/net10.0
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        string config = here.Parent!.Name;
        string path = Path.GetFullPath(Path.Combine(here.FullName, "..", "..", "..", "..", "StructuredLog.ExitProbe", "bin", config, "net10.0", "StructuredLog.ExitProbe.dll"));
        Assert.True(File.Exists(path), "probe not built: " + path);
        return path;
    }
}
