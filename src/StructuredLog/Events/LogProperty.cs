using System.Runtime.CompilerServices;

namespace StructuredLog.Events;

/// <summary>A named, typed property of a log event.</summary>
public readonly struct LogProperty
{
    /// <summary>Creates a property.</summary>
    public LogProperty(string name, LogValue value, string? format = null, bool destructure = false)
    {
        _name = name;
        _value = value;
        _format = format;
        _destructure = destructure;
    }

    private readonly string _name;
    private readonly LogValue _value;
    private readonly string? _format;
    private readonly bool _destructure;

    /// <summary>The property name.</summary>
    public string Name => _name;

    /// <summary>The captured value.</summary>
    public LogValue Value => _value;

    /// <summary>The format from the template hole (<c>F1</c> in <c>{Elapsed:F1}</c>), or null.</summary>
    public string? Format => _format;

    /// <summary>True when the template asked to destructure the value (<c>{@Name}</c>).</summary>
    public bool Destructure => _destructure;

    /// <summary>
    /// Overwrites <paramref name="target"/> (a property of one of the writer's pooled records) in place.
    /// A reference is stored only when it differs from the one there: the record's previous event usually
    /// had the same template, so the name and format are the same strings, and each store of a reference
    /// into the heap costs a GC write barrier (a call). The same as assigning a new property.
    /// </summary>
    internal static void Overwrite(ref LogProperty target, string name, in LogValue value, string? format, bool destructure)
    {
        OverwriteNameAndFormat(ref target, name, format, destructure);
        LogValue.Overwrite(ref Unsafe.AsRef(in target._value), value);
    }

    /// <summary>
    /// <see cref="Overwrite(ref LogProperty, string, in LogValue, string?, bool)"/> with an inline value of a ring cell that
    /// has no second payload word, read from its parts without building a <see cref="LogValue"/> first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Overwrite(ref LogProperty target, string name, LogValueKind kind, ref StructuredLog.Pipeline.SlotValue value, string? format, bool destructure)
    {
        OverwriteNameAndFormat(ref target, name, format, destructure);
        LogValue.Overwrite(ref Unsafe.AsRef(in target._value), kind, value.Lo, 0, value.Ref);
    }

    /// <summary>The part both <c>Overwrite</c> overloads share: name and format stored only when they differ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OverwriteNameAndFormat(ref LogProperty target, string name, string? format, bool destructure)
    {
        if (!ReferenceEquals(target._name, name)) Unsafe.AsRef(in target._name) = name;
        if (!ReferenceEquals(target._format, format)) Unsafe.AsRef(in target._format) = format;
        Unsafe.AsRef(in target._destructure) = destructure;
    }

    /// <summary>Forgets the object or string <paramref name="target"/>'s value refers to (a pooled record keeps no application object alive); stores nothing when there is none.</summary>
    internal static void DropValueReference(ref LogProperty target)
    {
        if (target._value.Ref is not null) LogValue.Overwrite(ref Unsafe.AsRef(in target._value), default);
    }

    /// <summary>Creates a property from a typed value without boxing.</summary>
    public static LogProperty Create<T>(string name, T value) => new(name, LogValue.From(value));

    /// <inheritdoc />
    public override string ToString() => Name + "=" + Value.ToString();
}
