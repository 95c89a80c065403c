using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace StructuredLog.Formatting;

/// <summary>
/// Per-thread cache of JSON-escaped UTF-8 forms of strings that repeat from event to event by
/// reference: property names, categories, template texts (nearly always literals or long-lived
/// strings). A hit skips transcoding UTF-16 to UTF-8 and searching for characters to escape on every
/// event. Keys are compared by reference, so a string built per event simply misses (and is cached
/// until the bounded cache is cleared); invalid UTF-16 is replaced with U+FFFD before encoding, as in
/// the uncached path.
/// </summary>
internal static class JsonTextCache
{
    private const int MaxEntries = 4096;
    private const int MaxLength = 1024;

    [ThreadStatic] private static Dictionary<string, JsonEncodedText>? t_cache;

    /// <summary>The escaped form of <paramref name="text"/>, or false when it is too long to cache.</summary>
    public static bool TryGet(string text, JavaScriptEncoder encoder, out JsonEncodedText encoded)
    {
        if (text.Length > MaxLength)
        {
            encoded = default;
            return false;
        }
        var cache = t_cache ??= new Dictionary<string, JsonEncodedText>(ReferenceEqualityComparer.Instance as IEqualityComparer<string>);
        if (cache.TryGetValue(text, out encoded)) return true;
        Span<byte> utf8 = stackalloc byte[MaxLength * 3];
        Utf8.FromUtf16(text, utf8, out _, out int written, replaceInvalidSequences: true);
        encoded = JsonEncodedText.Encode(utf8[..written], encoder);
        if (cache.Count >= MaxEntries) cache.Clear();
        cache[text] = encoded;
        return true;
    }
}
