using System.Collections.Concurrent;

namespace StructuredLog.Events;

/// <summary>Caches enum value names so that formatting an enum on the writer thread allocates once per value (bounded).</summary>
internal static class EnumNames
{
    private const int MaxCached = 10_000;
    private static readonly ConcurrentDictionary<(Type, ulong), string> s_names = new();

    public static string Get(Type enumType, ulong raw)
    {
        if (s_names.TryGetValue((enumType, raw), out var name)) return name;
        name = Format(enumType, raw);
        if (s_names.Count < MaxCached) s_names.TryAdd((enumType, raw), name);
        return name;
    }

    private static string Format(Type enumType, ulong raw)
    {
        object boxed = Enum.ToObject(enumType, raw);
        return boxed.ToString() ?? raw.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
