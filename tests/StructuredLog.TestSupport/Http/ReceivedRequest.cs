namespace StructuredLog.TestSupport.Http;

/// <summary>One request as the receiver saw it: the body already gzip-decoded when it was sent compressed.</summary>
public sealed record ReceivedRequest(
    string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] RawBody, string Body, int StatusReturned, DateTime ReceivedAtUtc)
{
    private IReadOnlyList<string>? _lines;

    /// <summary>The header's value, or null.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

    /// <summary>The body's non-empty lines (NDJSON), split once.</summary>
    public IReadOnlyList<string> Lines => _lines ??= Body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
