using System.Buffers;
using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using StructuredLog.Events;

namespace StructuredLog.Formatting;

/// <summary>
/// Writes an object graph for <c>{@Name}</c> holes as JSON: public readable properties, collections as
/// arrays, dictionaries as objects. Bounded so that bad input cannot hurt: depth at most
/// <see cref="MaxDepth"/>, collections cut at <see cref="MaxItems"/>, cycles written as
/// <c>"&lt;cycle&gt;"</c>, a throwing getter as <c>"&lt;threw X&gt;"</c>.
/// </summary>
public static class Destructurer
{
    /// <summary>Deepest nesting written.</summary>
    public const int MaxDepth = 6;

    /// <summary>Most items written per collection.</summary>
    public const int MaxItems = 100;

    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> s_properties = new();

    [ThreadStatic] private static List<object>? t_path;

    /// <summary>Writes <paramref name="value"/> as a JSON value.</summary>
    public static void WriteJson(Utf8JsonWriter json, object? value)
    {
        var path = t_path ??= new List<object>();
        path.Clear();
        Write(json, value, 0, path);
    }

    /// <summary>Writes <paramref name="value"/> as compact JSON text (for the text formats).</summary>
    public static void WriteJsonText(IBufferWriter<byte> output, object? value)
    {
        try
        {
            using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = JsonFormatter.Encoder, SkipValidation = true });
            WriteJson(json, value);
            json.Flush();
        }
        catch (Exception ex)
        {
            LogValue.Ascii(output, "<destructuring failed: " + ex.GetType().Name + ">");
        }
    }

    private static void Write(Utf8JsonWriter json, object? value, int depth, List<object> path)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); return;
            case string s: JsonFormatter.WriteStringValue(json, s); return;
            case bool b: json.WriteBooleanValue(b); return;
            case int or long or short or byte or sbyte or ushort or uint or ulong or float or double or decimal:
                JsonFormatter.WriteValue(json, LogValue.FromObject(value), null, int.MaxValue);
                return;
            case DateTime or DateTimeOffset or TimeSpan or Guid or Enum or char or Uri:
                JsonFormatter.WriteValue(json, LogValue.FromObject(value), null, int.MaxValue);
                return;
        }
        if (depth >= MaxDepth) { json.WriteStringValue("<max depth>"); return; }
        foreach (var seen in path)
        {
            if (ReferenceEquals(seen, value)) { json.WriteStringValue("<cycle>"); return; }
        }
        path.Add(value);
        try
        {
            if (value is IDictionary dict)
            {
                json.WriteStartObject();
                int n = 0;
                foreach (DictionaryEntry entry in dict)
                {
                    if (n++ >= MaxItems) break;
                    JsonFormatter.WritePropertyName(json, Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? "");
                    Write(json, entry.Value, depth + 1, path);
                }
                json.WriteEndObject();
                return;
            }
            if (value is IEnumerable items)
            {
                json.WriteStartArray();
                int n = 0;
                foreach (var item in items)
                {
                    if (n++ >= MaxItems) { json.WriteStringValue("<truncated>"); break; }
                    Write(json, item, depth + 1, path);
                }
                json.WriteEndArray();
                return;
            }
            json.WriteStartObject();
            foreach (var prop in s_properties.GetOrAdd(value.GetType(), static t =>
                         t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                          .Where(p => p.CanRead && p.GetIndexParameters().Length == 0).ToArray()))
            {
                object? v;
                try { v = prop.GetValue(value); }
                catch (Exception ex)
                {
                    JsonFormatter.WritePropertyName(json, prop.Name);
                    json.WriteStringValue("<threw " + (ex.InnerException ?? ex).GetType().Name + ">");
                    continue;
                }
                JsonFormatter.WritePropertyName(json, prop.Name);
                Write(json, v, depth + 1, path);
            }
            json.WriteEndObject();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // An enumerator that throws mid-way leaves the JSON writer in an unknown state; the caller
            // (a formatter) falls back to its failure line. Report which type did it.
            throw new InvalidOperationException($"Destructuring {value.GetType().Name} failed: {ex.Message}", ex);
        }
        finally
        {
            path.RemoveAt(path.Count - 1);
        }
    }
}
