namespace StructuredLog.Events;

/// <summary>One piece of a parsed <see cref="MessageTemplate"/>: literal text or a property hole.</summary>
public sealed class TemplateToken
{
    internal TemplateToken(string text, string? propertyName, string? format, bool destructure, int argumentIndex)
    {
        Text = text;
        PropertyName = propertyName;
        Format = format;
        Destructure = destructure;
        ArgumentIndex = argumentIndex;
        // Literal text is rendered into every message: encode it once (invalid UTF-16 becomes U+FFFD).
        LiteralUtf8 = propertyName is null ? System.Text.Encoding.UTF8.GetBytes(text) : null;
    }

    /// <summary>The UTF-8 form of literal text (null for holes).</summary>
    internal readonly byte[]? LiteralUtf8;

    /// <summary>For literal text the unescaped text; for a hole, its source text (e.g. <c>{Elapsed:F1}</c>).</summary>
    public string Text { get; }

    /// <summary>The property name for a hole; null for literal text.</summary>
    public string? PropertyName { get; }

    /// <summary>The .NET format string of a hole (<c>F1</c> in <c>{Elapsed:F1}</c>), or null.</summary>
    public string? Format { get; }

    /// <summary>True for <c>{@Name}</c>: the value is written as a structure, not as its <c>ToString()</c>.</summary>
    public bool Destructure { get; }

    /// <summary>The index of the argument that fills this hole, or -1 for literal text.</summary>
    public int ArgumentIndex { get; }

    /// <summary>True when this token is a property hole.</summary>
    public bool IsHole => PropertyName is not null;
}
