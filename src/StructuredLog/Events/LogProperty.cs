namespace StructuredLog.Events;

/// <summary>A named, typed property of a log event.</summary>
public readonly struct LogProperty
{
    /// <summary>Creates a property.</summary>
    public LogProperty(string name, LogValue value, string? format = null, bool destructure = false)
    {
        Name = name;
        Value = value;
        Format = format;
        Destructure = destructure;
    }

    /// <summary>The property name.</summary>
    public string Name { get; }

    /// <summary>The captured value.</summary>
    public LogValue Value { get; }

    /// <summary>The format from the template hole (<c>F1</c> in <c>{Elapsed:F1}</c>), or null.</summary>
    public string? Format { get; }

    /// <summary>True when the template asked to destructure the value (<c>{@Name}</c>).</summary>
    public bool Destructure { get; }

    /// <summary>Creates a property from a typed value without boxing.</summary>
    public static LogProperty Create<T>(string name, T value) => new(name, LogValue.From(value));

    /// <inheritdoc />
    public override string ToString() => Name + "=" + Value.ToString();
}
