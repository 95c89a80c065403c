namespace StructuredLog.Sinks.File.Tests.Support;

/// <summary>Waits for a condition with a bounded timeout (no fixed sleeps).</summary>
public static class Wait
{
    public static async Task Until(Func<bool> condition, string what, int timeoutMs = 20_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline) throw new TimeoutException("timed out waiting until " + what);
            await Task.Delay(10);
        }
    }
}
