using System.Collections.Concurrent;

namespace StructuredLog.Events;

/// <summary>Caches enum value names so that formatting an enum on the writer thread allocates once per value.</summary>
internal static class EnumNames
{
    private static readonly ConcurrentDictionary<(Type, ulong), string> s_names = new();

    public static string Get(Type enumType, ulong raw) =>
        s_names.GetOrAdd((enumType, raw), static key =>
        {
            object boxed = Enum.ToObject(key.Item1, key.Item2);
            return boxed.ToString() ?? key.Item2.ToString(System.Globalization.CultureInfo.InvariantCulture);
        });
}
