namespace StructuredLog.Benchmarks;

/// <summary>The drivers' command-line options (<c>--name value</c>).</summary>
internal static class CommandLine
{
    /// <summary>The value after <paramref name="name"/>, or null when the option (or its value) is missing.</summary>
    public static string? Value(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
