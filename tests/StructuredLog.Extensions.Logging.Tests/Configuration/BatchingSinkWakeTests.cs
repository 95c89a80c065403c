using Microsoft.Extensions.Logging;
using StructuredLog.Extensions.Logging.Tests.Support;

namespace StructuredLog.Extensions.Logging.Tests.Configuration;

public sealed class BatchingSinkWakeTests
{
    [Fact]
    public async Task Events_logged_after_the_sink_went_idle_are_written_without_a_flush()
    {
        var dir = Directory.CreateTempSubdirectory("sl-wake-");
        try
        {
            var path = Path.Combine(dir.FullName, "wake.jsonl");
            await using var host = new LoggingHost(new Dictionary<string, string?> { ["StructuredLog:File:Path"] = path });
            var logger = host.Factory.CreateLogger("Wake");

            logger.LogInformation("first");
            await WaitForLinesAsync(path, 1);
            // The sink's loop is idle now; a small batch must still start its period timer.
            logger.LogInformation("second");
            await WaitForLinesAsync(path, 2);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static async Task WaitForLinesAsync(string path, int lines)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            int n = 0;
            if (File.Exists(path))
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(stream);
                while (await reader.ReadLineAsync() is not null) n++;
            }
            if (n >= lines) return;
            Assert.True(DateTime.UtcNow < deadline, $"expected {lines} lines in {path}, found {n}");
            await Task.Delay(20);
        }
    }
}
